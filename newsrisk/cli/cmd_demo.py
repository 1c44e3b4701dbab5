"""``newsrisk demo``: broker + worker + SQLite + Prometheus exporter on the bundled news sample."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from newsrisk.cli.main import CommandError
from newsrisk.cli.options import add_common, settings_from
from newsrisk.cli.progress import Progress
from newsrisk.streams.process import WorkerProcess
from newsrisk.streams.process import scrape as _scrape

DEFAULT_SPEED = 30000.0  # 19 days of the sample in about a minute


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo", help="run the whole live path on the bundled sample, print a summary",
        description="Start the embedded broker, a worker (SQLite + Prometheus exporter), ingest "
        "the bundled sample of real stocknet tweets (Sep 28 - Oct 16 2015, around Walmart's 10% "
        "drop on Oct 14) at accelerated event time, wait until every record is accounted for, "
        "then print the summary and exit (--follow keeps it running).",
    )
    p.add_argument("--input", help="JSONL(.gz)/CSV to ingest instead of the bundled sample")
    p.add_argument("--speed", type=float, default=DEFAULT_SPEED,
                   help=f"event-time speed factor (default {DEFAULT_SPEED:.0f})")
    p.add_argument("--json", dest="json_path", help="also write the summary as JSON here")
    p.add_argument("--workdir", default=".newsrisk/demo", help="logs and the SQLite file")
    p.add_argument("--follow", action="store_true", help="keep broker and worker running")
    p.add_argument("--timeout", type=float, default=900, help="give up after this many seconds")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from newsrisk.ingest.producer import produce
    from newsrisk.ingest.sources import bundled_sample, read_source
    from newsrisk.storage.store import Store
    from newsrisk.streams.broker import BrokerError, free_port, start_broker
    from newsrisk.streams.security import kafka_python_kwargs

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / "newsrisk.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    source = args.input or str(bundled_sample())
    t_start = time.monotonic()
    print(f"[1/4] starting the embedded broker (Tansu, memory storage); logs in {work}", flush=True)
    try:
        broker = start_broker(log_path=work / "broker.log")
    except BrokerError as exc:
        raise CommandError(f"{exc}; see {work / 'broker.log'}") from exc
    metrics_port = args.metrics_port or free_port()
    settings = settings_from(args, broker=broker.url, metrics_port=metrics_port,
                             database_url=args.database_url or f"sqlite:///{db_path}")
    worker = WorkerProcess(settings, work / "worker.log")
    print("[2/4] starting a worker (loads the classifier, joins the group)", flush=True)
    worker.start()
    try:
        try:
            worker.wait_metrics(180)
        except RuntimeError as exc:
            raise CommandError(str(exc).splitlines()[0]) from exc
        print(f"      worker metrics at {worker.metrics_url}", flush=True)
        print(f"[3/4] ingesting {source} at {args.speed:.0f}x event time", flush=True)
        with Progress("ingest", "rec") as bar:
            rep = produce(read_source(source), settings.topic_raw, kafka_python_kwargs(settings),
                          speed=args.speed, progress=bar.update)
        if rep.failed:
            raise CommandError(f"{rep.failed} records could not be produced; see {work}")
        print("[4/4] waiting until every record is scored, de-duplicated or dead-lettered",
              flush=True)
        metrics = _wait_done(worker, rep.sent, t_start + args.timeout)
        if args.follow and worker.proc is not None:
            print(f"following: metrics at {worker.metrics_url}; Ctrl-C stops", flush=True)
            worker.proc.wait()
    finally:
        worker.stop()
        broker.stop()
    store = Store(settings.database_url)
    counts = store.counts()
    alerts = store.alerts(limit=1000)
    summary: dict[str, Any] = {
        "articles_in": rep.sent,
        "articles_scored": counts["articles"],
        "deadlettered": int(metrics.get("newsrisk_articles_deadlettered_total", 0)),
        "duplicates": int(metrics.get("newsrisk_articles_duplicate_total", 0)),
        "windows": counts["windows"],
        "alerts": len(alerts),
        "seconds": round(time.monotonic() - t_start, 1),
        "database": settings.database_url,
        "alert_list": [{k: a[k] for k in ("id", "severity", "key_kind", "key", "window",
                                          "window_start", "score", "summary")}
                       | {"evidence": [e["title"] for e in a["evidence"][:3]]} for a in alerts],
    }
    _print_summary(summary)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(summary, indent=2))
    if not alerts:
        print("no alert was raised: the detector saw no anomalous spike in this input")
    return 0


def _wait_done(worker: WorkerProcess, sent: int, deadline: float) -> dict[str, float]:
    url, proc, log = worker.metrics_url, worker.proc, worker.log_path
    if proc is None:
        raise CommandError("the worker was not started")
    done_keys = ("newsrisk_articles_scored_total", "newsrisk_articles_duplicate_total",
                 "newsrisk_articles_deadlettered_total")
    with Progress("process", "rec", total=sent) as bar:
        while True:
            if proc.poll() is not None:
                raise CommandError(f"the worker exited with {proc.returncode}; see {log}")
            m = _scrape(url)
            done = int(sum(m.get(k, 0) for k in done_keys))
            bar.update(max(0, done - bar.n))
            if done >= sent:
                break
            if time.monotonic() > deadline:
                raise CommandError(f"only {done}/{sent} records processed before the timeout; "
                                   f"see {log}")
            time.sleep(0.5)
    # Let the aggregation stage checkpoint its last windows (it flushes every 2 s).
    last = -1.0
    for _ in range(30):
        time.sleep(1.0)
        m = _scrape(url)
        closed = m.get("newsrisk_windows_closed_total", 0)
        if closed == last:
            break
        last = closed
    time.sleep(2.5)
    return _scrape(url)


def _print_summary(s: dict[str, Any]) -> None:
    print()
    print(f"{'articles in':<18}{s['articles_in']:>8}")
    print(f"{'articles scored':<18}{s['articles_scored']:>8}")
    print(f"{'duplicates':<18}{s['duplicates']:>8}")
    print(f"{'dead-lettered':<18}{s['deadlettered']:>8}")
    print(f"{'windows stored':<18}{s['windows']:>8}")
    print(f"{'alerts':<18}{s['alerts']:>8}")
    print(f"{'seconds':<18}{s['seconds']:>8}")
    for a in s["alert_list"][:15]:
        print(f"\n* {a['summary']}")
        for title in a["evidence"]:
            print(f"    - {title[:110]}")
