"""The live path on real parts: embedded broker, a worker process, SQLite, /metrics."""

from __future__ import annotations

import gzip
import json
import time
from itertools import islice

import pytest
from kafka import KafkaConsumer

from newsrisk.config import Settings
from newsrisk.ingest.producer import produce
from newsrisk.ingest.sources import bundled_sample
from newsrisk.storage.store import Store
from newsrisk.streams.broker import free_port, start_broker
from newsrisk.streams.process import WorkerProcess

pytestmark = pytest.mark.integration
N_GOOD = 150


def read_topic(bootstrap: str, topic: str, expected: int, timeout_s: float = 30) -> list[dict]:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=2000)
    out: list[dict] = []
    deadline = time.monotonic() + timeout_s
    while len(out) < expected and time.monotonic() < deadline:
        for msg in consumer:
            out.append(json.loads(msg.value))
    consumer.close()
    return out


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    broker = start_broker(log_path=tmp / "broker.log")
    settings = Settings(broker=broker.url, database_url=f"sqlite:///{tmp / 'db.sqlite'}",
                        metrics_port=free_port(), web_port=free_port(), partitions=2, max_batch=32)
    worker = WorkerProcess(settings, tmp / "worker.log").start()
    try:
        worker.wait_metrics(180)
        yield broker, settings, worker
    finally:
        worker.stop()
        broker.stop()


def test_live_path_scores_deadletters_and_stores(live):
    broker, settings, worker = live
    with gzip.open(bundled_sample(), "rt") as fh:
        good = [json.loads(line) for line in islice(fh, N_GOOD)]
    dup = dict(good[0])
    bad = [b"{not json", json.dumps({"id": "x", "source": "s"}).encode(),
           json.dumps({**good[1], "id": "future", "published_at": "2999-01-01T00:00:00Z"}).encode(),
           b"\xff\xfe\x00garbage"]
    payloads = good + [dup] + bad
    rep = produce(payloads, settings.topic_raw, {"bootstrap_servers": [broker.bootstrap]})
    assert rep.sent == len(payloads) and rep.failed == 0

    deadline = time.monotonic() + 240
    while worker.processed() < len(payloads):
        assert time.monotonic() < deadline, worker.log_tail()
        time.sleep(0.5)

    metrics = worker.metrics()
    n_scored = int(metrics["newsrisk_articles_scored_total"])
    n_dup = int(metrics["newsrisk_articles_duplicate_total"])
    assert metrics["newsrisk_articles_received_total"] == len(payloads)
    assert int(metrics["newsrisk_articles_deadlettered_total"]) == len(bad)
    assert n_dup >= 1 and n_scored + n_dup == len(good) + 1
    assert metrics["newsrisk_classifier_inference_duration_seconds_count"] >= 1
    assert metrics["newsrisk_model_info"] == 1

    scored = read_topic(broker.bootstrap, settings.topic_scored, n_scored)
    assert len({s["id"] for s in scored}) == n_scored
    s0 = scored[0]
    assert set(s0["sentiment"]["probs"]) == {"negative", "neutral", "positive"}
    assert s0["model"]["name"] and s0["topics"] and "scored_at" in s0

    dead = read_topic(broker.bootstrap, settings.topic_deadletter, len(bad))
    assert sorted(d["reason"] for d in dead) == sorted(
        ["malformed_json", "missing_field", "future_timestamp", "bad_encoding"])
    assert all(d["detail"] for d in dead)

    store = Store(settings.database_url)
    counts = store.counts()
    assert counts["articles"] == n_scored
    assert counts["deadletters"] == len(bad)
    # The aggregation stage closed windows (the sample spans days) and stored them.
    deadline = time.monotonic() + 30
    while store.counts()["windows"] == 0:
        assert time.monotonic() < deadline, worker.log_tail()
        time.sleep(0.5)
    assert worker.metrics().get("newsrisk_windows_closed_total", 0) > 0
