"""Soak: the real pipeline at a steady rate for a long time; memory, latency and lag over time.

One embedded broker, one ``newsrisk worker`` process and a store (SQLite in the work directory,
or a scratch PostgreSQL database next to ``--postgres URL``). Articles are made from the bundled
sample with fresh ids, texts and timestamps (``published_at`` = now), so none is de-duplicated and
event time follows wall time, as in production.

1. Unless ``--rate`` is given, the worker's maximum sustained throughput is measured first: the
   input is kept ``BACKLOG`` records ahead of the worker for ``--probe`` seconds (default 60) and
   the articles it finishes in that time are counted; the backlog is then drained.
2. Articles are produced at ``--rate`` (default: half the measured maximum) for ``--minutes``.
   Every ``--interval`` seconds one sample is taken: worker and broker RSS, articles produced /
   scored / de-duplicated / dead-lettered so far, backlog (produced - finished, exact) and the
   worker's lag gauge, database write errors, and the p50/p99 ingested-to-scored latency over
   the interval (``histogram_quantile`` over the increase of ``newsrisk_article_latency_seconds``
   between two scrapes, so the figures are bucket-interpolated, as Prometheus would show them).
   Counts are cumulative since the worker started (the probe's articles included).
3. The feed stops, the worker drains, and the summary is computed: RSS first/last/max and its
   slope (MiB/h, least squares over the samples), p99 of the first vs the last interval, and
   ``lost`` = produced - scored - de-duplicated - dead-lettered (0 when nothing went missing).

Usage: python benchmarks/soak.py [--minutes 30] [--rate R] [--interval 60] [--json FILE]
       [--postgres URL] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import cycle
from pathlib import Path
from typing import Any

from chaos import Postgres, load, mib, wait_for

from newsrisk.config import Settings
from newsrisk.ingest.producer import produce
from newsrisk.storage.store import Store
from newsrisk.streams.broker import EmbeddedBroker, free_port, start_broker
from newsrisk.streams.process import WorkerProcess, bucket_quantile, rss_bytes, scrape_histogram

LATENCY = "newsrisk_article_latency_seconds"
SPAN = "ingested_to_scored"
BACKLOG = 2000  # records kept ahead of the worker while its maximum throughput is probed


class Feed:
    """Fresh articles from the bundled sample, produced by a background thread.

    ``rate`` None: closed loop, keeps the input ``BACKLOG`` records ahead of the worker.
    """

    def __init__(self, settings: Settings, bootstrap: str, worker: WorkerProcess,
                 rate: float | None, start: int = 0) -> None:
        self.base = load()
        self.settings, self.bootstrap, self.worker, self.rate = settings, bootstrap, worker, rate
        self.produced = start
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _records(self) -> Iterator[dict[str, Any]]:
        t0, n0 = time.monotonic(), self.produced
        for rec in cycle(self.base):
            if self._stop.is_set():
                return
            if self.rate is not None:
                delay = t0 + (self.produced - n0) / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            elif self.produced % 100 == 0:
                while not self._stop.is_set() and self.produced - self.worker.processed() > BACKLOG:
                    time.sleep(0.2)
            i = self.produced
            now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            self.produced += 1
            # unique id and text (the suffix survives normalisation): nothing is de-duplicated
            yield {**rec, "id": f"soak-{i}", "text": f"{rec['text']} #{i}", "published_at": now,
                   "fetched_at": now}

    def _run(self) -> None:
        try:
            produce(self._records(), self.settings.topic_raw,
                    {"bootstrap_servers": [self.bootstrap]})
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.error = exc

    def start(self) -> Feed:
        self._thread.start()
        return self

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(120)
        if self.error is not None:
            raise RuntimeError(f"the feed failed: {self.error}") from self.error
        return self.produced


def probe_throughput(settings: Settings, broker: EmbeddedBroker, worker: WorkerProcess,
                     seconds: float, warmup_s: float = 10.0) -> tuple[float, int]:
    """Articles/s the worker finishes with input always waiting; returns (rate, produced)."""
    feed = Feed(settings, broker.bootstrap, worker, rate=None).start()
    try:
        wait_for(lambda: worker.processed() > 0, 300)
        time.sleep(warmup_s)
        t0, n0 = time.monotonic(), worker.processed()
        time.sleep(seconds)
        rate = (worker.processed() - n0) / (time.monotonic() - t0)
    finally:
        produced = feed.stop()
    return rate, produced


class Sampler:
    """One row per interval from the worker's /metrics and /proc."""

    def __init__(self, worker: WorkerProcess, broker: EmbeddedBroker, store: Store) -> None:
        self.worker, self.broker, self.store = worker, broker, store
        self.t0 = time.monotonic()
        self.rows: list[dict[str, Any]] = []
        self._buckets = scrape_histogram(worker.metrics_url, LATENCY, span=SPAN)

    def sample(self, produced: int) -> dict[str, Any]:
        m = self.worker.metrics()
        buckets = scrape_histogram(self.worker.metrics_url, LATENCY, span=SPAN)
        before = dict(self._buckets)
        delta = [(le, n - before.get(le, 0.0)) for le, n in buckets]
        self._buckets = buckets
        p50, p99 = bucket_quantile(0.5, delta), bucket_quantile(0.99, delta)
        done = self.worker.processed()
        row = {
            "t_s": round(time.monotonic() - self.t0, 1),
            "worker_rss_mib": mib(self.worker.rss_bytes()),
            "broker_rss_mib": mib(rss_bytes(self.broker.process.pid)),
            "produced": produced,
            "scored": int(m.get("newsrisk_articles_scored_total", 0)),
            "deduplicated": int(m.get("newsrisk_articles_duplicate_total", 0)),
            "deadlettered": int(m.get("newsrisk_articles_deadlettered_total", 0)),
            "backlog": produced - done,
            "lag_gauge": int(m.get("newsrisk_consumer_lag_messages", 0)),
            "sink_errors": int(m.get("newsrisk_sink_write_errors_total", 0)),
            "latency_n": int(delta[-1][1]) if delta else 0,
            "p50_ms": None if p50 is None else round(p50 * 1000, 1),
            "p99_ms": None if p99 is None else round(p99 * 1000, 1),
        }
        self.rows.append(row)
        return row


