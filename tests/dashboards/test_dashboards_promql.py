"""Every query of every committed dashboard runs against a real Prometheus scraping a live worker.

Template variables are replaced with concrete values of the live data; each expression must be
valid (HTTP 200, status success) and return at least one series. Queries that return series only
while something happens (``CONDITIONAL_QUERIES``, e.g. ``ALERTS`` of a firing alert) must be valid
here and are shown to return series in ``test_conditional_queries.py``.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from conftest import load_dashboards
from dashboard_live import LiveStack

from newsrisk.dashboards import CONDITIONAL_QUERIES

RATE_INTERVAL = "1m"
LABEL_VALUES = re.compile(r"^label_values\((?P<match>.+),\s*(?P<label>\w+)\)$")


def collect_queries() -> list[tuple[str, str, str]]:
    """``(id, kind, expr)`` of every panel target, annotation and template-variable query."""
    out = []
    for name, dash in load_dashboards().items():
        uid = dash["uid"]
        for panel in _panels(dash):
            for tgt in panel.get("targets", []):
                out.append((f"{uid}/{panel['title']}/{tgt['refId']}", "panel", tgt["expr"]))
        for ann in dash.get("annotations", {}).get("list", []):
            if ann.get("expr"):
                out.append((f"{uid}/annotation/{ann['name']}", "annotation", ann["expr"]))
        for var in dash.get("templating", {}).get("list", []):
            if var["type"] == "query":
                out.append((f"{uid}/variable/{var['name']}", "variable", var["query"]["query"]))
        assert name == f"{uid}.json"
    return out


def _panels(dash: dict[str, Any]) -> list[dict[str, Any]]:
    flat = []
    for panel in dash.get("panels", []):
        flat.extend(panel.get("panels", []))
        if panel["type"] != "row":
            flat.append(panel)
    return flat


QUERIES = collect_queries()


def substitute(expr: str, live: LiveStack) -> str:
    values = {
        "key_kind": "entity", "key": live.spike_key, "window": live.window,
        "__rate_interval": RATE_INTERVAL, "__interval": "15s", "__range": "1h",
        "__range_s": "3600",
    }
    for name, value in sorted(values.items(), key=lambda kv: -len(kv[0])):
        expr = expr.replace(f"${{{name}}}", value).replace(f"${name}", value)
    assert "$" not in expr.replace("$1", ""), f"unsubstituted variable in {expr!r}"
    return expr


def prom_get(live: LiveStack, path: str, params: dict[str, str]) -> dict[str, Any]:
    url = f"{live.prometheus_url}{path}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - loopback
            status, body = resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        pytest.fail(f"{params}: HTTP {exc.code}: {exc.read().decode(errors='replace')}")
    assert status == 200 and body["status"] == "success", body
    return body["data"]


def series_of(live: LiveStack, kind: str, expr: str) -> int:
    if kind == "variable":
        m = LABEL_VALUES.match(expr)
        assert m, f"variable query {expr!r} is not label_values(selector, label)"
        data = prom_get(live, "/api/v1/series", {"match[]": m["match"]})
        return len({s[m["label"]] for s in data if m["label"] in s})
    end = time.time()
    data = prom_get(live, "/api/v1/query_range", {
        "query": expr, "start": str(end - 120), "end": str(end), "step": "1"})
    instant = prom_get(live, "/api/v1/query", {"query": expr})
    return max(len(data["result"]), len(instant["result"]))


@pytest.fixture(scope="module")
def scraped(live: LiveStack) -> LiveStack:
    """The live stack once the injected spike and the recording rules are visible."""
    deadline = time.monotonic() + 20
    want = ["newsrisk_alert_evidence_info", "job:newsrisk_alerts:increase1h",
            "span_quantile:newsrisk_article_latency_seconds:histogram_quantile"]
    while time.monotonic() < deadline:
        if all(prom_get(live, "/api/v1/query", {"query": w})["result"] for w in want):
            time.sleep(3)  # a few more scrapes and rule evaluations
            return live
        time.sleep(0.5)
    pytest.fail(f"{want} did not all appear in Prometheus within 20s")


def test_dashboards_have_queries() -> None:
    kinds = {kind for _, kind, _ in QUERIES}
    assert {"panel", "annotation", "variable"} <= kinds
    assert len([q for q in QUERIES if q[1] == "panel"]) >= 30


@pytest.mark.integration
@pytest.mark.parametrize(("where", "kind", "expr"), QUERIES, ids=[q[0] for q in QUERIES])
def test_query_is_valid_and_returns_series(scraped: LiveStack, where: str, kind: str,
                                           expr: str) -> None:
    n = series_of(scraped, kind, substitute(expr, scraped))
    if expr in CONDITIONAL_QUERIES:
        return  # valid (checked above); shown to return series in test_conditional_queries
    assert n >= 1, f"{where}: {expr!r} returned no series"
