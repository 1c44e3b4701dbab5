"""Threshold sweeps: the detector's alerts for many thresholds from one run, and the PR curve.

The detector's score of a window does not depend on its alerting thresholds (``warning_score``,
``min_negatives``): those only decide severity, and the gate (hysteresis + cool-down) decides
firing. So one run records every window's score (:class:`WindowFrames`) and ``detector_alerts``
re-applies any thresholds with the detector's own :class:`AlertGate` - the grid never
re-classifies, re-aggregates or re-scores. Tests check it against a full detector re-run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from newsrisk.backtest.baseline import VolumeBaseline, VolumeRule
from newsrisk.backtest.evaluate import Evaluation
from newsrisk.backtest.frames import WindowFrames
from newsrisk.detection import DetectorConfig
from newsrisk.detection.gate import AlertGate
from newsrisk.records import Alert

DEFAULT_WARNING_SCORES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
DEFAULT_MIN_NEGATIVES = (2, 3, 5)
DEFAULT_KS = (2.0, 3.0, 5.0, 8.0, 12.0, 20.0)


def grid_config(base: DetectorConfig, warning_score: float, min_negatives: int) -> DetectorConfig:
    data = base.to_dict()
    data.update(warning_score=warning_score, min_negatives=min_negatives,
                critical_score=max(base.critical_score, warning_score))
    return DetectorConfig.from_dict(data)


def detector_alerts(frames: WindowFrames, cfg: DetectorConfig,
                    key_kind: str | None = "entity") -> list[Alert]:
    """The alerts ``Detector(cfg)`` raises on the recorded windows (its scores are reused)."""
    out: list[Alert] = []
    for (kk, _, _), s in frames.series.items():
        if key_kind is not None and kk != key_kind:
            continue
        gate = AlertGate(cfg.release_score, cfg.cooldown_windows)
        for i in range(len(s)):
            score = s.score[i]
            severity: str | None = None
            if s.warm[i] and s.negative[i] >= cfg.min_negatives:
                if score >= cfg.critical_score:
                    severity = "critical"
                elif score >= cfg.warning_score:
                    severity = "warning"
            if gate.step(score, severity is not None) and severity:
                out.append(s.alert(i, severity))
    out.sort(key=lambda a: (a.window_end, a.key_kind, a.key, a.window))
    return out


@dataclass(frozen=True, slots=True)
class GridPoint:
    method: str  # "detector" | "baseline"
    params: dict[str, float]
    evaluation: Evaluation

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, **self.params, **self.evaluation.to_dict()}


Scorer = Callable[[list[Alert]], Evaluation]


def sweep_detector(frames: WindowFrames, base: DetectorConfig, score: Scorer,
                   warning_scores: Sequence[float] = DEFAULT_WARNING_SCORES,
                   min_negatives: Sequence[int] = DEFAULT_MIN_NEGATIVES) -> list[GridPoint]:
    points = []
    for m in min_negatives:
        for w in warning_scores:
            ev = score(detector_alerts(frames, grid_config(base, w, m)))
            points.append(GridPoint("detector", {"warning_score": w, "min_negatives": m}, ev))
    return points


def sweep_baseline(baseline: VolumeBaseline, rule: VolumeRule, score: Scorer,
                   ks: Sequence[float] = DEFAULT_KS) -> list[GridPoint]:
    points = []
    for k in ks:
        ev = score(baseline.alerts(VolumeRule(k, rule.min_count, rule.cooldown_windows)))
        points.append(GridPoint("baseline", {"k": k, "min_count": rule.min_count}, ev))
    return points
