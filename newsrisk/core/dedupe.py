"""De-duplication of articles by id, canonical URL, normalised text and retweets of a seen text.

State is bounded: keys older than ``horizon_s`` (in event time, relative to the newest article
seen) are evicted, and at most ``max_entries`` keys are kept (oldest first out).
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newsrisk.records import RawArticle

_RT_PREFIX = re.compile(r"^\s*RT\s+@\w+\s*:?\s*", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_MENTION = re.compile(r"@\w+")
_NON_WORD = re.compile(r"[^\w$%]+")
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|cmpid|ncid|yptr|soc_src|soc_trk)$")
MIN_FINGERPRINT_CHARS = 20


def canonical_url(url: str) -> str:
    """Lower-case scheme/host, drop fragments, tracking parameters and trailing slashes."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


def strip_retweet(text: str) -> tuple[str, bool]:
    stripped = _RT_PREFIX.sub("", text, count=1)
    return stripped, stripped != text


def normalise_text(text: str) -> str:
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def text_fingerprint(text: str) -> str | None:
    """A stable fingerprint of the text, or None when it is too short to be distinctive."""
    body, _ = strip_retweet(text)
    norm = normalise_text(body)
    if len(norm) < MIN_FINGERPRINT_CHARS:
        return None
    return hashlib.blake2b(norm.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class DedupKeys:
    id: str
    url: str | None
    text: str | None
    is_retweet: bool

    def all(self) -> list[str]:
        keys = [self.id]
        if self.url:
            keys.append(self.url)
        if self.text:
            keys.append(self.text)
        return keys


def dedup_keys(article: RawArticle) -> DedupKeys:
    return keys_for(article.source, article.id, article.url, article.full_text, article.text,
                    article.is_retweet)


def keys_for(source: str, article_id: str, url: str | None, full_text: str, text: str,
             is_retweet: bool = False) -> DedupKeys:
    _, rt_prefix = strip_retweet(text or full_text)
    fp = text_fingerprint(full_text if not rt_prefix else text)
    return DedupKeys(
        id=f"id:{source}:{article_id}",
        url=f"url:{canonical_url(url)}" if url else None,
        text=f"txt:{fp}" if fp else None,
        is_retweet=is_retweet or rt_prefix,
    )


class Deduplicator:
    """Remembers keys of accepted articles; ``check`` returns the duplicate reason or None."""

    def __init__(self, horizon_s: int = 3 * 86400, max_entries: int = 500_000) -> None:
        self.horizon_s = horizon_s
        self.max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()  # key -> event time (epoch s)
        self._newest = float("-inf")

    def __len__(self) -> int:
        return len(self._seen)

    def check(self, keys: DedupKeys, event_time: float | None = None) -> str | None:
        """The duplicate reason, or None. A key matches when it was seen within ``horizon_s`` of
        ``event_time`` (either side), so the verdict does not depend on how partitions
        interleave or on what else arrived meanwhile."""

        def seen(key: str | None) -> bool:
            if not key or key not in self._seen:
                return False
            return event_time is None or abs(event_time - self._seen[key]) <= self.horizon_s

        if seen(keys.id):
            return "id"
        if seen(keys.url):
            return "url"
        if seen(keys.text):
            return "retweet" if keys.is_retweet else "text"
        return None

    def add(self, keys: DedupKeys, event_time: float) -> None:
        for key in keys.all():
            self._seen[key] = event_time
            self._seen.move_to_end(key)
        if event_time > self._newest:
            self._newest = event_time
        self._evict()

    def check_and_add(self, article: RawArticle) -> str | None:
        keys = dedup_keys(article)
        t = article.published_at.timestamp()
        reason = self.check(keys, t)
        if reason is None:
            self.add(keys, t)
        return reason

    def _evict(self) -> None:
        while len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)
        # Memory keeps twice the horizon so that lagging partitions still find their keys.
        cutoff = self._newest - 2 * self.horizon_s
        # Keys are roughly in event-time order; evict from the old end while they are stale.
        while self._seen:
            key, ts = next(iter(self._seen.items()))
            if ts >= cutoff:
                break
            del self._seen[key]

    def state_dict(self) -> dict[str, Any]:
        return {"seen": list(self._seen.items()), "newest": self._newest}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._seen = OrderedDict((k, float(v)) for k, v in state.get("seen", []))
        self._newest = float(state.get("newest", float("-inf")))
