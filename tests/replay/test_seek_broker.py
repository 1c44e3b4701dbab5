"""Seek by record timestamp against the real embedded broker (Tansu)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

pytestmark = pytest.mark.integration

T0 = 1_600_000_000_000  # ms
STEP = 1000
BATCHES = 4
PER_BATCH = 10


@pytest.fixture(scope="module")
def topic(broker: object) -> str:
    from kafka import KafkaProducer
    from kafka.admin import KafkaAdminClient, NewTopic

    name = "replay.seek"
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)  # type: ignore[attr-defined]
    admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])
    admin.close()
    prod = KafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=50)  # type: ignore[attr-defined]
    for b in range(BATCHES):  # each flush stores one batch
        for i in range(PER_BATCH):
            n = b * PER_BATCH + i
            t = datetime.fromtimestamp((T0 + n * STEP) / 1000, tz=UTC).isoformat()
            value = json.dumps({"id": str(n), "source": "t", "published_at": t, "text": f"x {n}",
                                "title": ""}).encode()
            prod.send(name, value=value, partition=0, timestamp_ms=T0 + n * STEP)
        prod.flush()
    prod.close()
    return name


def _consumer(broker: object):  # noqa: ANN202
    from kafka import KafkaConsumer

    return KafkaConsumer(bootstrap_servers=broker.bootstrap,  # type: ignore[attr-defined]
                         enable_auto_commit=False, fetch_max_wait_ms=100)


def test_offset_for_time_by_record_timestamp(broker: object, topic: str) -> None:
    from kafka import TopicPartition

    from newsrisk.replay.seek import end_offset, offset_for_time

    c = _consumer(broker)
    tp = TopicPartition(topic, 0)
    c.assign([tp])
    n = BATCHES * PER_BATCH
    assert end_offset(c, tp) == n  # the broker's own end_offsets says less on Tansu
    assert offset_for_time(c, tp, T0 - 10_000) == 0  # before the first record
    assert offset_for_time(c, tp, T0 + 15 * STEP) == 15  # middle of the second batch
    assert offset_for_time(c, tp, T0 + 15 * STEP - 1) == 15  # between two records
    assert offset_for_time(c, tp, T0 + 27 * STEP + 1) == 28
    assert offset_for_time(c, tp, T0 + (n - 1) * STEP) == n - 1  # the last record
    assert offset_for_time(c, tp, T0 + n * STEP * 100) is None  # future: end, not 0
    c.close()


def test_read_topic_from_time_and_offsets(broker: object, topic: str) -> None:
    from newsrisk.replay.source import plan, read_topic

    c = _consumer(broker)
    ranges = plan(c, topic, from_time=datetime.fromtimestamp((T0 + 25 * STEP) / 1000, tz=UTC))
    assert [(r.start, r.end) for r in ranges] == [(25, 40)]
    got = [i.offset for i in read_topic(c, topic, ranges)]
    assert got == list(range(25, 40))
    ranges = plan(c, topic, from_offset=3, to_offset=7)
    assert [i.offset for i in read_topic(c, topic, ranges)] == [3, 4, 5, 6]
    future = plan(c, topic, from_time=datetime(2100, 1, 1, tzinfo=UTC))
    assert [r.size for r in future] == [0]
    c.close()
