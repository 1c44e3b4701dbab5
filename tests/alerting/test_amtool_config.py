"""amtool over deploy/alertmanager: config validity, routing table, inhibition, templates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from alerting_support import ALERTMANAGER_DIR, DATA, require_binary, run_tool

from newsrisk.alerting.render import render_alertmanager_config, write_yaml

CONFIG = ALERTMANAGER_DIR / "alertmanager.yml"
SPIKE = {"alertname": "NewsriskNegativeSpike", "team": "risk"}
FED = {"key_kind": "topic", "key": "Fed | Central Banks", "topic": "Fed | Central Banks"}


def amtool() -> str:
    return require_binary("amtool")


def test_config_is_valid() -> None:
    out = run_tool(amtool(), "check-config", str(CONFIG))
    assert "SUCCESS" in out.stdout


def test_config_with_slack_and_email_receivers_is_valid(tmp_path: Path) -> None:
    """The templates, used as the commented example in alertmanager.yml suggests, check out."""
    config = render_alertmanager_config("http://127.0.0.1:9", CONFIG)
    for receiver in config["receivers"]:
        receiver["slack_configs"] = [{
            "api_url": "https://hooks.slack.invalid/services/X/Y/Z",
            "channel": f"#{receiver['name']}",
            "send_resolved": True,
            "title": '{{ template "newsrisk.slack.title" . }}',
            "title_link": '{{ template "newsrisk.slack.title_link" . }}',
            "text": '{{ template "newsrisk.slack.text" . }}',
            "color": '{{ template "newsrisk.slack.color" . }}',
        }]
        receiver["email_configs"] = [{
            "to": f"{receiver['name']}@example.com",
            "from": "newsrisk@example.com",
            "smarthost": "smtp.example.com:587",
            "headers": {"Subject": '{{ template "newsrisk.email.subject" . }}'},
            "html": '{{ template "newsrisk.email.html" . }}',
            "text": '{{ template "newsrisk.email.text" . }}',
        }]
    path = write_yaml(config, tmp_path / "alertmanager.yml")
    run_tool(amtool(), "check-config", str(path))


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        ({**SPIKE, **FED, "severity": "critical"}, "risk-critical,risk-macro"),
        ({**SPIKE, **FED, "severity": "warning"}, "risk-macro"),
        ({**SPIKE, "key_kind": "topic", "key": "Macro", "topic": "Macro", "severity": "warning"},
         "risk-macro"),
        ({**SPIKE, "key_kind": "topic", "key": "Currencies", "topic": "Currencies",
          "severity": "warning"}, "risk-macro"),
        ({**SPIKE, "key_kind": "topic", "key": "Earnings", "topic": "Earnings",
          "severity": "warning"}, "risk-desk"),
        ({**SPIKE, "key_kind": "topic", "key": "Earnings", "topic": "Earnings",
          "severity": "critical"}, "risk-critical,risk-desk"),
        ({**SPIKE, "key_kind": "entity", "key": "AAPL", "entity": "AAPL", "severity": "warning"},
         "risk-equities"),
        ({**SPIKE, "key_kind": "entity", "key": "AAPL", "entity": "AAPL", "severity": "critical"},
         "risk-critical,risk-equities"),
        ({"alertname": "NewsriskWorkerDown", "team": "ops", "severity": "critical",
          "job": "newsrisk-worker"}, "ops"),
        ({"alertname": "NewsriskConsumerLagHigh", "team": "ops", "severity": "warning"}, "ops"),
        ({"alertname": "SomethingElse"}, "ops"),
    ],
)
def test_routing(labels: dict[str, str], receivers: str) -> None:
    args = [f"{k}={v}" for k, v in labels.items()]
    out = run_tool(
        amtool(), "config", "routes", "test", f"--config.file={CONFIG}",
        f"--verify.receivers={receivers}", *args, check=False,
    )
    assert out.returncode == 0, f"{labels} routed to {out.stdout.strip()}, not {receivers}"


def test_inhibition_rules() -> None:
    config = yaml.safe_load(CONFIG.read_text())
    rules = config["inhibit_rules"]
    spike = next(r for r in rules if 'severity="critical"' in r["source_matchers"])
    assert 'severity="warning"' in spike["target_matchers"]
    assert set(spike["equal"]) == {"key_kind", "key"}
    down = next(r for r in rules if 'alertname="NewsriskWorkerDown"' in r["source_matchers"])
    assert "NewsriskScoringStalled" in down["target_matchers"][0]
    assert down["equal"] == ["job"]


def test_every_receiver_is_a_webhook_with_resolved() -> None:
    config = yaml.safe_load(CONFIG.read_text())
    names = {r["name"] for r in config["receivers"]}
    assert names == {"risk-critical", "risk-macro", "risk-equities", "risk-desk", "ops"}
    for receiver in config["receivers"]:
        (hook,) = receiver["webhook_configs"]
        assert hook["url"].endswith(f"/{receiver['name']}")
        assert hook["send_resolved"] is True


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("newsrisk.slack.title", ["[FIRING:1] CRITICAL topic Fed | Central Banks"]),
        ("newsrisk.slack.color", ["danger"]),
        ("newsrisk.slack.text", [
            "*Critical negative-news spike on topic Fed | Central Banks (5m window)*",
            "1. Fed signals emergency hike", "|Open dashboard>",
        ]),
        ("newsrisk.email.subject", ["[FIRING:1] CRITICAL topic Fed | Central Banks"]),
        ("newsrisk.email.text", [
            "Top articles:\n1. Fed signals emergency hike",
            "Dashboard: http://grafana.example.com/d/newsrisk-drilldown?var-key_kind=topic",
            "Started: 2025-03-01 14:05:00 UTC",
        ]),
        ("newsrisk.email.html", ["<h2>[FIRING:1] CRITICAL topic", "#d00000", "Open dashboard"]),
    ],
)
def test_templates_render(template: str, expected: list[str]) -> None:
    out = run_tool(
        amtool(), "template", "render", "--template.glob=templates/*.tmpl",
        f"--template.data={DATA / 'notification.json'}",
        f'--template.text={{{{ template "{template}" . }}}}',
        cwd=ALERTMANAGER_DIR,
    )
    for text in expected:
        assert text in out.stdout
