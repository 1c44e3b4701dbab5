"""Pace incoming items by their event time (``published_at``) at a speed factor."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from newsrisk.core.scoring import Incoming
from newsrisk.ingest.producer import Pacer
from newsrisk.records import parse_time


def event_time(item: Incoming) -> float | None:
    payload = item.payload
    if isinstance(payload, bytes | str):
        try:
            payload = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            return None
    try:
        return parse_time(payload["published_at"]).timestamp()
    except (KeyError, TypeError, ValueError):
        return None


def paced(items: Iterable[Incoming], speed: float | None) -> Iterator[Incoming]:
    """The items, delayed so event time runs ``speed`` times faster than wall time."""
    if not speed:
        yield from items
        return
    pacer = Pacer(speed)
    for item in items:
        pacer.wait(event_time(item))
        yield item
