"""WebhookReceiver: records Alertmanager payloads with arrival times; waits on them."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from newsrisk.alerting.webhook import WebhookReceiver, labels_match


def post(url: str, body: bytes) -> int:
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def payload(severity: str, status: str = "firing") -> bytes:
    alert = {"status": status, "labels": {"alertname": "X", "severity": severity}}
    return json.dumps({"version": "4", "receiver": "ops", "status": status,
                       "alerts": [alert]}).encode()


def test_records_path_payload_and_arrival_time() -> None:
    with WebhookReceiver() as hook:
        before = time.time()
        assert post(f"{hook.url}/ops", payload("critical")) == 200
        (n,) = hook.notifications()
    assert n.path == "/ops"
    assert n.receiver == "ops"
    assert before <= n.received_at <= time.time()
    assert n.alerts[0]["labels"]["severity"] == "critical"
    assert n.to_dict()["payload"]["version"] == "4"


def test_rejects_bodies_that_are_not_json_objects() -> None:
    with WebhookReceiver() as hook:
        assert post(hook.url, b"not json") == 400
        assert post(hook.url, b"[1, 2]") == 400
        assert hook.notifications() == []


def test_wait_for_alert_blocks_until_a_match_arrives() -> None:
    with WebhookReceiver() as hook:
        def later() -> None:
            time.sleep(0.2)
            post(f"{hook.url}/a", payload("warning"))
            post(f"{hook.url}/b", payload("critical"))

        threading.Thread(target=later).start()
        n, alert = hook.wait_for_alert({"severity": "critical"}, timeout=5)
        assert n.path == "/b"
        assert alert["labels"]["alertname"] == "X"
        with pytest.raises(TimeoutError, match="no matching notification"):
            hook.wait_for_alert({"severity": "critical"}, timeout=0.2, status="resolved")
        hook.clear()
        assert hook.notifications() == []


def test_callback_and_labels_match() -> None:
    seen: list[str] = []
    with WebhookReceiver(on_notification=lambda n: seen.append(n.path)) as hook:
        post(f"{hook.url}/risk-desk", payload("warning"))
    assert seen == ["/risk-desk"]
    assert labels_match({"labels": {"a": "1", "b": "2"}}, {"a": "1"})
    assert not labels_match({"labels": {"a": "1"}}, {"a": "2"})
    assert not labels_match({}, {"a": "1"})
