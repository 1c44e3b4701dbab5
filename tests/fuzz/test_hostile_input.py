"""Hostile input (issue 6): every malformed or adversarial record is dead-lettered with a reason
or processed correctly; nothing crashes; memory stays bounded.

Volume: 100 hypothesis batches of 60 (6,000 records) + 5,000 seeded mutations + a 50,000-record
duplicate flood + 10 MB payloads, all through the real ``ScoringStage.triage``.
"""

from __future__ import annotations

import json
import random
import re
import sys
import tracemalloc
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from hostile import HTML, MB10, NOW, WEIRD, base_record, iso, mutated, payloads, splice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsrisk.config import Settings
from newsrisk.core.components import build_scoring_stage
from newsrisk.core.scoring import Incoming, ScoringStage, keyed_events
from newsrisk.ingest.validate import MAX_DEADLETTER_PAYLOAD, validate_payload
from newsrisk.records import SENTIMENT_LABELS, RawArticle

REASONS = {"too_large", "bad_encoding", "empty_payload", "malformed_json", "wrong_type",
           "unsupported_schema", "missing_field", "bad_url", "bad_timestamp", "future_timestamp",
           "stale_timestamp", "empty_text", "bad_ticker"}  # "invalid" (unexpected) must not occur
TICKER = re.compile(r"^[A-Z][A-Z0-9.\-]{0,9}$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
SETTINGS = Settings()


def make_stage(classifier: Any, **overrides: Any) -> ScoringStage:
    stage = build_scoring_stage(SETTINGS.with_overrides(**overrides), classifier, None)
    stage.clock = lambda: NOW
    return stage


@pytest.fixture(scope="module")
def stage(classifier) -> ScoringStage:
    return make_stage(classifier)


def incoming(payloads: Sequence[Any], first_offset: int = 0) -> list[Incoming]:
    """Each item's offset and a unique ingested_at identify its outcome."""
    return [Incoming(p, NOW + timedelta(microseconds=first_offset + i), "news.raw", 0,
                     first_offset + i) for i, p in enumerate(payloads)]


def check_accepted(art: RawArticle) -> None:
    limits = SETTINGS
    assert art.id and len(art.id) <= 256 and (art.title or art.text)
    for value in (art.id, art.source, art.title, art.text, art.url or ""):
        assert not CONTROL.search(value), value[:80]
        value.encode("utf-8")  # storable and publishable as strict UTF-8
    assert len(art.text) <= limits.max_text_chars and len(art.title) <= 1000
    assert art.url is None or re.match(r"^https?://\S+$", art.url)
    assert all(TICKER.match(t) for t in art.tickers) and len(art.tickers) <= 50
    assert NOW - timedelta(seconds=limits.max_past_age_s) <= art.published_at
    assert art.published_at <= NOW + timedelta(seconds=limits.max_future_skew_s)
    # Idempotent: what was accepted round-trips through the wire format unchanged.
    again = validate_payload(json.dumps(art.to_dict()).encode(), now=NOW)
    assert again == art


def triage_and_check(stage: ScoringStage, items: list[Incoming]) -> dict[int, str]:
    """Run one batch; every item gets exactly one outcome. Returns offset -> outcome."""
    out = stage.triage(items)
    outcome: dict[int, str] = {}
    for dl in out.deadletters:
        assert dl.reason in REASONS, (dl.reason, dl.detail)
        assert dl.detail and len(dl.payload) <= MAX_DEADLETTER_PAYLOAD
        assert dl.source_topic == "news.raw" and dl.partition == 0 and dl.offset is not None
        assert dl.offset not in outcome
        outcome[dl.offset] = dl.reason
    first = items[0].ingested_at
    assert first is not None
    for art, ingested_at in out.accepted:
        offset = items[0].offset + (ingested_at - first) // timedelta(microseconds=1)
        assert offset not in outcome
        outcome[offset] = "accepted"
        check_accepted(art)
    n_dup = sum(out.duplicates.values())
    assert set(out.duplicates) <= {"id", "url", "text", "retweet"}
    assert len(outcome) + n_dup == len(items)
    return outcome


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example])
@given(batch=st.lists(payloads, min_size=12, max_size=12), seed=st.integers(0, 2**32))
def test_hypothesis_batches(classifier, batch, seed):
    """Per example 60 records: 12 generated, 8 of them re-sent, 40 spliced from them (flipped
    bytes, truncation, glued halves, duplicate keys). 100 examples: 6,000 records."""
    stage = make_stage(classifier)  # fresh de-duplication memory: examples are independent
    rng = random.Random(seed)
    derived = [splice(rng, batch) for _ in range(40)]
    items = incoming(batch + batch[:8] + derived)
    assert len(items) == 60
    outcome = triage_and_check(stage, items)
    for i in range(8):  # a re-sent payload is never dead-lettered if the original was not
        original, again = outcome.get(i), outcome.get(12 + i)
        if original == "accepted" or original is None:  # accepted or duplicate
            assert again in (None, "accepted")  # see test_same_id_far_apart_in_event_time
        else:
            assert again == original


@pytest.mark.xfail(strict=True, reason="known: de-duplication keeps one event time per key, so "
                   "alternating copies of one id with event times beyond the horizon are all "
                   "accepted (core/dedupe.py; found by test_hypothesis_batches)")
def test_same_id_far_apart_in_event_time(classifier):
    stage = make_stage(classifier)
    now, old = base_record(1), {**base_record(1), "published_at": iso(NOW - timedelta(days=60))}
    flood = [json.dumps(r).encode() for r in [now, old] * 50]
    out = stage.triage(incoming(flood))
    assert len(out.accepted) <= 2, f"{len(out.accepted)} of 100 alternating copies accepted"


