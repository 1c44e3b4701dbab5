from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newsrisk.backtest.adapters import from_stocknet, to_raw
from newsrisk.backtest.baseline import VolumeBaseline, VolumeRule
from newsrisk.backtest.cache import CachingClassifier
from newsrisk.backtest.evaluate import evaluate
from newsrisk.backtest.frames import WindowFrames
from newsrisk.backtest.prices import PriceBook
from newsrisk.backtest.report import write_report
from newsrisk.core.aggregation import ClosedWindow
from newsrisk.records import Detection, EvidenceArticle, WindowAggregate

from .conftest import FakeClassifier

H = 3600.0


def _frames(counts: list[int], key: str = "WMT", title: str = "t") -> WindowFrames:
    frames = WindowFrames()
    t0 = datetime(2015, 9, 1, tzinfo=UTC).timestamp()
    closed = []
    for i, c in enumerate(counts):
        start = datetime.fromtimestamp(t0 + i * H, tz=UTC)
        end = datetime.fromtimestamp(t0 + (i + 1) * H, tz=UTC)
        ev = (EvidenceArticle(f"a{i}", title, None, start, -0.8, 0.9),) if c else ()
        agg = WindowAggregate("entity", key, "1h", start, end, c, c // 2, -0.1 * c, ev)
        closed.append(ClosedWindow(agg, Detection(0.9 if c > 20 else 0.1, None, False,
                                                  {"warmup": 0.0})))
    frames.add(closed)
    return frames


def test_volume_baseline_spikes_and_cooldown() -> None:
    counts = [2, 3] * (10 * 12)  # 10 quiet days
    counts[200] = 30  # a spike
    counts[202] = 30  # within the cool-down of the first: no new alert
    counts[230] = 40  # far enough: a new alert
    counts[100] = 50  # before 7 days of history: never
    vb = VolumeBaseline(_frames(counts), {"1h": H}, min_history_days=7)
    alerts = vb.alerts(VolumeRule(k=5, min_count=5, cooldown_windows=6))
    starts = [int((a.window_start.timestamp() - alerts[0].window_start.timestamp()) / H)
              for a in alerts]
    assert starts == [0, 30] and alerts[0].count == 30
    assert alerts[0].baseline["median"] in (2.0, 2.5, 3.0)
    assert vb.alerts(VolumeRule(k=50, min_count=5)) == []
    assert vb.alerts(VolumeRule(k=0, min_count=31))[0].count == 40


def test_report_escapes_text(tmp_path: Path) -> None:
    evil = "<script>alert('x')</script> & $WMT"
    counts = [2, 3] * 120
    counts[200] = 30
    frames = _frames(counts, title=evil)
    vb = VolumeBaseline(frames, {"1h": H})
    alerts = vb.alerts(VolumeRule())
    assert alerts
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "WMT.csv").write_text(
        "Date,Open,High,Low,Close,Adj Close,Volume\n2015-09-09,1,1,1,1,100,1\n"
        "2015-09-10,1,1,1,1,90,1\n")
    book = PriceBook(tmp_path / "p", aliases={})
    start, end = datetime(2015, 9, 1, tzinfo=UTC), datetime(2015, 9, 12, tzinfo=UTC)
    ev = evaluate(alerts, book, {"WMT"}, start, end)
    path = write_report(tmp_path / "r", {"note": evil}, ev, ev, alerts, frames, "1h")
    text = path.read_text()
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; $WMT" in text
    assert "data:image/png;base64," in text and "<a " not in text


def test_cache_hits_and_persistence(tmp_path: Path) -> None:
    inner = FakeClassifier()
    c = CachingClassifier(inner, tmp_path)
    first = c.predict(["stock down", "buy now", "stock down"])
    assert inner.calls == 2 and c.misses == 2 and c.hits == 1
    c.close()
    inner2 = FakeClassifier()
    c2 = CachingClassifier(lambda: inner2, tmp_path, identity=("fake-keywords", "1"))
    assert c2.predict(["buy now", "stock down"]) == [first[1], first[0]]
    assert inner2.calls == 0 and c2.size == 2  # never loaded
    c2.predict(["new text"])
    assert inner2.calls == 1


def test_cache_survives_a_torn_last_line(tmp_path: Path) -> None:
    c = CachingClassifier(FakeClassifier(), tmp_path)
    c.predict(["stock down"])
    c.close()
    with open(c.path, "a", encoding="utf-8") as fh:
        fh.write('{"k": "torn')  # an interrupted run
    c2 = CachingClassifier(FakeClassifier(), tmp_path)
    assert c2.size == 1
    c2.predict(["buy now"])
    c2.close()
    inner = FakeClassifier()
    c3 = CachingClassifier(inner, tmp_path)
    assert c3.size == 2 and c3.predict(["buy now", "stock down"]) and inner.calls == 0


def test_stocknet_adapter() -> None:
    line = ('{"id": "1", "published_at": "2015-10-14T15:00:00Z", "text": "$WMT down", '
            '"tickers": ["WMT"], "cashtags": ["WMT"], "author_followers": 3, '
            '"retweet_count": 0, "is_retweet": false, "lang": "en"}')
    raw = to_raw(line.encode())
    assert raw == from_stocknet({**raw, "cashtags": []} | {"id": "1", "tickers": ["WMT"]}) or raw
    assert raw["source"] == "stocknet" and raw["title"] == "" and raw["url"] is None
    assert raw["fetched_at"] == raw["published_at"] and raw["tickers"] == ["WMT"]
    v1 = {"schema_version": 1, "id": "x", "source": "s", "published_at": "2015-01-01T00:00Z",
          "text": "t", "title": ""}
    assert to_raw(v1) is v1
    assert to_raw(b"not json") == b"not json"
