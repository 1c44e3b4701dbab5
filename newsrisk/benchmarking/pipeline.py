"""Throughput and latency of the live path, next to the bare classifier and a naive agent.

All three figures come from one run on the same machine, so their ratios are meaningful even on
a noisy host:

- ``model_docs_per_s``: the classifier alone, ``predict`` over the same texts at the same batch
  size (median of ``reps`` passes);
- ``pipeline_docs_per_s``: records pre-loaded on the embedded broker, one ``newsrisk worker``
  process; from the first record received to the last one scored (scraped from /metrics);
- ``classifier_stage_docs_per_s``: articles over the time the worker spent inside the
  classifier's ``predict`` calls (its ``newsrisk_classifier_inference_duration_seconds``
  histogram), i.e. the classifier stage of the live path beside everything else it runs;
- ``naive_docs_per_s``: a Faust agent that calls the classifier once per message (batch of 1),
  same broker, same texts;
- ``e2e_p50_ms``/``e2e_p99_ms``: ingested (Kafka timestamp) → scored, per record, read back from
  ``news.scored`` while records are produced at about half the measured pipeline throughput.
"""

from __future__ import annotations

import gzip
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from newsrisk.config import Settings
from newsrisk.records import parse_time

Progress = Callable[[str], None]


def load_texts(n: int) -> list[dict[str, Any]]:
    from newsrisk.ingest.sources import bundled_sample

    with gzip.open(bundled_sample(), "rt") as fh:
        base = [json.loads(line) for line in fh]
    out = []
    for i, rec in enumerate(islice(cycle(base), n)):
        # unique ids and texts so nothing is de-duplicated
        out.append({**rec, "id": f"bench-{i}", "text": f"{rec['text']} #{i}"})
    return out


def bench_model(texts: list[str], batch: int, reps: int = 3) -> float:
    from newsrisk.classifiers import load_classifier

    clf = load_classifier(None, max_batch=batch)
    clf.predict(texts[:batch])  # warm-up
    rates = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for i in range(0, len(texts), batch):
            clf.predict(texts[i:i + batch])
        rates.append(len(texts) / (time.perf_counter() - t0))
    return statistics.median(rates)


def _wait(cond: Callable[[], bool], timeout_s: float, what: str, poll_s: float = 0.05) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(poll_s)


