"""Readers of news archives and feeds into raw-article dicts (schema v1): JSONL(.gz), CSV, RSS/Atom.

Readers never validate (the worker does, and dead-letters what is wrong); they yield payloads as
they are, or a raw line when a JSONL line is not JSON, so that nothing is silently dropped.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

SAMPLE = "stocknet_sample.jsonl.gz"


def bundled_sample() -> Path:
    """The bundled news sample (real stocknet tweets, MIT) shipped inside the package."""
    return Path(str(resources.files("newsrisk.data").joinpath(SAMPLE)))


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="surrogateescape")  # type: ignore[return-value]
    return open(path, encoding="utf-8", errors="surrogateescape")  # noqa: SIM115


def read_jsonl(path: Path) -> Iterator[bytes]:
    """Yield each non-empty line as bytes (the worker parses and validates it)."""
    with _open_text(path) as fh:
        for line in fh:
            line = line.strip()
            if line:
                yield line.encode("utf-8", errors="surrogateescape")


def read_csv(path: Path) -> Iterator[dict[str, Any]]:
    with _open_text(path) as fh:
        for row in csv.DictReader(fh):
            rec: dict[str, Any] = {k: v for k, v in row.items() if k and v not in (None, "")}
            if "tickers" in rec:
                rec["tickers"] = [t for t in str(rec["tickers"]).replace(";", ",").split(",") if t]
            yield rec


def read_feed(url_or_path: str) -> Iterator[dict[str, Any]]:
    """RSS/Atom entries as raw articles (title, summary, link, published)."""
    import feedparser

    feed = feedparser.parse(url_or_path)
    if feed.bozo and not feed.entries:
        raise ValueError(f"could not read a feed from {url_or_path}: {feed.bozo_exception}")
    source = feed.feed.get("title") or url_or_path
    now = datetime.now(UTC).isoformat()
    for e in feed.entries:
        published = e.get("published_parsed") or e.get("updated_parsed")
        when = (datetime(*published[:6], tzinfo=UTC).isoformat() if published else None)
        link = e.get("link")
        ident = e.get("id") or link or hashlib.sha1(
            (e.get("title", "") + str(when)).encode()).hexdigest()
        yield {
            "id": ident, "source": source, "url": link, "published_at": when,
            "fetched_at": now, "title": e.get("title", ""),
            "text": _strip_html(e.get("summary", "")), "lang": "en",
        }


def _strip_html(text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", text)).strip()


def read_source(spec: str) -> Iterator[Any]:
    """Dispatch by form: http(s) URL or .xml/.rss/.atom = feed, .csv = CSV, else JSONL(.gz)."""
    if spec.startswith(("http://", "https://")):
        return read_feed(spec)
    path = Path(spec)
    if not path.exists():
        raise FileNotFoundError(f"input {spec} does not exist")
    name = path.name.lower()
    if name.endswith((".xml", ".rss", ".atom")):
        return read_feed(str(path))
    if name.endswith((".csv", ".csv.gz")):
        return read_csv(path)
    return read_jsonl(path)
