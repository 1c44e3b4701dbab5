from __future__ import annotations

import logging

import pytest
from aiokafka.partitioner import DefaultPartitioner

from newsrisk.core.windows import KeyedEvent
from newsrisk.streams.app import _keyed_batch


def _event(i: int) -> KeyedEvent:
    return KeyedEvent("topic", "Earnings", f"a{i}", f"title {i}", None, 1_600_000_000.0 + i,
                      -0.5, 0.7, True)


def test_a_batched_keyed_message_round_trips_and_skips_only_the_bad_event(
        caplog: pytest.LogCaptureFixture) -> None:
    items = [_event(0).to_dict(), {"k": "topic", "key": "Earnings"}, _event(1).to_dict(),
             {"k": "topic", "key": "Earnings", "id": "x", "t": "not a time", "s": 0, "pn": 0,
              "neg": False}]
    with caplog.at_level(logging.ERROR, logger="newsrisk.worker"):
        out = _keyed_batch(items, partition=3)
    assert out == [_event(0), _event(1)]  # order kept, the two malformed ones dropped alone
    assert sum("bad keyed event skipped" in r.getMessage() for r in caplog.records) == 2


def test_keyed_partitions_are_kafkas_default_partitioner() -> None:
    """Batching picks the partition itself; it must be the one a keyed send picked before, so a
    key's window state stays on its partition across the upgrade."""
    from newsrisk.streams.app import NewsriskWorker

    class _Stub:
        _partitioner = DefaultPartitioner()
        _keyed_parts = list(range(8))

    parts = list(range(8))
    for key in (b"topic:Earnings", b"entity:AAPL", b"entity:WMT", b"topic:Macro | Economic"):
        got = NewsriskWorker._keyed_partition(_Stub(), key)  # type: ignore[arg-type]
        assert got == DefaultPartitioner()(key, parts, parts)
    spread = {NewsriskWorker._keyed_partition(_Stub(), f"entity:T{i}".encode())  # type: ignore[arg-type]
              for i in range(64)}
    assert len(spread) == 8  # keys spread over every partition
