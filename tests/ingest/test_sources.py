from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsrisk.ingest.producer import Pacer, _key_and_time
from newsrisk.ingest.sources import bundled_sample, read_source
from newsrisk.ingest.validate import validate_payload

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Wire</title>
<item><title>Acme &amp; Co shares slump</title><link>https://wire.example/a1</link>
<guid>a1</guid><pubDate>Tue, 14 Oct 2025 13:00:00 GMT</pubDate>
<description>&lt;p&gt;Acme cut its outlook.&lt;/p&gt;</description></item>
</channel></rss>"""


def test_rss_items_become_valid_articles(tmp_path: Path):
    p = tmp_path / "feed.rss"
    p.write_text(RSS)
    [rec] = list(read_source(str(p)))
    art = validate_payload(rec)
    assert art.source == "Wire" and art.url == "https://wire.example/a1"
    assert art.title == "Acme & Co shares slump" and art.text == "Acme cut its outlook."
    assert art.published_at.isoformat().startswith("2025-10-14T13:00")


def test_csv_and_jsonl_gz(tmp_path: Path):
    c = tmp_path / "n.csv"
    c.write_text("id,source,published_at,title,text,tickers\n"
                 "1,s,2025-01-01T00:00:00Z,T,Body text,AAPL;MSFT\n")
    [rec] = list(read_source(str(c)))
    assert validate_payload(rec).tickers == ("AAPL", "MSFT")
    g = tmp_path / "n.jsonl.gz"
    with gzip.open(g, "wt") as fh:
        fh.write(json.dumps({"id": "x"}) + "\n\n{broken\n")
    lines = list(read_source(str(g)))
    assert lines == [b'{"id": "x"}', b"{broken"]  # passed on as-is: the worker dead-letters


def test_missing_input_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_source("/nonexistent/file.jsonl")


def test_bundled_sample_ships_in_the_package():
    first = next(iter(read_source(str(bundled_sample()))))
    assert validate_payload(first).source == "stocknet"


def test_same_text_same_partition_key_and_pacer_keeps_event_time(monkeypatch):
    a = {"id": "1", "text": "Walmart cuts its outlook, shares plunge 10 percent",
         "published_at": "2015-10-14T15:00:00Z"}
    b = {**a, "id": "2", "text": "RT @x: " + a["text"]}
    assert _key_and_time(a)[0] == _key_and_time(b)[0]
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    pacer = Pacer(speed=3600, max_sleep_s=100)
    pacer.wait(0.0)
    pacer.wait(7200.0)  # two hours of event time at 3600x = about 2 s
    assert slept and 1.5 < slept[-1] <= 2.0
