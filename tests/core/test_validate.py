from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from newsrisk.ingest.validate import InvalidArticle, ValidationLimits, validate_payload

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def rec(**kw):
    base = {"id": "a1", "source": "wire", "url": "https://example.com/a", "title": "Acme falls",
            "text": "Acme shares fell 10% after a profit warning.",
            "published_at": "2025-12-31T23:00:00Z"}
    base.update(kw)
    return base


def reason(payload, **kw) -> str:
    with pytest.raises(InvalidArticle) as exc:
        validate_payload(payload, now=NOW, **kw)
    return exc.value.reason


def test_valid_record_round_trips():
    art = validate_payload(json.dumps(rec(tickers=["$acme", "ACME"])).encode(), now=NOW)
    assert art.id == "a1" and art.tickers == ("ACME",)
    assert art.published_at == datetime(2025, 12, 31, 23, tzinfo=UTC)
    assert art.fetched_at == NOW  # defaulted
    again = validate_payload(art.to_dict(), now=NOW)
    assert again == art


@pytest.mark.parametrize("payload,expected", [
    (b"{not json", "malformed_json"),
    (b"", "empty_payload"),
    (b"[1, 2]", "wrong_type"),
    (b"\xff\xfe{\"id\": 1}", "bad_encoding"),
    (json.dumps(rec(id=None)), "missing_field"),
    (json.dumps({k: v for k, v in rec().items() if k != "published_at"}), "missing_field"),
    (json.dumps(rec(title="", text="   ")), "empty_text"),
    (json.dumps(rec(text=123)), "wrong_type"),
    (json.dumps(rec(published_at="yesterday")), "bad_timestamp"),
    (json.dumps(rec(published_at="2026-01-02T00:00:00Z")), "future_timestamp"),
    (json.dumps(rec(published_at="1900-01-01T00:00:00Z")), "stale_timestamp"),
    (json.dumps(rec(url="javascript:alert(1)")), "bad_url"),
    (json.dumps(rec(tickers=["not a ticker!"])), "bad_ticker"),
    (json.dumps(rec(schema_version=2)), "unsupported_schema"),
    (json.dumps(rec(is_retweet="yes")), "wrong_type"),
])
def test_bad_input_has_a_reason(payload, expected):
    assert reason(payload) == expected


def test_size_limits():
    limits = ValidationLimits(max_payload_bytes=1000, max_text_chars=100)
    assert reason(json.dumps(rec(text="x" * 5000)).encode(), limits=limits) == "too_large"
    assert reason(json.dumps(rec(text="x" * 200)).encode(), limits=limits) == "too_large"


def test_small_future_skew_is_accepted_and_control_chars_cleaned():
    art = validate_payload(rec(published_at=(NOW + timedelta(seconds=60)).isoformat(),
                               text="Acme\x00 falls\x07 hard"), now=NOW)
    assert "\x00" not in art.text and "\x07" not in art.text