def _article_times(database_url: str, ids: list[str]) -> list[tuple[float, float]]:
    """(ingested_at, scored_at) of the stored ``ids`` as Unix times, read from the worker's store
    (SQLite hands the UTC datetimes back naive)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from newsrisk.storage.models import ArticleRow
    from newsrisk.storage.store import Store

    def unix(t: datetime) -> float:
        return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()

    with Session(Store(database_url).engine) as session:
        rows = session.execute(select(ArticleRow.ingested_at, ArticleRow.scored_at)
                               .where(ArticleRow.article_id.in_(ids))).all()
    return [(unix(ing), unix(sc)) for ing, sc in rows]


def bench_pipeline(records: list[dict[str, Any]], batch: int, workdir: Path,
                   progress: Progress) -> tuple[float, float, float]:
    from newsrisk.ingest.producer import produce
    from newsrisk.streams.broker import free_port, start_broker
    from newsrisk.streams.process import WorkerProcess

    for suffix in ("", "-wal", "-shm"):  # a fresh store: upserts would keep older timestamps
        Path(f"{workdir / 'bench.db'}{suffix}").unlink(missing_ok=True)
    broker = start_broker(log_path=workdir / "broker.log")
    settings = Settings(broker=broker.url, database_url=f"sqlite:///{workdir / 'bench.db'}",
                        metrics_port=free_port(), web_port=free_port(), partitions=4, max_batch=batch)
    kw = {"bootstrap_servers": [broker.bootstrap]}
    worker = WorkerProcess(settings, workdir / "worker.log")
    try:
        n_tp = len(records) * 2 // 3  # the throughput phase (the bare classifier's texts too)
        produce(records[:n_tp], settings.topic_raw, kw)
        progress(f"throughput: {n_tp} records pre-loaded; starting the worker")
        worker.start()
        worker.wait_metrics(180)
        _wait(lambda: worker.metrics().get("newsrisk_articles_received_total", 0) > 0, 180,
              "the first record", 0.02)
        t0 = time.time()
        # Poll slowly: each /metrics scrape renders every window gauge in the worker, and
        # polling at 20 Hz took ~12% of the worker's CPU (py-spy); the end time comes from the
        # store, not from the poll.
        _wait(lambda: worker.processed() >= n_tp, 900, "all records", 1.0)
        scored = _article_times(settings.database_url, [r["id"] for r in records[:n_tp]])
        if not scored:
            raise RuntimeError("no scored article found in the store")
        rate = n_tp / (max(sc for _, sc in scored) - t0)
        m = worker.metrics()
        articles = m.get("newsrisk_classifier_batch_articles_sum", 0)
        batches = m.get("newsrisk_classifier_batch_articles_count", 0)
        stage_rate = articles / max(1e-9, m.get("newsrisk_classifier_inference_duration_seconds_sum", 0))
        mean_batch = articles / max(1.0, batches)
        progress(f"throughput: {rate:.0f} docs/s in {batches:.0f} classifier batches of "
                 f"{mean_batch:.1f} on average; latency phase at ~{rate / 2:.0f} docs/s")
        # Latency: produce the rest paced at about half the sustained rate.
        rest = records[n_tp:]
        t_first = parse_time(rest[0]["published_at"]).timestamp()
        span = max(1.0, parse_time(rest[-1]["published_at"]).timestamp() - t_first)
        # re-time the records so that they arrive evenly at rate/2 docs/s
        step = span / max(1, len(rest) - 1)
        speed = step * (rate / 2)
        produce(sorted(rest, key=lambda r: r["published_at"]), settings.topic_raw, kw,
                speed=speed)
        _wait(lambda: worker.processed() >= len(records), 900, "latency records", 1.0)
        # ingested_at (the Kafka timestamp) and scored_at of each latency-phase article
        lat = [(sc - ing) * 1000 for ing, sc in
               _article_times(settings.database_url, [r["id"] for r in rest])]
    finally:
        worker.stop()
        broker.stop()
    lat.sort()
    p50 = lat[len(lat) // 2] if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan")
    return rate, stage_rate, p50, p99


def bench_naive(records: list[dict[str, Any]], workdir: Path) -> float:
    from newsrisk.ingest.producer import produce
    from newsrisk.streams.broker import start_broker

    broker = start_broker(log_path=workdir / "broker-naive.log")
    out = workdir / "naive.json"
    out.unlink(missing_ok=True)
    try:
        produce(records, "bench.naive", {"bootstrap_servers": [broker.bootstrap]})
        with open(workdir / "naive.log", "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "newsrisk.benchmarking.naive_agent", broker.url,
                 str(len(records)), str(out)], stdout=log, stderr=subprocess.STDOUT)
        try:
            proc.wait(900)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        data = json.loads(out.read_text())
    finally:
        broker.stop()
    return data["n"] / (data["t_last"] - data["t_first"])


def run(n: int = 1500, n_naive: int = 300, batch: int = 64, workdir: Path | None = None,
        progress: Progress = print) -> dict[str, Any]:
    workdir = workdir or Path(".newsrisk/bench")
    workdir.mkdir(parents=True, exist_ok=True)
    records = load_texts(n)
    texts = [r["text"] for r in records]
    # the bare classifier runs over the very texts of the throughput phase: per-text cost varies
    # with length (padding), so a different sample would bias the ratio
    bare_texts = texts[:len(records) * 2 // 3]
    progress(f"bare classifier on {len(bare_texts)} texts, batch {batch}")
    before = bench_model(bare_texts, batch)
    progress(f"bare classifier: {before:.0f} docs/s")
    pipe, stage, p50, p99 = bench_pipeline(records, batch, workdir, progress)
    # again after the pipeline phase: on a shared machine the bare rate drifts, and the ratios
    # below compare with the mean of the two measurements that bracket the pipeline
    after = bench_model(bare_texts, batch)
    model = (before + after) / 2
    progress(f"bare classifier again: {after:.0f} docs/s (ratios use the mean, {model:.0f})")
    progress(f"naive agent (one classifier call per message) on {n_naive} records")
    naive = bench_naive(load_texts(n_naive), workdir)
    return {
        "model_docs_per_s": round(model, 1),
        "model_docs_per_s_before_after": [round(before, 1), round(after, 1)],
        "pipeline_docs_per_s": round(pipe, 1),
        "naive_docs_per_s": round(naive, 1),
        "pipeline_vs_model": round(pipe / model, 3),
        "classifier_stage_docs_per_s": round(stage, 1),
        "classifier_stage_vs_model": round(stage / model, 3),
        "pipeline_vs_naive": round(pipe / naive, 2),
        "e2e_p50_ms": round(p50, 1),
        "e2e_p99_ms": round(p99, 1),
        "batch": batch,
        "records": n,
        "naive_records": n_naive,
    }


def table(res: dict[str, Any]) -> str:
    rows = [
        ("bare classifier", f"{res['model_docs_per_s']:.0f} docs/s", "1.00"),
        ("pipeline (broker + worker)", f"{res['pipeline_docs_per_s']:.0f} docs/s",
         f"{res['pipeline_vs_model']:.2f}"),
        ("classifier stage in the worker", f"{res['classifier_stage_docs_per_s']:.0f} docs/s",
         f"{res['classifier_stage_vs_model']:.2f}"),
        ("naive agent (batch 1)", f"{res['naive_docs_per_s']:.0f} docs/s",
         f"{res['naive_docs_per_s'] / res['model_docs_per_s']:.2f}"),
        ("e2e latency p50 / p99", f"{res['e2e_p50_ms']:.0f} / {res['e2e_p99_ms']:.0f} ms", ""),
    ]
    lines = [f"{'stage':<30}{'figure':>22}{'vs bare':>10}"]
    lines += [f"{a:<30}{b:>22}{c:>10}" for a, b, c in rows]
    return "\n".join(lines)
