"""A whole backtest: archive -> core -> alerts -> evaluation against drops and the baseline."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from newsrisk.backtest.baseline import VolumeBaseline, VolumeRule
from newsrisk.backtest.core import CoreRun, run_core
from newsrisk.backtest.evaluate import Evaluation, evaluate
from newsrisk.backtest.grid import GridPoint, sweep_baseline, sweep_detector
from newsrisk.backtest.prices import PriceBook
from newsrisk.config import Settings
from newsrisk.core.components import detector_config
from newsrisk.core.scoring import ClassifierLike
from newsrisk.detection import Detector, DetectorConfig
from newsrisk.records import Alert, format_time


@dataclass
class BacktestOptions:
    prices: Path
    horizon_days: int = 5
    drop_threshold: float = 0.05
    start: datetime | None = None
    end: datetime | None = None
    grid: bool = False
    baseline: VolumeRule = field(default_factory=VolumeRule)
    detector: DetectorConfig = field(default_factory=detector_config)  # the worker's defaults


@dataclass
class BacktestResult:
    run: CoreRun
    alerts: list[Alert]
    evaluation: Evaluation
    baseline: Evaluation
    grid: list[GridPoint]
    start: datetime
    end: datetime

    @property
    def topic_alerts(self) -> list[Alert]:
        return [a for a in self.alerts if a.key_kind == "topic"]

    def to_dict(self, opts: BacktestOptions, limit: int = 2000) -> dict[str, Any]:
        ev, base = self.evaluation, self.baseline
        return {
            **ev.to_dict(),
            "baseline_alerts": base.alerts, "baseline_precision": base.precision,
            "baseline_recall": base.recall, "baseline_median_lead_hours": base.median_lead_hours,
            "baseline_alerts_per_day": base.alerts_per_day,
            "topic_alerts": len(self.topic_alerts),
            "period": {"from": format_time(self.start), "to": format_time(self.end)},
            "articles_in": self.run.summary.articles_in,
            "articles_scored": self.run.summary.articles_scored,
            "horizon_days": opts.horizon_days, "drop_threshold": opts.drop_threshold,
            "detector": {"warning_score": opts.detector.warning_score,
                         "min_negatives": opts.detector.min_negatives},
            "detector_config": opts.detector.to_dict(),  # all of it, to reproduce the run
            "baseline_rule": {"k": opts.baseline.k, "min_count": opts.baseline.min_count,
                              "cooldown_windows": opts.baseline.cooldown_windows},
            "grid": [p.to_dict() for p in self.grid],
            "alert_list": [
                {"id": o.alert.id, "key": o.alert.key, "window": o.alert.window,
                 "window_end": format_time(o.alert.window_end), "severity": o.alert.severity,
                 "score": o.alert.score, "ticker": o.ticker, "hit": o.hit,
                 "drop_day": str(o.drop.day) if o.drop else None, "lead_hours": o.lead_hours}
                for o in ev.outcomes[:limit]
            ],
        }


def evaluate_run(run: CoreRun, settings: Settings, opts: BacktestOptions,
                 status: Callable[[str], None] = lambda _: None) -> BacktestResult:
    """Alerts of the configured detector, their evaluation, the baseline and the optional grid."""
    times = [a.published_at for a in run.scored]
    if not times:
        raise ValueError("no article was scored: nothing to backtest")
    start = opts.start or min(times)
    end = opts.end or max(times)
    tickers = {s.key for s in run.frames.of_kind("entity")}
    book = PriceBook(opts.prices)

    def score(alerts: Iterable[Alert]) -> Evaluation:
        return evaluate(alerts, book, tickers, start, end, opts.horizon_days,
                        opts.drop_threshold)

    alerts = run.alerts  # exactly what the pipeline raised
    ev = score(alerts)
    status("mention-volume baseline statistics")
    steps = {w.name: float(w.step_s) for w in settings.window_specs}
    floor = min(opts.baseline.min_count, 2)
    vb = VolumeBaseline(run.frames, steps, min_count_floor=floor)
    base_ev = score(vb.alerts(opts.baseline))
    grid: list[GridPoint] = []
    if opts.grid:
        status("threshold grid")
        grid = sweep_detector(run.frames, opts.detector, score)
        grid += sweep_baseline(vb, opts.baseline, score)
    return BacktestResult(run, alerts, ev, base_ev, grid, start, end)


def run_backtest(payloads: Iterable[Any], settings: Settings, opts: BacktestOptions,
                 classifier: ClassifierLike | None = None,
                 progress: Callable[[int], None] | None = None,
                 status: Callable[[str], None] = lambda _: None) -> BacktestResult:
    run = run_core(payloads, settings, classifier=classifier, detector=Detector(opts.detector),
                   progress=progress)
    return evaluate_run(run, settings, opts, status)


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str))
