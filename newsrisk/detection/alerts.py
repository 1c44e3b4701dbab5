"""Turn a firing :class:`Detection` into an :class:`Alert` with its evidence articles."""

from __future__ import annotations

from newsrisk.records import Alert, Detection, WindowAggregate


def make_alert(agg: WindowAggregate, detection: Detection, top: int = 5) -> Alert:
    """The alert for a window: its stats, the detector's baseline and the top negative articles."""
    evidence = tuple(sorted(agg.top_negative, key=lambda e: e.negative, reverse=True)[:top])
    return Alert(
        id=Alert.make_id(agg.key_kind, agg.key, agg.window, agg.start),
        key_kind=agg.key_kind,
        key=agg.key,
        window=agg.window,
        window_start=agg.start,
        window_end=agg.end,
        score=detection.score,
        severity=detection.severity or "warning",
        count=agg.count,
        negative=agg.negative,
        negative_share=agg.negative_share,
        mean_score=agg.mean_score,
        baseline=dict(detection.baseline),
        evidence=evidence,
    )
