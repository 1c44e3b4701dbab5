"""Generators of hostile raw-article payloads (hypothesis strategies and a seeded mutator)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
MB10 = 10 * 1024 * 1024

HTML = ["<script>alert(document.cookie)</script>", "<img src=x onerror=alert(1)>",
        "\"><svg/onload=alert(1)>", "<!--", "]]>", "&lt;&#x3C;&amp;", "javascript:alert(1)",
        "'; DROP TABLE articles; --", "{{7*7}}", "${jndi:ldap://x/a}", "%s%n%x", "\\u0000"]
WEIRD = ["\u202e\u2066evil\u2069", "\u200b\u200c\u200d\ufeff", "Z\u0351\u0360\u0361a\u0352l\u0353g",
         "😀🔥📉💥", "\ud83d", "\udfff", "\x00\x01\x1b[31m\x7f", "\r\n\t\v\f", "ﬁ ǅ Å Å",
         "\U0010ffff", "\ufffd\ufffd\ufffd\ufffd\ufffd"]
HEADLINES = ["Acme Corp shares plunge after profit warning", "Fed signals further rate hikes",
             "Apple beats earnings estimates on iPhone sales", "Oil falls as inventories build"]


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


GOOD_TIMES = [iso(NOW - timedelta(minutes=m)) for m in (0, 1, 59, 600, 86_400)]
BAD_TIMES: list[Any] = [
    "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59", iso(NOW + timedelta(days=1)), iso(NOW + timedelta(seconds=301)),
    "1900-01-01T00:00:00Z", "yesterday", "2025-13-45T25:61:61Z", "２０２５-01-01", "", " ",
    1e20, -1e20, 10**30, -(10**30), float("nan"), float("inf"), True, [], {}, None, 0, -1,
    NOW.timestamp() + 10**9, "2025-01-01T00:00:00+99:00", "2025-01-01T00:00:00Z" * 1000,
]
bad_times = st.integers(0, len(BAD_TIMES) - 1).map(BAD_TIMES.__getitem__)


def base_record(i: int, text: str | None = None) -> dict[str, Any]:
    return {"id": f"r{i}", "source": "wire", "url": f"https://news.example.com/a/{i}",
            "published_at": iso(NOW - timedelta(minutes=i % 600)),
            "title": HEADLINES[i % len(HEADLINES)],
            "text": text if text is not None else f"Story {i}: {HEADLINES[(i + 1) % 4]}.",
            "lang": "en", "tickers": ["ACME"]}


# --- hypothesis strategies --------------------------------------------------------------------
hostile_chars = st.one_of(  # any code point, with lone surrogates and controls made likely
    st.characters(exclude_categories=[]),
    st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\x00", "\x1b", "\x7f", "\u2028",
                     "\ufffd", "<", ">", "&", '"', "\\"]))
small_text = st.one_of(
    st.text(hostile_chars, max_size=60),
    st.sampled_from(HTML + WEIRD + HEADLINES),
    st.lists(st.sampled_from(HTML + WEIRD + HEADLINES + [" "]), max_size=8).map("".join),
)
BIG_TEXTS = ("x" * 20_001, "y" * 100_000, "é" * 20_000, " " * 90_000 + "z", "\x00" * 30_000,
             "w" * 1_100_000)
# Indexes, not values, so that hypothesis never builds a multi-megabyte repr of the strategy.
big_text = st.integers(0, len(BIG_TEXTS) - 1).map(BIG_TEXTS.__getitem__)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), small_text)
junk = st.recursive(json_scalar, lambda c: st.one_of(st.lists(c, max_size=3),
                                                   st.dictionaries(small_text, c, max_size=3)),
                    max_leaves=4)


def field_values(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a good value, else a hostile one of any type."""
    return st.one_of(good, good, good, small_text, junk, big_text)


