"""A worker killed with SIGKILL mid-stream and replaced gives the same windows and alerts as the
in-process pipeline (the backtest path) over the same input: live == backtest, and state comes
back correctly on the embedded broker (whose end-offset report is wrong)."""

from __future__ import annotations

import gzip
import json
import time
from itertools import islice

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from newsrisk.config import Settings
from newsrisk.core.pipeline import Pipeline
from newsrisk.ingest.producer import produce
from newsrisk.ingest.sources import bundled_sample
from newsrisk.storage.models import AlertRow, WindowRow
from newsrisk.storage.store import Store
from newsrisk.streams.broker import free_port, start_broker
from newsrisk.streams.process import WorkerProcess

pytestmark = pytest.mark.integration
N = 700


def wait_for(cond, timeout_s: float, what: str, worker: WorkerProcess) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{worker.log_tail()}"
        time.sleep(0.5)


def stable_windows(store: Store, worker: WorkerProcess, quiet_s: float = 12.0) -> None:
    last, since = -1, time.monotonic()
    deadline = time.monotonic() + 60
    while time.monotonic() - since < quiet_s:
        assert time.monotonic() < deadline, worker.log_tail()
        n = store.counts()["windows"]
        if n != last:
            last, since = n, time.monotonic()
        time.sleep(0.5)


def test_kill_restart_matches_backtest(tmp_path, classifier, resolver):
    with gzip.open(bundled_sample(), "rt") as fh:
        records = [json.loads(line) for line in islice(fh, N)]
    broker = start_broker(log_path=tmp_path / "broker.log")
    settings = Settings(broker=broker.url, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        metrics_port=free_port(), web_port=free_port(), partitions=2, max_batch=32)
    store = Store(settings.database_url)
    offline = Pipeline(settings, classifier=classifier, resolver=resolver)
    expected_results = offline.run(records)
    n_scored = offline.summary.articles_scored
    workers: list[WorkerProcess] = []
    try:
        a = WorkerProcess(settings, tmp_path / "worker-a.log").start()
        workers.append(a)
        a.wait_metrics(180)
        produce(records[: N // 2], settings.topic_raw, {"bootstrap_servers": [broker.bootstrap]})
        wait_for(lambda: store.counts()["articles"] >= 250, 240, "first articles", a)
        a.kill()  # SIGKILL mid-stream: un-acked batches and un-checkpointed state are lost
        b = WorkerProcess(settings, tmp_path / "worker-b.log").start()
        workers.append(b)
        b.wait_metrics(180)
        produce(records[N // 2:], settings.topic_raw, {"bootstrap_servers": [broker.bootstrap]})
        wait_for(lambda: store.counts()["articles"] >= n_scored, 300, "all articles", b)
        stable_windows(store, b)
    finally:
        for w in workers:
            w.stop()
        broker.stop()

    assert store.counts()["articles"] == n_scored  # every article exactly once
    expected_windows = {
        w.window.uid: (w.window.count, w.window.negative)
        for r in expected_results for w in r.windows
        if w.window.count or w.detection.severity
    }
    expected_alerts = sorted(a.id for r in expected_results for a in r.alerts)
    with Session(store.engine) as s:
        live_windows = {r.uid: (r.count, r.negative) for r in s.scalars(select(WindowRow))}
        live_alerts = sorted(r.id for r in s.scalars(select(AlertRow)))
    assert live_windows == expected_windows
    assert live_alerts == expected_alerts
