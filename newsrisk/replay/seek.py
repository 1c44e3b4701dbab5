"""Find offsets in a partition by *record* timestamp (binary search), not by ``offsets_for_times``.

Some brokers answer ``offsets_for_times`` at stored-batch granularity (the embedded Tansu broker
returns a batch's first offset for a time inside it, and offset 0 for a future time), so the
first record at or after a time is found by binary search over offsets, reading one record per
step. It assumes record times do not decrease along a partition (LogAppendTime, or CreateTime
from one producer in time order); with disorder it returns *a* boundary, never an offset outside
the partition.
"""

from __future__ import annotations

import time
from typing import Any

from kafka import KafkaConsumer, TopicPartition


def end_offset(consumer: KafkaConsumer, tp: TopicPartition, quiet_polls: int = 2) -> int:
    """The offset after the last record of ``tp``, checked by reading.

    The embedded broker answers ``end_offsets`` with the last stored batch's base offset + 1, so
    the answer is only a lower bound: read on from just before it until nothing more comes.
    """
    begin = consumer.beginning_offsets([tp])[tp]
    end = consumer.end_offsets([tp])[tp]
    if end <= begin:
        return end
    consumer.seek(tp, end - 1)
    empty = 0
    while empty < quiet_polls:
        batch = consumer.poll(timeout_ms=200)
        recs = batch.get(tp, [])
        if recs:
            end = max(end, recs[-1].offset + 1)
            empty = 0
        else:
            empty += 1
    return max(end, consumer.position(tp))


def record_at(consumer: KafkaConsumer, tp: TopicPartition, offset: int, end: int,
              timeout_s: float = 10.0) -> Any | None:
    """The first record of ``tp`` at or after ``offset`` (None when there is none before end)."""
    if offset >= end:
        return None
    consumer.seek(tp, offset)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        batch = consumer.poll(timeout_ms=200, max_records=50)
        for rec in batch.get(tp, []):
            if rec.offset >= offset:
                return rec
        if consumer.position(tp) >= end:
            return None
    raise TimeoutError(f"no record of {tp.topic}[{tp.partition}] at offset {offset} "
                       f"within {timeout_s:.0f}s")


def offset_for_time(consumer: KafkaConsumer, tp: TopicPartition, ts_ms: int) -> int | None:
    """The first offset of ``tp`` whose record timestamp is >= ``ts_ms``; None = none (end).

    ``consumer`` must have ``tp`` assigned. Costs about log2(records) fetches.
    """
    lo = consumer.beginning_offsets([tp])[tp]
    end = end_offset(consumer, tp)
    hi = end  # the answer is in [lo, hi]; hi == end means "no such record"
    while lo < hi:
        mid = (lo + hi) // 2
        rec = record_at(consumer, tp, mid, end)
        if rec is None or rec.timestamp >= ts_ms:
            hi = mid
        else:
            lo = rec.offset + 1
    return None if lo >= end else lo


class TopicNotFound(LookupError):
    pass


def partitions_of(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    parts = consumer.partitions_for_topic(topic)
    if not parts:
        raise TopicNotFound(f"topic {topic!r} does not exist or has no partitions")
    return [TopicPartition(topic, p) for p in sorted(parts)]
