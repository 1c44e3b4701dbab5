"""Produce raw articles to Kafka, optionally paced by event time (speed factor).

Keys are the article's text fingerprint, so that re-scrapes of the same text land on the same
partition and are de-duplicated by the same worker. Sends are retried with backoff and every
send is awaited before the producer reports success: nothing is dropped silently.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from newsrisk.core.dedupe import text_fingerprint
from newsrisk.records import parse_time

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    sent: int = 0
    failed: int = 0
    seconds: float = 0.0


def _key_and_time(payload: Any) -> tuple[bytes | None, float | None, bytes]:
    """Best-effort key/event time; the payload itself is sent unchanged."""
    if isinstance(payload, bytes):
        raw = payload
        try:
            d = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            return None, None, raw
    else:
        d = payload
        raw = json.dumps(payload, ensure_ascii=False).encode("utf-8", errors="surrogateescape")
    if not isinstance(d, dict):
        return None, None, raw
    text = d.get("text") if isinstance(d.get("text"), str) else ""
    title = d.get("title") if isinstance(d.get("title"), str) else ""
    fp = text_fingerprint(f"{title} {text}".strip())
    key = (fp or str(d.get("id", ""))).encode()
    try:
        t = parse_time(d["published_at"]).timestamp()
    except Exception:  # noqa: BLE001 - the worker dead-letters bad timestamps
        t = None
    return key, t, raw


class Pacer:
    """Sleeps so that event time advances ``speed`` times faster than wall time."""

    def __init__(self, speed: float | None, max_sleep_s: float = 5.0) -> None:
        self.speed = speed
        self.max_sleep_s = max_sleep_s
        self._t0_event: float | None = None
        self._t0_wall = 0.0

    def wait(self, event_time: float | None) -> None:
        if not self.speed or event_time is None:
            return
        if self._t0_event is None:
            self._t0_event, self._t0_wall = event_time, time.monotonic()
            return
        due = self._t0_wall + (event_time - self._t0_event) / self.speed
        delay = due - time.monotonic()
        if delay > self.max_sleep_s:  # skip long silent stretches
            self._t0_wall -= delay - self.max_sleep_s
            delay = self.max_sleep_s
        if delay > 0:
            time.sleep(delay)


def produce(
    payloads: Iterable[Any],
    topic: str,
    kafka_kwargs: dict[str, Any],
    speed: float | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    retries: int = 10,
) -> IngestReport:
    from kafka import KafkaProducer
    from kafka.errors import KafkaError

    producer = KafkaProducer(acks="all", linger_ms=5, retries=retries,
                             retry_backoff_ms=200, max_request_size=2_000_000, **kafka_kwargs)
    report = IngestReport()
    pacer = Pacer(speed)
    t0 = time.monotonic()
    futures = []
    try:
        for i, payload in enumerate(payloads):
            if limit is not None and i >= limit:
                break
            key, event_time, raw = _key_and_time(payload)
            pacer.wait(event_time)
            futures.append(producer.send(topic, key=key, value=raw))
            report.sent += 1
            if progress:
                progress(1)
            if len(futures) >= 1000:
                report.failed += _settle(futures)
        producer.flush()
        report.failed += _settle(futures)
    except KafkaError as exc:
        raise RuntimeError(f"could not produce to {topic}: {exc}") from exc
    finally:
        producer.close()
    report.seconds = time.monotonic() - t0
    return report


def _settle(futures: list[Any]) -> int:
    failed = 0
    for fut in futures:
        try:
            fut.get(timeout=60)
        except Exception as exc:  # noqa: BLE001 - counted and reported, never silent
            failed += 1
            log.error("produce failed", extra={"error": str(exc)})
    futures.clear()
    return failed
