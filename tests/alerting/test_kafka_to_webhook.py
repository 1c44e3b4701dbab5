"""Kafka → worker → /metrics → Prometheus rule → Alertmanager → webhook, all real processes.

A spike of bearish tweets about one ticker, after days of ordinary coverage, is produced to the
embedded broker; the real worker scores it with the shipped model, the detector fires, the
Prometheus alert rule (repo rules) fires and Alertmanager (repo routing) delivers it to the
equities webhook with the entity label. The test prints the latency from the record that closes
the spike window entering Kafka to the webhook receiving the alert.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsrisk.alerting.spike_scenario import build, tfns_pools
from newsrisk.alerting.stack import run_alerting_stack
from newsrisk.alerting.webhook import WebhookReceiver
from newsrisk.config import Settings
from newsrisk.ingest.producer import produce
from newsrisk.storage.store import Store
from newsrisk.streams.broker import free_port, start_broker
from newsrisk.streams.process import WorkerProcess
from tests.alerting.alerting_support import require_binary
from tests.conftest import SHARED

pytestmark = pytest.mark.integration
TFNS = SHARED / "sentiment" / "tfns" / "sent_valid.csv"


@pytest.mark.skipif(not TFNS.exists(), reason=f"{TFNS} not present")
def test_spike_in_kafka_reaches_the_webhook(tmp_path: Path):
    require_binary("prometheus")
    require_binary("prometheus-alertmanager", "alertmanager")
    neutral, bearish = tfns_pools(str(TFNS))
    scenario = build(["KO"], neutral, bearish, days=4, per_hour=1, spike_size=20)
    broker = start_broker(log_path=tmp_path / "broker.log")
    settings = Settings(broker=broker.url, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        metrics_port=free_port(), web_port=free_port(), partitions=1, max_batch=32)
    kw = {"bootstrap_servers": [broker.bootstrap]}
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        with WebhookReceiver() as hook, run_alerting_stack(
            [f"127.0.0.1:{settings.metrics_port}"], hook.url
        ):
            worker.wait_metrics(180)
            produce(scenario.baseline, settings.topic_raw, kw)
            ticker, spike, closer = scenario.spikes[0]
            produce(spike, settings.topic_raw, kw)
            total = len(scenario.baseline) + len(spike)
            deadline = time.monotonic() + 300
            while worker.processed() < total:
                assert time.monotonic() < deadline, worker.log_tail()
                time.sleep(0.5)
            t0 = time.time()
            produce(closer, settings.topic_raw, kw)
            note, alert = hook.wait_for_alert(
                {"alertname": "NewsriskNegativeSpike", "entity": ticker}, timeout=90)
            latency = note.received_at - t0
            print(f"\nKafka (closing record produced) -> webhook: {latency:.2f} s")
            assert alert["labels"]["severity"] in ("warning", "critical")
            assert alert["labels"]["key_kind"] == "entity"
            assert note.receiver in ("risk-equities", "risk-critical")
            stored = Store(settings.database_url).alerts(key=ticker)
            assert stored, "the alert is also in the database"
            assert stored[0]["evidence"] and stored[0]["baseline"]["expected_negative"] >= 0
            assert alert["annotations"].get("top_titles"), alert["annotations"]
    finally:
        worker.stop()
        broker.stop()
