"""Spike entering Kafka → webhook, on real parts (broker, worker, Prometheus, Alertmanager).

For each ticker, after days of ordinary coverage, an hour of bearish tweets (TFNS, MIT) is
produced, then the record that moves event time past the spike window; the latency is measured
from that record entering Kafka to the alert reaching the webhook. Prints median and each run.

Usage: python benchmarks/kafka_alert_latency.py [--tickers KO,PFE,UPS] [--tfns PATH] [--json F]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from newsrisk.alerting.spike_scenario import build, tfns_pools
from newsrisk.alerting.stack import run_alerting_stack
from newsrisk.alerting.webhook import WebhookReceiver
from newsrisk.config import Settings
from newsrisk.ingest.producer import produce
from newsrisk.streams.broker import free_port, start_broker
from newsrisk.streams.process import WorkerProcess

DEFAULT_TFNS = Path(__file__).resolve().parents[1].parent / "shared/data/sentiment/tfns/sent_valid.csv"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tickers", default="KO,PFE,UPS")
    ap.add_argument("--tfns", default=str(DEFAULT_TFNS))
    ap.add_argument("--idle-partition-s", type=float, default=Settings.idle_partition_s,
                    help="the worker's idle-partition timeout (the closer records reach some "
                         "partitions only, so the others hold event time back this long)")
    ap.add_argument("--json")
    args = ap.parse_args()
    tickers = args.tickers.split(",")
    neutral, bearish = tfns_pools(args.tfns)
    sc = build(tickers, neutral, bearish, days=4, per_hour=1, spike_size=20)
    tmp = Path(tempfile.mkdtemp(prefix="newsrisk-latency-"))
    broker = start_broker(log_path=tmp / "broker.log")
    settings = Settings(broker=broker.url, database_url=f"sqlite:///{tmp / 'db.sqlite'}",
                        metrics_port=free_port(), web_port=free_port(), partitions=1, max_batch=32,
                        idle_partition_s=args.idle_partition_s)
    kw = {"bootstrap_servers": [broker.bootstrap]}
    worker = WorkerProcess(settings, tmp / "worker.log").start()
    lat = {}
    try:
        with WebhookReceiver() as hook, run_alerting_stack(
                [f"127.0.0.1:{settings.metrics_port}"], hook.url):
            worker.wait_metrics(240)
            produce(sc.baseline, settings.topic_raw, kw)
            sent = len(sc.baseline)
            for ticker, spike, closer in sc.spikes:
                produce(spike, settings.topic_raw, kw)
                sent += len(spike)
                while worker.processed() < sent:
                    time.sleep(0.2)
                t0 = time.time()
                produce(closer, settings.topic_raw, kw)
                sent += len(closer)
                note, _ = hook.wait_for_alert(
                    {"alertname": "NewsriskNegativeSpike", "entity": ticker}, timeout=120)
                lat[ticker] = round(note.received_at - t0, 3)
                print(f"{ticker}: {lat[ticker]:.2f} s", flush=True)
    finally:
        worker.stop()
        broker.stop()
    res = {"runs": lat, "median_s": statistics.median(lat.values())}
    print(f"median Kafka -> webhook: {res['median_s']:.2f} s over {len(lat)} spikes")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
