"""Carry a pipeline batch result into ``PipelineMetrics`` (used by in-process runs)."""

from __future__ import annotations

from newsrisk.core.aggregation import SEVERITY_LEVEL
from newsrisk.core.pipeline import BatchResult
from newsrisk.metrics.exporter import PipelineMetrics


def observe_result(metrics: PipelineMetrics, n_in: int, result: BatchResult) -> None:
    metrics.received.inc(n_in)
    for dl in result.deadletters:
        metrics.observe_deadletter(dl)
    for reason, n in result.duplicates.items():
        metrics.duplicates.labels(reason).inc(n)
    if result.scored:
        metrics.observe_batch(len(result.scored), result.inference_s)
    for art in result.scored:
        metrics.observe_scored(art)
    for alert in result.alerts:  # evidence before levels (see the alerting rules)
        metrics.observe_alert(alert)
    for cw in result.windows:
        metrics.observe_window(cw.window, cw.detection.score,
                               SEVERITY_LEVEL.get(cw.detection.severity, 0),
                               cw.detection.baseline.get("expected_negative"))
