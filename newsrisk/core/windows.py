"""Event-time windows (tumbling and hopping) per key, closed by a watermark.

The watermark is the newest event time seen minus ``allowed_lateness_s``; a window closes once its
end is at or before the watermark. Windows of a key that was active in the last ``idle_ttl_s``
are closed even when empty, so the detector sees gaps explicitly. An article counts once per
window (ids are remembered while the window is open), so redelivered events are absorbed.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from newsrisk.config import WindowSpec
from newsrisk.records import EvidenceArticle, WindowAggregate, format_time, parse_time


@dataclass(frozen=True, slots=True)
class KeyedEvent:
    """One scored article as seen by one key (its topic or one of its entities)."""

    key_kind: str
    key: str
    article_id: str
    title: str
    url: str | None
    published_at: float  # epoch seconds
    score: float  # signed sentiment
    negative_prob: float
    is_negative: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.key_kind, "key": self.key, "id": self.article_id, "title": self.title,
            "url": self.url, "t": self.published_at, "s": self.score, "pn": self.negative_prob,
            "neg": self.is_negative,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KeyedEvent:
        return cls(d["k"], d["key"], d["id"], d.get("title", ""), d.get("url"), float(d["t"]),
                   float(d["s"]), float(d["pn"]), bool(d["neg"]))


@dataclass(slots=True)
class _Acc:
    count: int = 0
    negative: int = 0
    sum_score: float = 0.0
    ids: set[str] = field(default_factory=set)
    top: list[tuple[float, str, str, str | None, float, float]] = field(default_factory=list)

    def add(self, ev: KeyedEvent, top_n: int) -> bool:
        if ev.article_id in self.ids:
            return False
        self.ids.add(ev.article_id)
        self.count += 1
        self.sum_score += ev.score
        if ev.is_negative:
            self.negative += 1
            item = (ev.negative_prob, ev.article_id, ev.title, ev.url, ev.published_at, ev.score)
            if len(self.top) < top_n:
                heapq.heappush(self.top, item)
            elif item > self.top[0]:
                heapq.heapreplace(self.top, item)
        return True

    def to_state(self) -> list[Any]:
        return [self.count, self.negative, self.sum_score, sorted(self.ids), self.top]

    @classmethod
    def from_state(cls, s: list[Any]) -> _Acc:
        acc = cls(int(s[0]), int(s[1]), float(s[2]), set(s[3]), [tuple(t) for t in s[4]])
        heapq.heapify(acc.top)
        return acc


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


class WindowAggregator:
    """Aggregates keyed events into closed windows; ``add``/``advance`` return closed windows."""

    def __init__(
        self,
        specs: tuple[WindowSpec, ...],
        allowed_lateness_s: float = 600,
        top_evidence: int = 5,
        idle_ttl_s: float = 2 * 86400,
        advance_on_events: bool = True,
    ) -> None:
        self.specs = specs
        # False in the live keyed stage: there the watermark comes from the input partitions'
        # progress (min over partitions), never from one event of one partition.
        self.advance_on_events = advance_on_events
        self.allowed_lateness_s = allowed_lateness_s
        self.top_evidence = top_evidence
        self.idle_ttl_s = idle_ttl_s
        self.max_event_time = -math.inf
        self.late_events = 0
        self.duplicate_events = 0
        # spec name -> start (epoch s) of the next window to close
        self._next_start: dict[str, float | None] = {s.name: None for s in specs}
        # (spec, key_kind, key, start) -> accumulator
        self._open: dict[tuple[str, str, str, float], _Acc] = {}
        # (key_kind, key) -> (first, last) event time
        self._active: dict[tuple[str, str], tuple[float, float]] = {}

    @property
    def watermark(self) -> float:
        return self.max_event_time - self.allowed_lateness_s

    def add(self, ev: KeyedEvent) -> list[WindowAggregate]:
        """Add one event, then close every window the new watermark passes."""
        t = ev.published_at
        first, last = self._active.get((ev.key_kind, ev.key), (t, t))
        self._active[(ev.key_kind, ev.key)] = (min(first, t), max(last, t))
        late = False
        for spec in self.specs:
            first = math.floor(t / spec.step_s) * spec.step_s
            # None until the first window closes: before that no event can be late, whatever
            # order the input partitions interleave in.
            next_start = self._next_start[spec.name]
            for j in range(spec.size_s // spec.step_s):
                start = first - j * spec.step_s
                if next_start is not None and start < next_start:
                    late = True
                    continue
                acc = self._open.get((spec.name, ev.key_kind, ev.key, start))
                if acc is None:
                    acc = self._open[(spec.name, ev.key_kind, ev.key, start)] = _Acc()
                if not acc.add(ev, self.top_evidence):
                    self.duplicate_events += 1
        if late:
            self.late_events += 1
        return self.advance(t) if self.advance_on_events else []

    def advance(self, event_time: float) -> list[WindowAggregate]:
        """Move the watermark to ``event_time - allowed_lateness`` (never backwards)."""
        if event_time > self.max_event_time:
            self.max_event_time = event_time
        return self._close_until(self.watermark)

    def flush(self) -> list[WindowAggregate]:
        """Close every open window (end of input)."""
        if not self._open:
            return []
        last_end = max(start for (_, _, _, start) in self._open) + max(
            s.size_s for s in self.specs
        )
        return self._close_until(last_end)

    def _close_until(self, watermark: float) -> list[WindowAggregate]:
        closed: list[WindowAggregate] = []
        for spec in self.specs:
            next_start = self._next_start[spec.name]
            if next_start is None:
                pending = [st for (sn, _, _, st) in self._open if sn == spec.name]
                if not pending:
                    continue
                next_start = min(pending)
            while next_start + spec.size_s <= watermark:
                keys = {(kk, k) for (sn, kk, k, st) in self._open
                        if sn == spec.name and st == next_start}
                for kk_k, (first, last) in self._active.items():
                    if first <= next_start and last >= next_start - self.idle_ttl_s:
                        keys.add(kk_k)
                if not keys:
                    # Nothing to close here: jump to the next start that has something.
                    pending = [st for (sn, _, _, st) in self._open if sn == spec.name]
                    limit = math.floor((watermark - spec.size_s) / spec.step_s) * spec.step_s
                    target = min([*pending, limit + spec.step_s])
                    next_start = max(next_start + spec.step_s, target)
                    continue
                for key_kind, key in sorted(keys):
                    acc = self._open.pop((spec.name, key_kind, key, next_start), None) or _Acc()
                    closed.append(self._to_aggregate(spec, key_kind, key, next_start, acc))
                next_start += spec.step_s
            self._next_start[spec.name] = next_start
        self._prune_idle(watermark)
        return closed

    def _prune_idle(self, watermark: float) -> None:
        stale = [k for k, (_, last) in self._active.items()
                 if last < watermark - 2 * self.idle_ttl_s]
        for k in stale:
            del self._active[k]

    def _to_aggregate(
        self, spec: WindowSpec, key_kind: str, key: str, start: float, acc: _Acc
    ) -> WindowAggregate:
        top = sorted(acc.top, reverse=True)
        evidence = tuple(
            EvidenceArticle(aid, title, url, _dt(pub), score, pneg)
            for (pneg, aid, title, url, pub, score) in top
        )
        return WindowAggregate(
            key_kind=key_kind, key=key, window=spec.name, start=_dt(start),
            end=_dt(start + spec.size_s), count=acc.count, negative=acc.negative,
            sum_score=acc.sum_score, top_negative=evidence,
        )

    # --- persistence ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            "max_event_time": None if self.max_event_time == -math.inf else self.max_event_time,
            "late_events": self.late_events,
            "duplicate_events": self.duplicate_events,
            "next_start": self._next_start,
            "open": [[sn, kk, k, st, acc.to_state()] for (sn, kk, k, st), acc in self._open.items()],
            "active": [[kk, k, f, t] for (kk, k), (f, t) in self._active.items()],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        met = state.get("max_event_time")
        self.max_event_time = -math.inf if met is None else float(met)
        self.late_events = int(state.get("late_events", 0))
        self.duplicate_events = int(state.get("duplicate_events", 0))
        self._next_start = {s.name: state.get("next_start", {}).get(s.name) for s in self.specs}
        self._open = {(sn, kk, k, float(st)): _Acc.from_state(a)
                      for sn, kk, k, st, a in state.get("open", [])}
        self._active = {(kk, k): (float(f), float(t)) for kk, k, f, t in state.get("active", [])}


def window_label(agg: WindowAggregate) -> str:
    return f"{agg.key_kind}={agg.key} {agg.window}@{format_time(agg.start)}"


__all__ = ["KeyedEvent", "WindowAggregator", "window_label", "parse_time"]
