"""Chaos scenarios on real parts: workers killed or restarted, broker paused, database stopped.

Each scenario feeds the same slice of the bundled sample through the embedded broker into real
``newsrisk worker`` processes, injects its fault mid-stream, waits for the survivors to finish
and compares the database with the in-process pipeline (the backtest path) over the same input:

- ``lost``: articles the pipeline scored that are not in the database;
- ``extra_articles``: articles in the database that the pipeline de-duplicated;
- ``duplicated_rows``: article rows beyond one per article (the schema forbids them; counted by id);
- ``windows_equal`` / ``alerts_equal``: stored windows and alerts equal the pipeline's;
- ``crashed``: a worker that was not killed on purpose exited.

Usage: python benchmarks/chaos.py [--json FILE] [--records 600] [--scenarios a,b]
       [--postgres URL]  (enables the database-outage scenario: stops the local PostgreSQL
       cluster for 60 s with pg_ctlcluster; run it on a machine where that is acceptable)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsrisk.config import Settings
from newsrisk.core.pipeline import Pipeline
from newsrisk.ingest.producer import produce
from newsrisk.ingest.sources import bundled_sample
from newsrisk.storage.models import AlertRow, ArticleRow, WindowRow
from newsrisk.storage.store import Store
from newsrisk.streams.broker import EmbeddedBroker, free_port, start_broker
from newsrisk.streams.process import WorkerProcess


def load(n: int) -> list[dict[str, Any]]:
    with gzip.open(bundled_sample(), "rt") as fh:
        return [json.loads(line) for line in islice(fh, n)]


def wait_for(cond: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if cond():
                return True
        except Exception:  # noqa: BLE001 - e.g. database down: keep waiting
            pass
        time.sleep(0.5)
    return False


def expected(records: list[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    p = Pipeline(settings, explain=False)
    results = p.run(records)
    return {
        "articles": p.summary.articles_scored,
        "windows": {w.window.uid: (w.window.count, w.window.negative) for r in results
                    for w in r.windows if w.window.count or w.detection.severity},
        "alerts": sorted(a.id for r in results for a in r.alerts),
    }


def observed(store: Store) -> dict[str, Any]:
    with Session(store.engine) as s:
        rows = s.scalar(select(func.count()).select_from(ArticleRow)) or 0
        unique = s.scalar(select(func.count(func.distinct(ArticleRow.article_id)))) or 0
        windows = {r.uid: (r.count, r.negative) for r in s.scalars(select(WindowRow))}
        alerts = sorted(r.id for r in s.scalars(select(AlertRow)))
    return {"rows": rows, "unique": unique, "windows": windows, "alerts": alerts}


def settle(store: Store, quiet_s: float = 12.0, timeout_s: float = 120.0) -> None:
    last, since, deadline = None, time.monotonic(), time.monotonic() + timeout_s
    while time.monotonic() - since < quiet_s and time.monotonic() < deadline:
        try:
            now = store.counts()
        except Exception:  # noqa: BLE001
            now = None
        if now != last:
            last, since = now, time.monotonic()
        time.sleep(0.5)


class Run:
    def __init__(self, name: str, records: list[dict[str, Any]], db_url: str | None,
                 workdir: Path) -> None:
        self.name = name
        self.records = records
        self.workdir = workdir / name
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.broker: EmbeddedBroker = start_broker(log_path=self.workdir / "broker.log")
        url = db_url or f"sqlite:///{self.workdir / 'db.sqlite'}"
        self.settings = Settings(broker=self.broker.url, database_url=url, partitions=4,
                                 max_batch=32, app_id=f"chaos-{name}-{os.getpid()}")
        self.store = Store(url)
        self.workers: list[WorkerProcess] = []
        self.killed: set[int] = set()

    def worker(self) -> WorkerProcess:
        s = self.settings.with_overrides(metrics_port=free_port(), web_port=free_port())
        w = WorkerProcess(s, self.workdir / f"worker-{len(self.workers)}.log").start()
        self.workers.append(w)
        w.wait_metrics(240)
        return w

    def produce(self, records: list[dict[str, Any]]) -> None:
        produce(records, self.settings.topic_raw, {"bootstrap_servers": [self.broker.bootstrap]})

    def articles(self) -> int:
        return self.store.counts()["articles"]

    def kill(self, w: WorkerProcess) -> None:
        self.killed.add(id(w))
        w.kill()

    def close(self) -> bool:
        crashed = any(w.proc is not None and w.proc.poll() not in (None, 0, -15)
                      and id(w) not in self.killed for w in self.workers)
        for w in self.workers:
            w.stop()
        self.broker.stop()
        return crashed


def scenario_kill_one_of_two(run: Run) -> None:
    a, _b = run.worker(), run.worker()
    run.produce(run.records)
    wait_for(lambda: run.articles() >= len(run.records) // 3, 300)
    run.kill(a)


def scenario_restart(run: Run, hard: bool) -> None:
    a = run.worker()
    half = len(run.records) // 2
    run.produce(run.records[:half])
    wait_for(lambda: run.articles() >= half // 2, 300)
    if hard:
        run.kill(a)
    else:
        a.stop()
    run.worker()
    run.produce(run.records[half:])


def scenario_broker_pause(run: Run) -> None:
    run.worker()
    half = len(run.records) // 2
    run.produce(run.records[:half])
    wait_for(lambda: run.articles() >= half // 3, 300)
    os.kill(run.broker.process.pid, signal.SIGSTOP)  # unavailable, data kept (memory storage)
    done = threading.Event()

    def producer() -> None:  # ingest retries with backoff while the broker is away
        run.produce(run.records[half:])
        done.set()

    t = threading.Thread(target=producer, daemon=True)
    t.start()
    time.sleep(30)
    os.kill(run.broker.process.pid, signal.SIGCONT)
    t.join(300)


def scenario_db_outage(run: Run) -> None:
    run.worker()
    half = len(run.records) // 2
    run.produce(run.records[:half])
    wait_for(lambda: run.articles() >= half // 3, 300)
    cluster = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "stop"],
                   check=True)
    run.produce(run.records[half:])
    time.sleep(60)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start"],
                   check=True)


SCENARIOS: dict[str, Callable[[Run], None]] = {
    "kill_one_of_two": scenario_kill_one_of_two,
    "restart_graceful": lambda r: scenario_restart(r, hard=False),
    "restart_kill9": lambda r: scenario_restart(r, hard=True),
    "broker_pause_30s": scenario_broker_pause,
    "db_outage_60s": scenario_db_outage,
}


def run_scenario(name: str, records: list[dict[str, Any]], want: dict[str, Any],
                 db_url: str | None, workdir: Path) -> dict[str, Any]:
    t0 = time.monotonic()
    run = Run(name, records, db_url, workdir)
    crashed = True
    try:
        SCENARIOS[name](run)
        wait_for(lambda: run.articles() >= want["articles"], 600)
        settle(run.store)
    finally:
        crashed = run.close()
    got = observed(run.store)
    return {
        "lost": max(0, want["articles"] - got["unique"]),
        "extra_articles": max(0, got["unique"] - want["articles"]),  # accepted duplicates
        "duplicated_rows": got["rows"] - got["unique"],
        "windows_equal": got["windows"] == want["windows"],
        "alerts_equal": got["alerts"] == want["alerts"],
        "crashed": crashed,
        "windows_diff": len(set(got["windows"].items()) ^ set(want["windows"].items())),
        "seconds": round(time.monotonic() - t0, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--json")
    ap.add_argument("--records", type=int, default=600)
    ap.add_argument("--scenarios", default="kill_one_of_two,restart_graceful,restart_kill9,"
                    "broker_pause_30s")
    ap.add_argument("--postgres", help="PostgreSQL URL; adds db_outage_60s")
    args = ap.parse_args()
    records = load(args.records)
    names = [n for n in args.scenarios.split(",") if n]
    if args.postgres and "db_outage_60s" not in names:
        names.append("db_outage_60s")
    workdir = Path(tempfile.mkdtemp(prefix="newsrisk-chaos-"))
    want = expected(records, Settings())
    results = {}
    for name in names:
        db = args.postgres if name == "db_outage_60s" else None
        print(f"... {name}", flush=True)
        results[name] = run_scenario(name, records, want, db, workdir)
        print(f"    {results[name]}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    ok = all(r["lost"] == 0 and r["extra_articles"] == 0 and r["duplicated_rows"] == 0
             and r["alerts_equal"]
             and not r["crashed"] for r in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