def line(row: dict[str, Any]) -> str:
    return (f"t={row['t_s']:>7.0f}s  rss={row['worker_rss_mib']} MiB (broker {row['broker_rss_mib']})"
            f"  produced={row['produced']}  scored={row['scored']}  backlog={row['backlog']}"
            f"  lag={row['lag_gauge']}  p50/p99={row['p50_ms']}/{row['p99_ms']} ms"
            f"  sink_errors={row['sink_errors']}")


def summarise(rows: list[dict[str, Any]], final: dict[str, Any], db_articles: int) -> dict[str, Any]:
    rss = [(r["t_s"] / 3600, r["worker_rss_mib"]) for r in rows if r["worker_rss_mib"] is not None]
    slope = (statistics.linear_regression([t for t, _ in rss], [v for _, v in rss]).slope
             if len(rss) >= 2 else None)
    lat = [r for r in rows if r["p99_ms"] is not None]
    return {
        "produced": final["produced"],
        "scored": final["scored"],
        "deduplicated": final["deduplicated"],
        "deadlettered": final["deadlettered"],
        "lost": final["produced"] - final["scored"] - final["deduplicated"] - final["deadlettered"],
        "db_articles": db_articles,
        "rss_first_mib": rss[0][1] if rss else None,
        "rss_last_mib": rss[-1][1] if rss else None,
        "rss_max_mib": max(v for _, v in rss) if rss else None,
        "rss_slope_mib_per_h": None if slope is None else round(slope, 1),
        "p99_first_ms": lat[0]["p99_ms"] if lat else None,
        "p99_last_ms": lat[-1]["p99_ms"] if lat else None,
        "p99_max_ms": max(r["p99_ms"] for r in lat) if lat else None,
        "backlog_max": max((r["backlog"] for r in rows), default=0),
        "sink_errors": final["sink_errors"],
    }


