"""Queries that return series only while something happens, shown to do so.

``ALERTS{alertname="NewsriskNegativeSpike", alertstate="firing"}`` (the overview's spike
annotation) is empty unless an alert fires, which the 30s/1m ``for:`` of the real rules rules out
in the live test; ``promtool test rules`` evaluates it here with the same rule file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from conftest import RULES, load_dashboards, require_binary

from newsrisk.dashboards import CONDITIONAL_QUERIES

SPIKE = 'ALERTS{alertname="NewsriskNegativeSpike", alertstate="firing"}'


def test_every_conditional_query_is_in_a_dashboard() -> None:
    exprs = {a["expr"] for d in load_dashboards().values()
             for a in d.get("annotations", {}).get("list", [])}
    assert set(CONDITIONAL_QUERIES) <= exprs
    assert set(CONDITIONAL_QUERIES) == {SPIKE}, "add a promtool case below for a new one"


def test_spike_annotation_returns_series_while_an_alert_fires(tmp_path: Path) -> None:
    promtool = require_binary("promtool")
    common = {"key_kind": "topic", "key": "Macro", "window": "1h", "topic": "Macro",
              "team": "risk", "alertname": "NewsriskNegativeSpike", "alertstate": "firing"}
    case = {
        "rule_files": [str(RULES / "newsrisk-alerts.yml")],
        "evaluation_interval": "15s",
        "tests": [{
            "interval": "15s",
            "input_series": [{
                "series": 'newsrisk_alert_level{key_kind="topic",key="Macro",window="1h",'
                          'job="newsrisk-worker",instance="w1:9108"}',
                "values": "0 2x20",
            }],
            "promql_expr_test": [
                {"expr": SPIKE, "eval_time": "3m", "exp_samples": [
                    {"labels": _labels(common | {"severity": sev}), "value": 1}
                    for sev in ("critical", "warning")
                ]},
                {"expr": SPIKE, "eval_time": "15s", "exp_samples": []},
            ],
        }],
    }
    path = tmp_path / "annotation.test.yml"
    path.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    proc = subprocess.run([promtool, "test", "rules", str(path)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _labels(labels: dict[str, str]) -> str:
    name = "ALERTS"
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"
