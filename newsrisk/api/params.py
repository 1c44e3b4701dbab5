"""Parsing and validation of path and query parameters (400 with a clear message when bad)."""

from __future__ import annotations

import re
from datetime import datetime

from newsrisk.api.responses import ApiError
from newsrisk.records import parse_time

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
SEVERITIES = ("warning", "critical")
TICKER = re.compile(r"^[A-Z][A-Z0-9.\-]{0,9}$")
MAX_KEY_CHARS = 128
MAX_ID_CHARS = 32


def limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be an integer from 1 to {MAX_LIMIT}, got {raw[:20]!r}",
                       f"e.g. ?limit=50 (default {DEFAULT_LIMIT})")
    return int(raw)


def severity(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw not in SEVERITIES:
        raise ApiError(400, f"severity must be one of {', '.join(SEVERITIES)}, got {raw[:20]!r}",
                       "e.g. ?severity=critical")
    return raw


def since(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return parse_time(raw)
    except (ValueError, OverflowError):
        raise ApiError(400, f"since must be an ISO 8601 timestamp, got {raw[:40]!r}",
                       "e.g. ?since=2025-03-01T00:00:00Z") from None


def key(raw: str | None) -> str | None:
    if not raw:
        return None
    if len(raw) > MAX_KEY_CHARS:
        raise ApiError(400, f"key is longer than {MAX_KEY_CHARS} characters",
                       "a key is a topic name or a ticker, e.g. ?key=AAPL")
    return raw


def ticker(raw: str) -> str:
    t = raw.strip().upper()
    if not TICKER.match(t):
        raise ApiError(400, f"{raw[:20]!r} is not a valid ticker symbol",
                       "a ticker is 1-10 characters: a letter, then letters, digits, '.' or '-' "
                       "(e.g. AAPL, BRK.B)")
    return t


def alert_id(raw: str) -> str:
    if not raw or len(raw) > MAX_ID_CHARS:
        raise ApiError(404, "no such alert", "list alerts with GET /alerts")
    return raw
