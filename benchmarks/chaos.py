"""Chaos scenarios on real parts: workers killed or restarted, broker paused, database stopped.

Each scenario feeds the same slice of the bundled sample through the embedded broker into real
``newsrisk worker`` processes, injects its fault mid-stream, waits for the survivors to finish
and compares the database with the in-process pipeline (the backtest path) over the same input:

- ``lost``: articles the pipeline scored that are not in the database;
- ``extra_articles``: articles in the database that the pipeline de-duplicated;
- ``duplicated_rows``: article rows beyond one per article (the schema forbids them; counted by id);
- ``windows_equal`` / ``alerts_equal``: stored windows and alerts equal the pipeline's;
- ``crashed``: a worker that was not killed on purpose exited.

The database-outage scenario also reports the worker's resident memory before and during the
outage (``rss_before_mib``/``rss_peak_outage_mib``): a worker blocked on the database should stop
consuming (backpressure), not buffer the input without bound.

Usage: python benchmarks/chaos.py [--json FILE] [--records 600] [--scenarios a,b]
       [--postgres URL]  (enables the database-outage scenario: stops the local PostgreSQL
       server behind URL for 60 s, with pg_ctlcluster when it is a Debian cluster, else with
       pg_ctl on its data directory, and always starts it again; run it on a machine where that
       is acceptable. The scenario works in a scratch database created next to URL's and
       dropped afterwards.)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import pwd
import shutil
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

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from newsrisk.config import Settings
from newsrisk.core.pipeline import Pipeline
from newsrisk.ingest.producer import produce
from newsrisk.ingest.sources import bundled_sample
from newsrisk.storage.models import AlertRow, ArticleRow, WindowRow
from newsrisk.storage.store import Store
from newsrisk.streams.broker import EmbeddedBroker, free_port, start_broker
from newsrisk.streams.process import WorkerProcess


def load(n: int | None = None) -> list[dict[str, Any]]:
    """The first ``n`` records of the bundled sample (all of them by default)."""
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


class Postgres:
    """The local PostgreSQL server behind a URL: stop it, start it again, make sure it is up.

    A Debian cluster (``pg_lsclusters`` lists its data directory) is driven with
    ``pg_ctlcluster``; any other server with ``pg_ctl`` on its data directory, as the directory's
    owner, started with the same configuration file.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                self.data_dir = conn.execute(text("SHOW data_directory")).scalar_one()
                self.config_file = conn.execute(text("SHOW config_file")).scalar_one()
        finally:
            engine.dispose()
        self.cluster = self._debian_cluster()

    def _debian_cluster(self) -> tuple[str, str] | None:
        if not (shutil.which("pg_lsclusters") and shutil.which("pg_ctlcluster")):
            return None
        out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True,
                             check=False).stdout
        for line in out.splitlines():
            cols = line.split()
            if len(cols) >= 6 and os.path.realpath(cols[5]) == os.path.realpath(self.data_dir):
                return cols[0], cols[1]
        return None

    def _pg_ctl(self, *args: str) -> list[str]:
        cmd = [shutil.which("pg_ctl") or "pg_ctl", "-D", self.data_dir, "-w", *args]
        owner = pwd.getpwuid(os.stat(self.data_dir).st_uid).pw_name
        if os.geteuid() == 0 and owner != "root":
            cmd = ["runuser", "-u", owner, "--", *cmd]
        return cmd

    def up(self) -> bool:
        engine = create_engine(self.url, connect_args={"connect_timeout": 2})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - down or starting
            return False
        finally:
            engine.dispose()

    def stop(self) -> None:
        if self.cluster:
            cmd = ["pg_ctlcluster", "--skip-systemctl-redirect", "--mode", "fast", *self.cluster, "stop"]
        else:
            cmd = self._pg_ctl("-m", "fast", "stop")
        subprocess.run(cmd, check=True)

    def start(self) -> None:
        if self.cluster:
            cmd = ["pg_ctlcluster", "--skip-systemctl-redirect", *self.cluster, "start"]
        else:
            log = Path(self.data_dir) / "newsrisk-chaos-postgres.log"  # the owner may write here
            cmd = self._pg_ctl("-l", str(log), "-o", f"-c config_file={self.config_file}", "start")
        subprocess.run(cmd, check=True)
        if not wait_for(self.up, 60):
            raise RuntimeError(f"PostgreSQL at {self.data_dir} did not come back")

    def ensure_up(self) -> None:
        if not self.up():
            self.start()

    def scratch(self, name: str) -> str:
        """Create a fresh database next to the URL's (a fresh store per run); returns its URL."""
        self._admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, *statements: str) -> None:
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for sql in statements:
                    conn.execute(text(sql))
        finally:
            engine.dispose()


