"""Replay sources: a topic between per-partition offsets (merged in record-time order) or an
archive file, as :class:`~newsrisk.core.scoring.Incoming` items for the pipeline or a producer."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from newsrisk.backtest.adapters import convert
from newsrisk.core.scoring import Incoming
from newsrisk.replay.seek import end_offset, offset_for_time, partitions_of


@dataclass(frozen=True, slots=True)
class Range:
    """Offsets ``[start, end)`` of one partition."""

    partition: int
    start: int
    end: int

    @property
    def size(self) -> int:
        return max(0, self.end - self.start)


def plan(consumer: KafkaConsumer, topic: str, from_time: datetime | None = None,
         from_offset: int | None = None, to_offset: int | None = None) -> list[Range]:
    """Per-partition ranges: from a time (record timestamps) or an offset, to an offset or the
    current end. Offsets are clamped to what the partition holds."""
    tps = partitions_of(consumer, topic)
    consumer.assign(tps)
    begins = consumer.beginning_offsets(tps)
    ends = {tp: end_offset(consumer, tp) for tp in tps}
    out = []
    for tp in tps:
        start = begins[tp] if from_offset is None else max(begins[tp], from_offset)
        if from_time is not None:
            found = offset_for_time(consumer, tp, int(from_time.timestamp() * 1000))
            start = max(start, ends[tp] if found is None else found)
        end = ends[tp] if to_offset is None else min(ends[tp], to_offset)
        out.append(Range(tp.partition, min(start, end), end))
    return out


def read_topic(consumer: KafkaConsumer, topic: str, ranges: Iterable[Range],
               idle_timeout_s: float = 30.0) -> Iterator[Incoming]:
    """Records in the ranges, merged across partitions by record timestamp (ties: partition)."""
    todo = {r.partition: r for r in ranges if r.size}
    tps = {p: TopicPartition(topic, p) for p in todo}
    consumer.assign(list(tps.values()))
    for p, r in todo.items():
        consumer.seek(tps[p], r.start)
    buffers: dict[int, deque[Any]] = {p: deque() for p in todo}
    done: set[int] = set()
    idle = 0.0
    while len(done) < len(todo):
        waiting = [p for p in todo if p not in done and not buffers[p]]
        if waiting:
            # fetch only for the partitions the merge waits on: the others keep what they hold,
            # so a partition far ahead in time does not fill memory while another catches up
            consumer.pause(*(tps[p] for p in todo if p not in waiting))
            consumer.resume(*(tps[p] for p in waiting))
            batch = consumer.poll(timeout_ms=500)
            got = False
            for tp, recs in batch.items():
                r = todo.get(tp.partition)
                for rec in recs:
                    if r is not None and r.start <= rec.offset < r.end:
                        buffers[tp.partition].append(rec)
                        got = True
            for p in waiting:
                if not buffers[p] and consumer.position(tps[p]) >= todo[p].end:
                    done.add(p)
            idle = 0.0 if got else idle + 0.5
            if idle > idle_timeout_s:
                raise TimeoutError(f"no records from {topic} for {idle_timeout_s:.0f}s")
            if any(not buffers[p] for p in todo if p not in done):
                continue
        live = [p for p in todo if buffers[p]]
        if not live:
            continue
        p = min(live, key=lambda q: (buffers[q][0].timestamp, q))
        rec = buffers[p].popleft()
        if rec.offset + 1 >= todo[p].end and not buffers[p]:
            done.add(p)
        yield Incoming(rec.value, datetime.fromtimestamp(rec.timestamp / 1000, tz=UTC),
                       topic, p, rec.offset)


def read_archive(spec: str, from_time: datetime | None = None,
                 to_time: datetime | None = None) -> Iterator[Incoming]:
    """An archive's records (stocknet lines converted to schema v1) as incoming items.

    A missing file raises FileNotFoundError here, not on the first ``next()``.
    """
    from newsrisk.ingest.sources import read_source

    payloads = read_source(spec)
    return (Incoming(p) for p in convert(payloads, from_time, to_time))
