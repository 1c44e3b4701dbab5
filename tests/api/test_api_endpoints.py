"""The API over a real loopback socket against a real SQLite store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_support import SCRIPT, T0, TOKEN, call

from newsrisk.api import acks
from newsrisk.records import format_time


def test_health_ready_and_openapi(store, start_api):
    state = {"ready": False}
    api = start_api(store, ready=lambda: state["ready"])
    assert call(api.url, "GET", "/health").json == {"status": "ok"}
    r = call(api.url, "GET", "/ready")
    assert r.status == 503 and "not joined" in r.json["reason"]
    state["ready"] = True
    assert call(api.url, "GET", "/ready").json == {"status": "ready"}
    spec = call(api.url, "GET", "/openapi.json").json
    assert spec["openapi"].startswith("3.") and "/alerts/{id}/ack" in spec["paths"]


def test_ready_is_503_when_the_database_is_gone(tmp_path, start_api):
    from newsrisk.storage.store import Store

    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    api = start_api(store)
    store.engine.dispose()
    (tmp_path / "x.db").unlink()
    (tmp_path / "x.db").mkdir()  # the path is now a directory: the database cannot open
    r = call(api.url, "GET", "/ready")
    assert r.status == 503 and "database" in r.json["reason"]
    r = call(api.url, "GET", "/alerts")
    assert r.status == 503 and r.json["error"] == "database unavailable"


def test_alerts_list_filters_and_limits(store, seeded, start_api):
    api = start_api(store)
    r = call(api.url, "GET", "/alerts")
    assert r.status == 200 and r.headers["Content-Type"].startswith("application/json")
    ids = [a["id"] for a in r.json["alerts"]]
    assert ids == [seeded.aapl_alert.id, seeded.fed_alert.id]  # latest window first
    assert r.json["alerts"][0]["ack"] is None
    assert [a["id"] for a in call(api.url, "GET", "/alerts?key=Fed").json["alerts"]] == [
        seeded.fed_alert.id]
    crit = call(api.url, "GET", "/alerts?severity=critical").json["alerts"]
    assert [a["severity"] for a in crit] == ["critical"]
    since = format_time(T0 + timedelta(hours=1))
    assert call(api.url, "GET", f"/alerts?since={since}").json["count"] == 1
    assert call(api.url, "GET", "/alerts?limit=1").json["count"] == 1
    assert call(api.url, "GET", "/alerts?limit=500").status == 200


@pytest.mark.parametrize("query,needle", [
    ("limit=0", "limit"), ("limit=501", "limit"), ("limit=-1", "limit"), ("limit=abc", "limit"),
    ("severity=apocalyptic", "severity"), ("since=yesterday", "since"), ("key=" + "k" * 200, "key"),
])
def test_alerts_bad_parameters_are_400(store, start_api, query, needle):
    api = start_api(store)
    r = call(api.url, "GET", f"/alerts?{query}")
    assert r.status == 400 and needle in r.json["error"] and r.json["hint"]


def test_alert_detail_has_evidence_rows_and_explanations(store, seeded, start_api):
    api = start_api(store)
    r = call(api.url, "GET", f"/alerts/{seeded.fed_alert.id}")
    assert r.status == 200
    body = r.json
    assert body["alert"]["id"] == seeded.fed_alert.id and body["alert"]["severity"] == "critical"
    assert [e["id"] for e in body["evidence"]] == ["a1", "a2"]
    ev = body["evidence"][1]
    assert ev["title"] == "Title 2" and ev["url"] == "https://example.com/2"
    assert ev["sentiment"]["label"] == "negative" and ev["sentiment"]["probs"]["negative"] == 0.8
    assert ev["entities"] == ["MSFT", "AAPL"] and ev["published_at"].endswith("Z")
    assert body["explanations"] == {"a2": [{"phrase": "<b>fell</b>", "weight": 0.7}]}
    assert body["ack"] is None


def test_html_in_articles_is_json_data_not_markup(store, seeded, start_api):
    api = start_api(store)
    r = call(api.url, "GET", f"/alerts/{seeded.fed_alert.id}")
    assert r.json["evidence"][1]["text"] == SCRIPT  # returned intact as data...
    assert b"<script>" not in r.raw and b"<b>" not in r.raw  # ...and inert in the raw body
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]


def test_unknown_alert_and_route_are_json_404(store, seeded, start_api):
    api = start_api(store)
    for path in ("/alerts/0000000000000000", "/alerts/" + "f" * 100, "/nope"):
        r = call(api.url, "GET", path)
        assert r.status == 404 and set(r.json) == {"error", "hint"}, path
    r = call(api.url, "DELETE", "/alerts")
    assert r.status == 405 and r.json["error"]


def test_topics(store, seeded, start_api):
    api = start_api(store)
    topics = {t["topic"]: t for t in call(api.url, "GET", "/topics").json["topics"]}
    assert set(topics) == {"Fed", "Earnings"}
    fed = topics["Fed"]
    assert fed["articles"] == 2 and set(fed["windows"]) == {"1h", "1d"}
    assert fed["windows"]["1h"]["start"] == format_time(T0 + timedelta(hours=1))  # latest only
    assert fed["windows"]["1h"]["count"] == 1 and fed["windows"]["1d"]["negative"] == 2
    assert topics["Earnings"]["windows"]["1h"]["negative_share"] == 0.5


def test_entity_view(store, seeded, start_api):
    api = start_api(store)
    r = call(api.url, "GET", "/entities/aapl")  # case-insensitive
    assert r.status == 200
    body = r.json
    assert body["ticker"] == "AAPL"
    assert [a["id"] for a in body["articles"]] == ["a2", "a1"]  # not AAPLX's a3; newest first
    assert [a["id"] for a in body["alerts"]] == [seeded.aapl_alert.id]
    assert body["latest"]["1h"]["severity"] == "warning" and len(body["windows"]) == 1
    brk = call(api.url, "GET", "/entities/BRK.B").json
    assert [a["id"] for a in brk["articles"]] == ["a4"] and brk["alerts"] == []


@pytest.mark.parametrize("ticker", ["A%25", "AAPL'--", "TOOLONGTICKER", "1ABC", "_", "A%20B"])
def test_bad_ticker_is_400(store, seeded, start_api, ticker):
    api = start_api(store)
    r = call(api.url, "GET", f"/entities/{ticker}")
    assert r.status == 400 and "ticker" in r.json["error"] and "AAPL" in r.json["hint"]


def test_unknown_entity_is_404(store, seeded, start_api):
    api = start_api(store)
    r = call(api.url, "GET", "/entities/ZZZZ")
    assert r.status == 404 and "ZZZZ" in r.json["error"]


def test_ack_without_configured_token_is_403(store, seeded, start_api):
    api = start_api(store, token=None)
    r = call(api.url, "POST", f"/alerts/{seeded.fed_alert.id}/ack", {"user": "al"},
             {"Authorization": f"Bearer {TOKEN}"})
    assert r.status == 403 and "NEWSRISK_API_TOKEN" in r.json["hint"]
    assert acks.get_ack(store.engine, seeded.fed_alert.id) is None


@pytest.mark.parametrize("auth", [None, "Bearer", "Bearer wrong", f"Basic {TOKEN}",
                                  f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"])
def test_ack_with_missing_or_wrong_token_is_401(store, seeded, start_api, auth):
    api = start_api(store, token=TOKEN)
    headers = {"Authorization": auth} if auth else {}
    r = call(api.url, "POST", f"/alerts/{seeded.fed_alert.id}/ack", {"user": "al"}, headers)
    assert r.status == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert TOKEN not in r.raw.decode()
    assert acks.get_ack(store.engine, seeded.fed_alert.id) is None


def test_ack_with_token_is_persisted_and_idempotent(store, seeded, start_api):
    api = start_api(store, token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    path = f"/alerts/{seeded.fed_alert.id}/ack"
    r = call(api.url, "POST", path, {"user": "alice", "note": "looking"}, auth)
    assert r.status == 201 and r.json["created"] and r.json["ack"]["user"] == "alice"
    again = call(api.url, "POST", path, {"user": "bob"}, auth)
    assert again.status == 200 and not again.json["created"]
    assert again.json["ack"]["user"] == "alice"
    stored = acks.get_ack(store.engine, seeded.fed_alert.id)
    assert stored is not None and stored.note == "looking"
    assert call(api.url, "GET", path[:-4]).json["ack"]["user"] == "alice"
    listed = call(api.url, "GET", "/alerts?key=Fed").json["alerts"][0]
    assert listed["ack"]["user"] == "alice"
    r = call(api.url, "POST", "/alerts/0000000000000000/ack", {"user": "alice"}, auth)
    assert r.status == 404


@pytest.mark.parametrize("body,ctype,status", [
    (b'{"user": ""}', "application/json", 400),
    (b'{"note": "x"}', "application/json", 400),
    (b'{"user": "a\\u0007b"}', "application/json", 400),
    (b'["alice"]', "application/json", 400),
    (b"{not json", "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    (b'{"user": "alice"}', "text/plain", 415),
    (b'{"user": "' + b"a" * 20_000 + b'"}', "application/json", 413),
])
def test_ack_bad_bodies(store, seeded, start_api, body, ctype, status):
    api = start_api(store, token=TOKEN)
    r = call(api.url, "POST", f"/alerts/{seeded.fed_alert.id}/ack", body,
             {"Authorization": f"Bearer {TOKEN}", "Content-Type": ctype})
    assert r.status == status and set(r.json) == {"error", "hint"}
    assert acks.get_ack(store.engine, seeded.fed_alert.id) is None


def test_protect_reads_requires_the_token_but_not_for_probes(store, seeded, start_api):
    api = start_api(store, token=TOKEN, protect_reads=True)
    assert call(api.url, "GET", "/alerts").status == 401
    assert call(api.url, "GET", "/entities/AAPL").status == 401
    ok = call(api.url, "GET", "/alerts", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status == 200 and ok.json["count"] == 2
    assert call(api.url, "GET", "/health").status == 200
    assert call(api.url, "GET", "/ready").status == 200


def test_port_in_use_is_a_clear_error(store, start_api):
    from newsrisk.api import create_api, run_api_in_thread

    api = start_api(store)
    with pytest.raises(RuntimeError, match="could not listen"):
        run_api_in_thread(create_api(store, lambda: True, None), "127.0.0.1", api.port)
