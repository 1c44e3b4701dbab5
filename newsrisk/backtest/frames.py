"""Compact, columnar record of every closed window and its detector verdict, per series.

A two-year archive closes millions of windows; keeping ``ClosedWindow`` objects (with their
baseline dicts) would take gigabytes. A :class:`WindowSeries` keeps, per (key kind, key, window),
the columns a backtest needs - start, count, negatives, detector score, warm-up - and the evidence
of windows that had negatives, so alerts can be rebuilt for any threshold without re-running
anything.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsrisk.core.aggregation import ClosedWindow
from newsrisk.records import Alert, EvidenceArticle

SeriesKey = tuple[str, str, str]  # key_kind, key, window


@dataclass(slots=True)
class WindowSeries:
    key_kind: str
    key: str
    window: str
    size_s: float = 0.0
    start: array = field(default_factory=lambda: array("d"))
    count: array = field(default_factory=lambda: array("l"))
    negative: array = field(default_factory=lambda: array("l"))
    score: array = field(default_factory=lambda: array("d"))
    warm: array = field(default_factory=lambda: array("b"))
    evidence: dict[int, tuple[EvidenceArticle, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.start)

    def add(self, cw: ClosedWindow) -> None:
        agg, det = cw.window, cw.detection
        if det.baseline.get("stale"):
            return  # the detector ignored it (no state, no gate step)
        self.size_s = (agg.end - agg.start).total_seconds()
        if agg.top_negative:
            self.evidence[len(self.start)] = agg.top_negative
        self.start.append(agg.start.timestamp())
        self.count.append(agg.count)
        self.negative.append(agg.negative)
        self.score.append(det.score)
        self.warm.append(0 if det.baseline.get("warmup", 0.0) else 1)

    def alert(self, i: int, severity: str = "warning") -> Alert:
        """The alert this series' window ``i`` raises (without detector baseline details)."""
        start = datetime.fromtimestamp(self.start[i], tz=UTC)
        end = datetime.fromtimestamp(self.start[i] + self.size_s, tz=UTC)
        count, neg = int(self.count[i]), int(self.negative[i])
        return Alert(
            id=Alert.make_id(self.key_kind, self.key, self.window, start),
            key_kind=self.key_kind, key=self.key, window=self.window, window_start=start,
            window_end=end, score=float(self.score[i]), severity=severity, count=count,
            negative=neg, negative_share=neg / count if count else 0.0, mean_score=0.0,
            baseline={}, evidence=self.evidence.get(i, ()),
        )


@dataclass(slots=True)
class WindowFrames:
    """Every series of a run, in first-seen order."""

    series: dict[SeriesKey, WindowSeries] = field(default_factory=dict)

    def add(self, closed: Iterable[ClosedWindow]) -> None:
        for cw in closed:
            agg = cw.window
            ident = (agg.key_kind, agg.key, agg.window)
            s = self.series.get(ident)
            if s is None:
                s = self.series[ident] = WindowSeries(*ident)
            s.add(cw)

    def of_kind(self, key_kind: str, window: str | None = None) -> list[WindowSeries]:
        return [s for (kk, _, w), s in self.series.items()
                if kk == key_kind and (window is None or w == window)]

    def __len__(self) -> int:
        return sum(len(s) for s in self.series.values())