class Run:
    def __init__(self, name: str, records: list[dict[str, Any]], db_url: str | None,
                 workdir: Path, postgres: Postgres | None = None) -> None:
        self.name = name
        self.postgres = postgres
        self.extra: dict[str, Any] = {}  # scenario-specific figures for the result
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


class PeakRss:
    """Samples a worker's resident memory in a thread; ``peak`` is the largest sample (bytes)."""

    def __init__(self, worker: WorkerProcess, every_s: float = 0.5) -> None:
        self.worker, self.every_s, self.peak = worker, every_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.worker.rss_bytes() or 0)
            self._stop.wait(self.every_s)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def mib(n: float | None) -> float | None:
    return None if n is None else round(n / 2**20, 1)


def scenario_db_outage(run: Run, outage_s: float = 60.0) -> None:
    if run.postgres is None:
        raise RuntimeError("db_outage_60s needs --postgres URL")
    w = run.worker()
    half = len(run.records) // 2
    run.produce(run.records[:half])
    wait_for(lambda: run.articles() >= half // 3, 300)
    run.extra["rss_before_mib"] = mib(w.rss_bytes())
    received = int(w.metrics().get("newsrisk_articles_received_total", 0))
    with PeakRss(w) as rss:
        run.postgres.stop()
        try:
            t0 = time.monotonic()
            run.produce(run.records[half:])
            time.sleep(max(0.0, outage_s - (time.monotonic() - t0)))
        finally:
            run.postgres.start()
        run.extra["outage_s"] = round(time.monotonic() - t0, 1)
        # Backpressure: with its writes blocked, the worker stops taking input from the broker.
        run.extra["produced_during_outage"] = len(run.records) - half
        run.extra["received_during_outage"] = int(
            w.metrics().get("newsrisk_articles_received_total", 0)) - received
    run.extra["rss_peak_outage_mib"] = mib(rss.peak)


SCENARIOS: dict[str, Callable[[Run], None]] = {
    "kill_one_of_two": scenario_kill_one_of_two,
    "restart_graceful": lambda r: scenario_restart(r, hard=False),
    "restart_kill9": lambda r: scenario_restart(r, hard=True),
    "broker_pause_30s": scenario_broker_pause,
    "db_outage_60s": scenario_db_outage,
}


def run_scenario(name: str, records: list[dict[str, Any]], want: dict[str, Any],
                 db_url: str | None, workdir: Path,
                 postgres: Postgres | None = None) -> dict[str, Any]:
    t0 = time.monotonic()
    run = Run(name, records, db_url, workdir, postgres)
    crashed = True
    try:
        SCENARIOS[name](run)
        wait_for(lambda: run.articles() >= want["articles"], 600)
        settle(run.store)
    finally:
        crashed = run.close()
        if postgres is not None:
            postgres.ensure_up()
    got = observed(run.store)
    run.store.dispose()
    return {
        "lost": max(0, want["articles"] - got["unique"]),
        "extra_articles": max(0, got["unique"] - want["articles"]),  # accepted duplicates
        "duplicated_rows": got["rows"] - got["unique"],
        "windows_equal": got["windows"] == want["windows"],
        "alerts_equal": got["alerts"] == want["alerts"],
        "crashed": crashed,
        "windows_diff": len(set(got["windows"].items()) ^ set(want["windows"].items())),
        "seconds": round(time.monotonic() - t0, 1),
        **run.extra,
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
        print(f"... {name}", flush=True)
        if name == "db_outage_60s":
            if not args.postgres:
                ap.error("db_outage_60s needs --postgres URL")
            pg = Postgres(args.postgres)
            scratch = f"newsrisk_chaos_{os.getpid()}"
            try:
                results[name] = run_scenario(name, records, want, pg.scratch(scratch), workdir, pg)
            finally:
                pg.ensure_up()  # whatever happened, the server runs again
                pg.drop(scratch)
        else:
            results[name] = run_scenario(name, records, want, None, workdir)
        print(f"    {results[name]}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    ok = all(r["lost"] == 0 and r["extra_articles"] == 0 and r["duplicated_rows"] == 0
             and r["alerts_equal"]
             and not r["crashed"] for r in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
