"""Feed a synthetic negative-news spike into :class:`PipelineMetrics`, as the detector would.

Used by the alerting end-to-end test, the latency benchmark and demos. The evidence is set
before the alert level, so a scrape between the two never sees a level without its titles.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from newsrisk.metrics.exporter import PipelineMetrics
from newsrisk.records import Alert, EvidenceArticle, WindowAggregate

LEVELS = {"warning": 1, "critical": 2}
WINDOW_SECONDS = {"5m": 300, "1h": 3600}


def spike_alert(
    key_kind: str,
    key: str,
    titles: Sequence[str],
    severity: str = "critical",
    window: str = "5m",
    end: datetime | None = None,
    count: int = 50,
    negative: int = 42,
) -> tuple[WindowAggregate, Alert]:
    """A closed window with ``negative`` of ``count`` negative articles and its alert."""
    end = end or datetime.now(UTC)
    start = end - timedelta(seconds=WINDOW_SECONDS.get(window, 300))
    evidence = tuple(
        EvidenceArticle(f"{key}-{i}", title, None, start + timedelta(seconds=i), -0.9, 0.95)
        for i, title in enumerate(titles)
    )
    agg = WindowAggregate(
        key_kind, key, window, start, end, count, negative, -0.6 * count, evidence
    )
    alert = Alert(
        id=Alert.make_id(key_kind, key, window, start),
        key_kind=key_kind, key=key, window=window, window_start=start, window_end=end,
        score=0.97, severity=severity, count=count, negative=negative,
        negative_share=agg.negative_share, mean_score=agg.mean_score,
        baseline={"expected_negative": 5.0}, evidence=evidence,
    )
    return agg, alert


def inject_spike(
    metrics: PipelineMetrics,
    key_kind: str,
    key: str,
    titles: Sequence[str],
    severity: str = "critical",
    window: str = "5m",
) -> Alert:
    """Set the metrics of a spike on ``key`` (evidence first, then the level)."""
    agg, alert = spike_alert(key_kind, key, titles, severity, window)
    metrics.observe_alert(alert)
    metrics.observe_window(agg, alert.score, LEVELS[severity], expected_negative=5.0)
    return alert


def clear_spike(metrics: PipelineMetrics, key_kind: str, key: str, window: str = "5m") -> None:
    """Close the alert of ``key``: level 0, which also removes its evidence."""
    agg, _ = spike_alert(key_kind, key, (), window=window, count=50, negative=3)
    metrics.observe_window(agg, 0.1, 0, expected_negative=5.0)
