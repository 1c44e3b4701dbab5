from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsrisk.core.dedupe import Deduplicator, canonical_url, text_fingerprint
from newsrisk.records import RawArticle

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def art(i: str, text: str, url: str | None = None, source: str = "s", dt: float = 0,
        rt: bool = False) -> RawArticle:
    t = T0 + timedelta(seconds=dt)
    return RawArticle(i, source, url, t, t, "", text, is_retweet=rt)


def test_id_url_text_and_retweet_duplicates():
    d = Deduplicator()
    text = "Walmart cuts its profit forecast and shares tumble 10 percent"
    assert d.check_and_add(art("1", text, "https://www.x.com/a?utm_source=tw#top")) is None
    assert d.check_and_add(art("1", "something else entirely, long enough")) == "id"
    assert d.check_and_add(art("2", "other words here, long enough", "https://x.com/a/")) == "url"
    assert d.check_and_add(art("3", text.upper() + "!!! http://t.co/xyz")) == "text"
    assert d.check_and_add(art("4", "RT @trader: " + text)) == "retweet"
    assert d.check_and_add(art("5", "A different story about Target stores")) is None


def test_same_id_from_other_source_is_not_a_duplicate():
    d = Deduplicator()
    assert d.check_and_add(art("1", "first text that is long enough", source="a")) is None
    assert d.check_and_add(art("1", "second text that is long enough", source="b")) is None


def test_horizon_evicts_old_keys_and_entries_are_bounded():
    d = Deduplicator(horizon_s=3600, max_entries=10_000)
    text = "Acme recalls a million cars over brake failures"
    assert d.check_and_add(art("1", text, dt=0)) is None
    assert d.check_and_add(art("2", "filler text to advance the clock far", dt=7200)) is None
    assert d.check_and_add(art("3", text, dt=7201)) is None  # first copy is beyond the horizon
    small = Deduplicator(max_entries=5)
    for i in range(50):
        small.check_and_add(art(str(i), f"unique story number {i} with enough characters", dt=i))
    assert len(small) <= 5


def test_short_texts_are_not_fingerprinted_and_state_round_trips():
    assert text_fingerprint("$AAPL up") is None
    d = Deduplicator()
    d.check_and_add(art("1", "Acme recalls a million cars over brake failures"))
    e = Deduplicator()
    e.load_state_dict(d.state_dict())
    assert e.check_and_add(art("9", "Acme recalls a million cars over brake failures")) == "text"


def test_canonical_url():
    assert canonical_url("HTTP://WWW.Example.com/a/?b=1&utm_medium=x#f") == \
        "https://example.com/a?b=1"


def test_verdict_does_not_depend_on_partition_interleaving():
    text = "Acme recalls a million cars over brake failures"
    d = Deduplicator(horizon_s=3600)
    assert d.check_and_add(art("1", text, dt=0)) is None
    # another partition ran far ahead in event time
    assert d.check_and_add(art("2", "another partition ran ahead in time", dt=5000)) is None
    assert d.check_and_add(art("3", text, dt=3000)) == "text"  # within the horizon of copy 1
    # duplicates are not remembered: the key keeps the first copy's time
    assert d.check_and_add(art("4", text, dt=4000)) is None