records = st.fixed_dictionaries(
    {
        "id": field_values(st.one_of(st.text(min_size=1, max_size=20), st.integers())),
        "source": field_values(st.sampled_from(["wire", "stocknet", "rss"])),
        "url": field_values(st.one_of(
            st.none(), st.builds(lambda s: "https://x.example/" + s, small_text),
            st.sampled_from(["http://[::1", "https://", "ftp://x/y", "http://a b",
                             "https://\u2100.com/", "http://[v1.x]/", "https://a.com:99999/"]),
            st.just(None).map(lambda _: "http://" + "a" * 3000))),
        "published_at": st.one_of(st.sampled_from(GOOD_TIMES), st.sampled_from(GOOD_TIMES),
                                  bad_times, junk),
        "title": field_values(st.sampled_from(HEADLINES)),
        "text": field_values(st.builds(lambda a, b: a + " " + b, small_text, small_text)),
    },
    optional={
        "lang": field_values(st.sampled_from(["en", "de", "en-US", "xx-Latn"])),
        "tickers": field_values(st.lists(st.sampled_from(["AAPL", "$msft", "brk.b", "A" * 11,
                                                          "ÄPPL", "", "$"]), max_size=60)),
        "is_retweet": field_values(st.booleans()),
        "fetched_at": st.one_of(st.sampled_from(GOOD_TIMES), bad_times),
        "schema_version": st.sampled_from([1, 2, 0, "1", None, True, 1.0]),
        "extra": junk,
    },
)


def encode(d: dict[str, Any], how: int) -> Any:
    """Put a record on the wire in one of several (mostly broken) ways."""
    if how == 0:
        return d  # an in-process caller passing a dict
    try:
        text = json.dumps(d, ensure_ascii=how % 2 == 0)
    except (ValueError, TypeError):
        return repr(d)[:1000].encode("utf-8", "replace")
    if how in (1, 2):
        return text.encode("utf-8", "surrogatepass")  # lone surrogates: invalid UTF-8
    if how == 3:
        return text  # a str payload
    if how == 4:
        return text.encode("utf-8", "surrogatepass")[: max(1, len(text) // 2)]  # truncated
    if how == 5:
        return text.encode("utf-16", "surrogatepass")  # wrong encoding
    return text.encode("utf-8", "surrogatepass")


RAW_CONSTANTS = (b"", b" ", b"null", b"[]", b"{}", b'"str"', b"1e999", b"[" * 50_000,
                 b'{"id": ' + b"9" * 5000 + b"}", b"\xef\xbb\xbf{}", b'{"id":1}\x00',
                 b"x" * (MB10 + 1), ("{" + " " * MB10 + "}").encode())
raw_payloads = st.one_of(
    st.binary(max_size=200), st.text(hostile_chars, max_size=100),
    junk.map(lambda j: json.dumps(j).encode()),
    st.integers(0, len(RAW_CONSTANTS) - 1).map(RAW_CONSTANTS.__getitem__),
)
payloads = st.one_of(st.tuples(records, st.integers(0, 7)).map(lambda t: encode(*t)),
                     st.tuples(records, st.integers(0, 7)).map(lambda t: encode(*t)),
                     raw_payloads)


# --- a seeded mutator, for volume without hypothesis's per-example cost -----------------------
def mutated(rng: random.Random, i: int) -> Any:
    d = base_record(i)
    for _ in range(rng.randint(0, 3)):
        key = rng.choice([*d, "tickers", "lang", "is_retweet", "schema_version"])
        d[key] = rng.choice([None, "", 0, -1, True, [], {}, 1e308, rng.choice(HTML),
                             rng.choice(WEIRD), rng.choice(BAD_TIMES), rng.choice(GOOD_TIMES),
                             "x" * rng.choice([10, 1000, 25_000])])
    data = json.dumps(d, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    op = rng.random()
    if op < 0.15:  # flip a few bytes
        buf = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        return bytes(buf)
    if op < 0.25:
        return data[: rng.randrange(len(data))]
    if op < 0.30:
        return data + data  # two objects glued together
    if op < 0.35:
        return data.decode("utf-8", "surrogatepass")
    return data


def splice(rng: random.Random, payloads: list[Any]) -> bytes:
    """Derive a broken payload from generated ones: flip, truncate, glue, or duplicate keys."""
    def as_bytes(p: Any) -> bytes:
        if isinstance(p, bytes):
            return p
        if isinstance(p, str):
            return p.encode("utf-8", "surrogatepass")
        return json.dumps(p, default=str).encode("utf-8", "surrogatepass")

    a = as_bytes(rng.choice(payloads))[:5000]
    op = rng.randrange(5)
    if op == 0 and a:
        buf = bytearray(a)
        for _ in range(rng.randint(1, 3)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        return bytes(buf)
    if op == 1:
        return a[: rng.randrange(len(a) + 1)]
    if op == 2:
        b = as_bytes(rng.choice(payloads))[:5000]
        return a[: len(a) // 2] + b[len(b) // 2:]
    if op == 3:  # duplicate keys: the last one wins in json.loads
        return b'{"id": "dup", "id": ' + a[:200] + b', "published_at": 1}'
    return a
