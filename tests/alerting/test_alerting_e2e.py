"""End to end on the real binaries: metrics → /metrics → Prometheus → Alertmanager → webhook.

A real ``PipelineMetrics`` on a fresh registry is served on a loopback port; Prometheus scrapes it
every second with the repo's rules (``for:`` set to 0s) and sends to Alertmanager running the
repo's config (group_wait 0s) whose receivers all point at a local :class:`WebhookReceiver`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from alerting_support import require_binary
from prometheus_client import CollectorRegistry, start_http_server

from newsrisk.alerting.promstack import query, wait_for_targets_up, wait_until
from newsrisk.alerting.simulate import clear_spike, inject_spike
from newsrisk.alerting.stack import AlertingStack, run_alerting_stack
from newsrisk.alerting.webhook import WebhookReceiver
from newsrisk.metrics.exporter import PipelineMetrics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

FED = "Fed | Central Banks"
FED_TITLES = ("Fed signals emergency 75bp hike", 'Powell: "inflation is out of control"',
              "Treasury yields jump on Fed shock", "a fourth title is not shown")


@dataclass
class Env:
    metrics: PipelineMetrics
    hook: WebhookReceiver
    stack: AlertingStack


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    require_binary("prometheus")
    require_binary("prometheus-alertmanager", "alertmanager")
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    target = f"127.0.0.1:{server.server_port}"
    try:
        with WebhookReceiver() as hook, run_alerting_stack(
            [target], hook.url, external_labels={"grafana_url": "http://grafana.test:3000"}
        ) as stack:
            wait_for_targets_up(stack.prometheus.url, 1, timeout=20)
            yield Env(metrics, hook, stack)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_topic_spike_reaches_webhook_with_labels_and_titles(env: Env) -> None:
    t0 = time.time()
    alert = inject_spike(env.metrics, "topic", FED, FED_TITLES, severity="critical")
    labels = {"alertname": "NewsriskNegativeSpike", "severity": "critical", "topic": FED}
    n, got = env.hook.wait_for_alert(labels, timeout=30)
    latency = n.received_at - t0
    print(f"metric set -> webhook: {latency:.2f}s")
    assert latency < 15

    # Routed to the on-call receiver and, by topic, to the macro desk (critical continues).
    paths = set()
    for path in ("/risk-critical", "/risk-macro"):
        m = env.hook.wait_for(lambda m, p=path: m.path == p and any(
            a["labels"].get("topic") == FED for a in m.alerts), timeout=10)
        paths.add(m.path)
    assert n.path in paths
    assert got["labels"]["key_kind"] == "topic"
    assert got["labels"]["key"] == FED
    assert got["labels"]["window"] == "5m"
    assert got["labels"]["team"] == "risk"
    notes = got["annotations"]
    assert notes["top_titles"].splitlines() == [
        "1. Fed signals emergency 75bp hike",
        '2. Powell: "inflation is out of control"',
        "3. Treasury yields jump on Fed shock",
    ]
    assert notes["alert_id"] == alert.id
    assert notes["dashboard"] == (
        "http://grafana.test:3000/d/newsrisk-drilldown"
        "?var-key_kind=topic&var-key=Fed+%7C+Central+Banks"
    )
    assert FED in notes["summary"]
    assert "42 of 50 articles negative" in notes["description"]

    # The warning that fires alongside (level >= 1) is inhibited by the critical one.
    warning = f'ALERTS{{alertstate="firing",severity="warning",topic="{FED}"}}'
    # (polled: its rule may be evaluated a cycle after the critical one, later on a busy machine)
    wait_until(lambda: query(env.stack.prometheus.url, warning), 15, "the warning firing in Prometheus")
    time.sleep(2.5)
    for _, a in env.hook.alerts():
        assert not (a["labels"].get("topic") == FED and a["labels"]["severity"] == "warning"), a

    # Closing the spike resolves the alert and removes the evidence.
    clear_spike(env.metrics, "topic", FED)
    env.hook.wait_for_alert(labels, timeout=30, status="resolved")
    assert query(env.stack.prometheus.url, "newsrisk_alert_evidence_info") == []


def test_entity_warning_routes_to_equities(env: Env) -> None:
    inject_spike(env.metrics, "entity", "AAPL", ["Apple recalls iPhones"], severity="warning")
    n, got = env.hook.wait_for_alert(
        {"alertname": "NewsriskNegativeSpike", "severity": "warning", "entity": "AAPL"},
        timeout=30,
    )
    assert n.path == "/risk-equities"
    assert "topic" not in got["labels"]
    assert got["annotations"]["top_titles"] == "1. Apple recalls iPhones"
    assert "var-key_kind=entity&var-key=AAPL" in got["annotations"]["dashboard"]