def soak(args: argparse.Namespace, db_url: str, workdir: Path) -> dict[str, Any]:
    broker = start_broker(log_path=workdir / "broker.log")
    settings = Settings(broker=broker.url, database_url=db_url, partitions=4,
                        metrics_port=free_port(), web_port=free_port(),
                        app_id=f"soak-{os.getpid()}")
    store = Store(db_url)
    worker = WorkerProcess(settings, workdir / "worker.log")
    feed: Feed | None = None
    result: dict[str, Any] = {"workdir": str(workdir), "database": db_url.split("://")[0]}
    try:
        worker.start()
        worker.wait_metrics(300)
        produced = 0
        if args.rate is None:
            print(f"probing the maximum sustained throughput for {args.probe:.0f} s", flush=True)
            max_rate, produced = probe_throughput(settings, broker, worker, args.probe)
            result["max_rate_per_s"] = round(max_rate, 1)
            if not wait_for(lambda: worker.processed() >= produced, 600):
                raise RuntimeError("the worker did not drain the probe's backlog")
            print(f"maximum sustained throughput: {max_rate:.1f} articles/s", flush=True)
        rate = args.rate if args.rate is not None else max_rate * args.load
        result["rate_per_s"] = round(rate, 1)
        result["minutes"] = args.minutes
        print(f"soak: {rate:.1f} articles/s for {args.minutes:g} min, a sample every "
              f"{args.interval:g} s; work directory {workdir}", flush=True)
        sampler = Sampler(worker, broker, store)
        feed = Feed(settings, broker.bootstrap, worker, rate, start=produced).start()
        deadline = sampler.t0 + args.minutes * 60
        while time.monotonic() < deadline:
            time.sleep(max(0.0, min(args.interval, deadline - time.monotonic())))
            if worker.proc is not None and worker.proc.poll() is not None:
                result["crashed"] = True
                raise RuntimeError(f"the worker exited:\n{worker.log_tail()}")
            print(line(sampler.sample(feed.produced)), flush=True)
            if args.json:  # the series so far survives an interrupted run
                Path(args.json).write_text(json.dumps({**result, "series": sampler.rows}, indent=2))
        produced = feed.stop()
        feed = None
        drained = wait_for(lambda: worker.processed() >= produced, 600)
        final = sampler.sample(produced)
        print(f"drained={drained}  {line(final)}", flush=True)
        wait_for(lambda: store.counts()["articles"] >= final["scored"], 60)
        result.update(crashed=False, drained=drained, series=sampler.rows,
                      summary=summarise(sampler.rows[:-1] or sampler.rows, final,
                                        store.counts()["articles"]))
    finally:
        if feed is not None:
            feed.stop()
        worker.stop()
        broker.stop()
        store.dispose()
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--rate", type=float, help="articles/s (default: --load x measured maximum)")
    ap.add_argument("--load", type=float, default=0.5, help="share of the measured maximum")
    ap.add_argument("--probe", type=float, default=60.0, help="seconds of the throughput probe")
    ap.add_argument("--interval", type=float, default=60.0, help="seconds between samples")
    ap.add_argument("--json")
    ap.add_argument("--postgres", help="PostgreSQL URL (a scratch database is created next to it)")
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="newsrisk-soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    pg = Postgres(args.postgres) if args.postgres else None
    scratch = f"newsrisk_soak_{os.getpid()}"
    db_url = pg.scratch(scratch) if pg else f"sqlite:///{workdir / 'soak.db'}"
    try:
        result = soak(args, db_url, workdir)
    finally:
        if pg:
            pg.drop(scratch)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    print(json.dumps(result["summary"], indent=2))
    s = result["summary"]
    return 0 if s["lost"] == 0 and result["drained"] and not result["crashed"] else 1


if __name__ == "__main__":
    sys.exit(main())
