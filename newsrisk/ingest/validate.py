"""Strict validation of raw article payloads into ``RawArticle`` or a ``DeadLetter`` with a reason."""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from newsrisk.records import SCHEMA_VERSION, DeadLetter, RawArticle, parse_time

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # lone surrogates (JSON "\ud800"): not encodable
# A raw value this many times over its limit is too large whatever cleaning would strip: reject
# it before copying it through the regex and normalisation passes.
_RAW_SLACK = 4
_TICKER = re.compile(r"^[A-Z][A-Z0-9.\-]{0,9}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
MAX_DEADLETTER_PAYLOAD = 4096


@dataclass(frozen=True)
class ValidationLimits:
    max_payload_bytes: int = 1_000_000
    max_text_chars: int = 20_000
    max_future_skew_s: int = 300
    max_past_age_s: int = 20 * 365 * 86400
    max_id_chars: int = 256
    max_url_chars: int = 2048
    max_title_chars: int = 1000
    max_tickers: int = 50


class InvalidArticle(ValueError):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _shrink(value: Any, depth: int = 0) -> Any:
    """A bounded copy of a decoded payload: long strings cut, big containers sampled."""
    if isinstance(value, str):
        return value[:MAX_DEADLETTER_PAYLOAD]
    if depth >= 8:
        return "..."
    if isinstance(value, dict):
        return {str(k)[:200]: _shrink(v, depth + 1)
                for k, v in itertools.islice(value.items(), 50)}
    if isinstance(value, list | tuple):
        return [_shrink(v, depth + 1) for v in value[:50]]
    return value


def _payload_preview(payload: Any) -> str:
    if isinstance(payload, bytes | bytearray):
        text = bytes(payload[:MAX_DEADLETTER_PAYLOAD]).decode("utf-8", errors="replace")
    elif isinstance(payload, str):
        text = payload[:MAX_DEADLETTER_PAYLOAD]
    else:  # an in-process caller's dict: never serialise more of it than the preview keeps
        try:
            small = _shrink(payload)
            try:
                text = json.dumps(small, default=str)[:MAX_DEADLETTER_PAYLOAD]
            except (TypeError, ValueError):
                text = repr(small)[:MAX_DEADLETTER_PAYLOAD]
        except Exception:  # noqa: BLE001 - e.g. ints beyond the str-conversion digit limit
            text = f"<unprintable {type(payload).__name__}>"
    return text


def _clean_text(value: Any, field: str, max_chars: int, required: bool) -> str:
    if value is None:
        if required:
            raise InvalidArticle("missing_field", f"field {field!r} is required")
        return ""
    if not isinstance(value, str):
        raise InvalidArticle("wrong_type", f"field {field!r} must be a string, got "
                             f"{type(value).__name__}")
    if len(value) > _RAW_SLACK * max_chars + 64:
        raise InvalidArticle("too_large", f"field {field!r} has {len(value)} characters; the "
                             f"limit is {max_chars}")
    value = _SURROGATE.sub("\ufffd", value)
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", value)).strip()
    if "\ufffd" in text and text.count("\ufffd") > max(3, len(text) // 20):
        raise InvalidArticle("bad_encoding", f"field {field!r} is mostly undecodable characters")
    if len(text) > max_chars:
        raise InvalidArticle("too_large", f"field {field!r} has {len(text)} characters; the limit "
                             f"is {max_chars}")
    return text


def _time(value: Any, field: str) -> datetime:
    try:
        return parse_time(value)
    except (ValueError, TypeError, OverflowError, OSError) as exc:
        raise InvalidArticle("bad_timestamp", f"field {field!r}: {exc}") from None


def _is_http_url(url: str) -> bool:
    if not re.match(r"^https?://\S+$", url):
        return False
    try:  # what de-duplication will parse: e.g. "http://[::1" raises ValueError there
        return bool(urlsplit(url).netloc)
    except ValueError:
        return False


def validate_payload(
    payload: bytes | str | dict[str, Any],
    now: datetime | None = None,
    limits: ValidationLimits | None = None,
) -> RawArticle:
    """Parse and validate one payload. Raises ``InvalidArticle`` with a reason code."""
    limits = limits or ValidationLimits()
    now = now or datetime.now(UTC)
    if isinstance(payload, bytes | bytearray):
        if len(payload) > limits.max_payload_bytes:
            raise InvalidArticle("too_large", f"payload has {len(payload)} bytes; the limit is "
                                 f"{limits.max_payload_bytes}")
        try:
            payload = bytes(payload).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidArticle("bad_encoding", f"payload is not valid UTF-8 ({exc.reason} at "
                                 f"byte {exc.start})") from None
    if isinstance(payload, str):
        if len(payload) > limits.max_payload_bytes:
            raise InvalidArticle("too_large", f"payload has {len(payload)} characters; the limit "
                                 f"is {limits.max_payload_bytes}")
        if not payload.strip():
            raise InvalidArticle("empty_payload", "payload is empty")
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError) as exc:  # ValueError: also the int digit limit
            raise InvalidArticle("malformed_json", f"payload is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise InvalidArticle("wrong_type", f"payload must be a JSON object, got "
                             f"{type(payload).__name__}")
    d = payload
    version = d.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise InvalidArticle("unsupported_schema", f"schema_version {version!r} is not supported "
                             f"(this worker reads {SCHEMA_VERSION})")
    art_id = d.get("id")
    if isinstance(art_id, int) and not isinstance(art_id, bool):
        if abs(art_id) >= 10 ** limits.max_id_chars:
            raise InvalidArticle("too_large", f"field 'id' is longer than {limits.max_id_chars} "
                                 "digits")
        art_id = str(art_id)
    art_id = _clean_text(art_id, "id", limits.max_id_chars, required=True)
    if not art_id:
        raise InvalidArticle("missing_field", "field 'id' is empty")
    source = _clean_text(d.get("source"), "source", 200, required=True) or "unknown"
    url = _clean_text(d.get("url"), "url", limits.max_url_chars, required=False) or None
    if url and not _is_http_url(url):
        raise InvalidArticle("bad_url", f"field 'url' must be an http(s) URL, got {url[:80]!r}")
    if "published_at" not in d or d["published_at"] in (None, ""):
        raise InvalidArticle("missing_field", "field 'published_at' is required")
    published = _time(d["published_at"], "published_at")
    if published > now + timedelta(seconds=limits.max_future_skew_s):
        raise InvalidArticle("future_timestamp", f"published_at {published.isoformat()} is more "
                             f"than {limits.max_future_skew_s}s in the future")
    if published < now - timedelta(seconds=limits.max_past_age_s):
        raise InvalidArticle("stale_timestamp", f"published_at {published.isoformat()} is older "
                             f"than the {limits.max_past_age_s}s limit")
    fetched_raw = d.get("fetched_at")
    fetched = _time(fetched_raw, "fetched_at") if fetched_raw not in (None, "") else now
    title = _clean_text(d.get("title"), "title", limits.max_title_chars, required=False)
    text = _clean_text(d.get("text"), "text", limits.max_text_chars, required=False)
    if not title and not text:
        raise InvalidArticle("empty_text", "both 'title' and 'text' are empty")
    lang = d.get("lang") or "en"
    if not isinstance(lang, str) or not _LANG.match(lang):
        raise InvalidArticle("wrong_type", f"field 'lang' must be an ISO 639 code, got {lang!r}")
    tickers_raw = d.get("tickers") or []
    if isinstance(tickers_raw, str):
        tickers_raw = [tickers_raw]
    if not isinstance(tickers_raw, list) or len(tickers_raw) > limits.max_tickers:
        raise InvalidArticle("wrong_type", f"field 'tickers' must be a list of at most "
                             f"{limits.max_tickers} strings")
    tickers: list[str] = []
    for t in tickers_raw:
        if not isinstance(t, str):
            raise InvalidArticle("wrong_type", "field 'tickers' must contain strings")
        t = t.strip().lstrip("$").upper()
        if not _TICKER.match(t):
            raise InvalidArticle("bad_ticker", f"ticker {t[:20]!r} is not a valid symbol")
        if t not in tickers:
            tickers.append(t)
    is_rt = d.get("is_retweet", False)
    if not isinstance(is_rt, bool):
        raise InvalidArticle("wrong_type", "field 'is_retweet' must be a boolean")
    return RawArticle(
        id=art_id, source=source, url=url, published_at=published, fetched_at=fetched,
        title=title, text=text, lang=lang.lower(), tickers=tuple(tickers), is_retweet=is_rt,
    )


def to_deadletter(
    payload: Any, error: InvalidArticle, topic: str = "", partition: int | None = None,
    offset: int | None = None,
) -> DeadLetter:
    return DeadLetter(error.reason, error.detail, _payload_preview(payload), topic, partition, offset)
