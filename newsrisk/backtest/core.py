"""The backtest's core: the live pipeline over an archive, and detection re-runs over its windows.

``run_core`` drives :class:`~newsrisk.core.pipeline.Pipeline` (the same scoring and aggregation
stages as the live worker) and keeps what a backtest needs: scored articles, every closed window
in closing order, and the alerts. ``alerts_from_windows`` replays those windows through another
detector - what a threshold grid needs - without re-classifying or re-aggregating: windows do
not depend on the detector, and the detector sees them in the same order as in the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from newsrisk.backtest.frames import WindowFrames
from newsrisk.config import Settings
from newsrisk.core.aggregation import DetectorLike
from newsrisk.core.pipeline import BatchResult, Pipeline, RunSummary
from newsrisk.core.scoring import ClassifierLike, ResolverLike
from newsrisk.records import Alert, ScoredArticle, WindowAggregate


@dataclass(slots=True)
class CoreRun:
    scored: list[ScoredArticle] = field(default_factory=list)
    frames: WindowFrames = field(default_factory=WindowFrames)
    windows: list[WindowAggregate] = field(default_factory=list)  # only with keep_windows
    alerts: list[Alert] = field(default_factory=list)
    summary: RunSummary = field(default_factory=RunSummary)


def run_core(
    payloads: Iterable[Any],
    settings: Settings,
    classifier: ClassifierLike | None = None,
    detector: DetectorLike | None = None,
    resolver: ResolverLike | None = None,
    explain: bool = False,
    flush: bool = True,
    progress: Callable[[int], None] | None = None,
    keep_windows: bool = False,
) -> CoreRun:
    """Run the pipeline over raw-article payloads (schema v1) and keep its results.

    ``flush`` closes the windows still open at the end of the input (the live worker keeps them
    open until newer news arrives). ``explain`` adds token explanations to alerts, as live does.
    Closed windows are kept as compact frames; ``keep_windows`` also keeps the aggregates.
    """
    pipe = Pipeline(settings, classifier=classifier, resolver=resolver, detector=detector,
                    explain=explain)
    out = CoreRun(summary=pipe.summary)

    def keep(result: BatchResult) -> None:
        out.scored.extend(result.scored)
        out.frames.add(result.windows)
        if keep_windows:
            out.windows.extend(w.window for w in result.windows)
        out.alerts.extend(result.alerts)

    pipe.listeners.append(keep)
    pipe.run(payloads, flush=flush, progress=progress)
    return out


def run_backtest_core(
    payloads: Iterable[Any],
    settings: Settings,
    classifier: ClassifierLike | None = None,
    detector: DetectorLike | None = None,
    resolver: ResolverLike | None = None,
    explain: bool = False,
    flush: bool = True,
) -> list[Alert]:
    """The alerts the live pipeline raises on ``payloads`` (raw articles, in arrival order)."""
    return run_core(payloads, settings, classifier, detector, resolver, explain, flush).alerts


def alerts_from_windows(windows: Iterable[WindowAggregate], detector: DetectorLike) -> list[Alert]:
    """Alerts of ``detector`` on closed windows, exactly as the aggregation stage raises them
    (without token explanations)."""
    alerts: list[Alert] = []
    for agg in windows:
        det = detector.observe(agg)
        if det.fire and det.severity:
            alerts.append(Alert(
                id=Alert.make_id(agg.key_kind, agg.key, agg.window, agg.start),
                key_kind=agg.key_kind, key=agg.key, window=agg.window, window_start=agg.start,
                window_end=agg.end, score=det.score, severity=det.severity,
                count=agg.count, negative=agg.negative, negative_share=agg.negative_share,
                mean_score=agg.mean_score, baseline=dict(det.baseline),
                evidence=agg.top_negative,
            ))
    return alerts
