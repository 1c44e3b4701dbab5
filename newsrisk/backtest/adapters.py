"""Archive records into raw articles (schema v1): stocknet tweets are converted, v1 passes through.

A stocknet line is ``{"id", "published_at", "text", "tickers", "cashtags", "author_followers",
"retweet_count", "is_retweet", "lang"}``; it becomes a raw article with ``source="stocknet"``,
an empty title, no URL, ``fetched_at = published_at`` and its ``tickers`` as hints. Anything
that is not a JSON object is passed on unchanged so that the pipeline dead-letters it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from newsrisk.records import SCHEMA_VERSION, parse_time


def is_stocknet(record: dict[str, Any]) -> bool:
    return "source" not in record and "cashtags" in record and "published_at" in record


def from_stocknet(record: dict[str, Any]) -> dict[str, Any]:
    """A stocknet tweet as a raw article (schema v1)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "id": str(record.get("id", "")),
        "source": "stocknet",
        "url": None,
        "published_at": record.get("published_at"),
        "fetched_at": record.get("published_at"),
        "title": "",
        "text": record.get("text", ""),
        "lang": record.get("lang") or "en",
        "tickers": list(record.get("tickers") or []),
        "is_retweet": bool(record.get("is_retweet", False)),
    }


def to_raw(payload: Any) -> Any:
    """Convert one archive payload (bytes, str or dict) to a raw article when it can."""
    record = payload
    if isinstance(payload, bytes | str):
        try:
            record = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            return payload
    if isinstance(record, dict):
        return from_stocknet(record) if is_stocknet(record) else record
    return payload


def event_time(payload: Any) -> datetime | None:
    """The ``published_at`` of a converted payload, or None when it has none that parses."""
    if not isinstance(payload, dict):
        return None
    try:
        return parse_time(payload["published_at"])
    except (KeyError, TypeError, ValueError):
        return None


def convert(payloads: Iterable[Any], start: datetime | None = None,
            end: datetime | None = None) -> Iterator[Any]:
    """Converted payloads, keeping only those published in ``[start, end)`` when given.

    Payloads without a readable time are kept (the pipeline dead-letters them) unless a range is
    given.
    """
    for payload in payloads:
        raw = to_raw(payload)
        if start is not None or end is not None:
            t = event_time(raw)
            if t is None or (start is not None and t < start) or (end is not None and t >= end):
                continue
        yield raw