def test_seeded_mutations(stage):
    """5,000 mutated records: flipped bytes, truncation, type swaps, HTML, control characters."""
    rng = random.Random(6)
    reasons: dict[str, int] = {}
    for start in range(0, 5000, 64):
        items = incoming([mutated(rng, start + i) for i in range(64)], start)
        for r in triage_and_check(stage, items).values():
            reasons[r] = reasons.get(r, 0) + 1
    assert reasons.get("accepted", 0) > 100 and len(reasons) >= 8, reasons


@pytest.mark.parametrize("payload", [
    json.dumps({**base_record(1), "text": "w" * MB10}).encode(),  # valid JSON, 10 MB
    b"\xff" * MB10,  # 10 MB of invalid UTF-8: rejected before decoding
    b"[" * MB10,  # 10 MB of nesting: rejected before parsing
    "x" * MB10,  # a 10 MB str payload
    {**base_record(1), "text": "w" * MB10},  # a dict with a 10 MB text field
    {**base_record(1), "title": "\x00" * MB10},
])
def test_10mb_payloads_are_too_large_without_reading_them(stage, payload):
    tracemalloc.start()
    try:
        out = stage.triage(incoming([payload]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [d.reason for d in out.deadletters] == ["too_large"]
    assert len(out.deadletters[0].payload) <= MAX_DEADLETTER_PAYLOAD
    assert peak < 1_000_000, f"validating a 10 MB payload allocated {peak} bytes"


def test_duplicate_flood_memory_is_bounded(classifier):
    """50,000 records, 80% duplicates (by id, URL with tracking parameters, text, retweet),
    through a stage whose de-duplication memory is capped at 1,000 keys. The interpreter's
    allocated blocks must not grow over the whole flood, and the tracemalloc peak is measured
    over its last 10,000 records (tracing is ~8x slower; by then the memory is saturated, so
    any unbounded growth shows)."""
    max_keys = 1000
    stage = make_stage(classifier, dedup_max_entries=max_keys)
    text = "Acme Corp shares plunge 40% after the regulator opens a fraud probe"
    when = iso(NOW - timedelta(hours=1))

    def rec(i: int, kind: int) -> bytes:
        d: dict[str, Any] = {"id": f"f{i}", "source": "w", "published_at": when}
        if kind == 0:  # unique
            d["text"] = f"Unique story {i} about widgets"
        elif kind == 1:  # the same record over and over
            d.update(id="same", url="https://news.example.com/a/7", text=text)
        elif kind == 2:  # same URL behind tracking parameters, new id, new text
            d.update(url=f"https://WWW.news.example.com/a/7/?utm_source={i}#x", text=f"Re {i}")
        elif kind == 3:  # same text, new id
            d["text"] = text
        else:  # retweets of that text
            d["text"] = f"RT @user{i}: {text}"
        return json.dumps(d).encode()

    flood = [rec(i, i % 5) for i in range(50_000)]
    accepted = duplicates = 0
    blocks: list[int] = []
    try:
        for start in range(0, len(flood), 64):
            if start == 40_000 - 40_000 % 64:
                tracemalloc.start()
            out = stage.triage(incoming(flood[start:start + 64], start))
            assert not out.deadletters
            accepted += len(out.accepted)
            duplicates += sum(out.duplicates.values())
            assert len(stage.dedup) <= max_keys
            del out
            if start % 6400 == 0:
                blocks.append(sys.getallocatedblocks())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert blocks[-1] - blocks[1] < 20_000, blocks  # flat after the first 6,400 records
    assert accepted + duplicates == 50_000
    assert accepted >= 10_000  # every unique record gets through
    assert duplicates >= 39_000, "the capped memory still catches the flood"
    assert peak < 4_000_000, f"peak {peak} bytes"


def test_scoring_survives_adversarial_text(classifier, resolver):
    """~200 accepted hostile records go through the real classifier and entity resolver."""
    stage = build_scoring_stage(SETTINGS, classifier, resolver)
    stage.clock = lambda: NOW
    rng = random.Random(200)
    texts = [
        *(f"{h} Apple (AAPL) shares fall {i}" for i, h in enumerate(HTML)),
        *(f"{w} $TSLA plunges on recall {i} {w}" for i, w in enumerate(WEIRD)),
        "word" * 5000, "$" * 19_999, "A" * 20_000, " . ".join(["Microsoft"] * 3000),
        "\u0300" * 5000 + "Fed", "🔥" * 10_000, "\u202e" * 100 + "Nvidia beats",
    ]
    printable = [w for w in WEIRD if not re.search("[\ufffd\ud800-\udfff]", w)]
    while len(texts) < 210:
        parts = rng.sample(HTML + printable + ["Apple", "AAPL", "$GOOG", "Fed", "plunge"], 5)
        texts.append(" ".join(parts) * rng.randint(1, 3))
    items = incoming([{**base_record(i), "id": f"s{i}", "url": None, "text": t}
                      for i, t in enumerate(texts)])
    triage = stage.triage(items)
    assert len(triage.accepted) >= 195, [d.detail for d in triage.deadletters]
    scored = stage.classify(triage.accepted)
    assert len(scored) == len(triage.accepted)
    for art in scored:
        s = art.sentiment
        assert s.label in SENTIMENT_LABELS
        assert abs(s.negative + s.neutral + s.positive - 1) < 1e-3
        assert all(0 <= p <= 1 for p in (s.negative, s.neutral, s.positive))
        assert all(TICKER.match(e) for e in art.entities)
        json.dumps(art.to_dict()).encode("utf-8")
        for ev in keyed_events(art):
            assert len(ev.title) <= 280
