from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from newsrisk.backtest.evaluate import evaluate
from newsrisk.backtest.prices import PriceBook, close_time, read_prices
from newsrisk.records import Alert

CSV = """Date,Open,High,Low,Close,Adj Close,Volume
2015-10-05,1,1,1,100,100,1
2015-10-06,1,1,1,101,101,1
2015-10-07,null,null,null,null,null,null
2015-10-08,1,1,1,90,90,1
2015-10-09,1,1,1,91,91,1
2015-10-12,1,1,1,86,86,1
2015-10-13,1,1,1,86.5,86.5,1
2015-10-14,1,1,1,87,87,1
2015-10-15,1,1,1,87,87,1
2015-10-16,1,1,1,80,80,1
"""


@pytest.fixture
def book(tmp_path: Path) -> PriceBook:
    (tmp_path / "WMT.csv").write_text(CSV)
    (tmp_path / "FB.csv").write_text(CSV)
    return PriceBook(tmp_path, aliases={"META": ("META", "FB"), "WMT": ("WMT",)})


def _alert(key: str, end: datetime, kind: str = "entity") -> Alert:
    return Alert(Alert.make_id(kind, key, "1h", end), kind, key, "1h", end, end, 0.7, "warning",
                 10, 5, 0.5, -0.3, {}, ())


def test_drops_skip_null_rows_and_use_adj_close(tmp_path: Path) -> None:
    (tmp_path / "X.csv").write_text(CSV)
    s = read_prices(tmp_path / "X.csv")
    assert date(2015, 10, 7) not in s.days
    drops = s.drops(0.05)
    # 101 -> 90 (-10.9%), 91 -> 86 (-5.5%), 87 -> 80 (-8.0%); 86 -> 86.5 is not a drop
    assert [(d.day, round(d.ret, 3)) for d in drops] == [
        (date(2015, 10, 8), -0.109), (date(2015, 10, 12), -0.055), (date(2015, 10, 16), -0.08)]
    assert close_time(date(2015, 10, 8)).astimezone(UTC).hour == 20  # 16:00 EDT


def test_horizon_starts_after_the_alert(tmp_path: Path) -> None:
    (tmp_path / "X.csv").write_text(CSV)
    s = read_prices(tmp_path / "X.csv")
    before_close = datetime(2015, 10, 8, 19, 0, tzinfo=UTC)  # 15:00 New York
    after_close = datetime(2015, 10, 8, 21, 0, tzinfo=UTC)
    assert s.next_days(before_close, 2) == (date(2015, 10, 8), date(2015, 10, 9))
    assert s.next_days(after_close, 2) == (date(2015, 10, 9), date(2015, 10, 12))


def test_tp_fp_recall_and_lead_time(book: PriceBook) -> None:
    start = datetime(2015, 10, 1, tzinfo=UTC)
    end = datetime(2015, 10, 15, tzinfo=UTC)  # the 10-16 drop is outside the period
    alerts = [
        _alert("WMT", datetime(2015, 10, 7, 20, 0, tzinfo=UTC)),  # TP: 10-08 drop, 24h lead
        _alert("WMT", datetime(2015, 10, 8, 12, 0, tzinfo=UTC)),  # TP too (same drop, later)
        _alert("WMT", datetime(2015, 10, 13, 0, 0, tzinfo=UTC)),  # TP: 10-16 drop (4th day)
        _alert("META", datetime(2015, 10, 16, 21, tzinfo=UTC)),  # FP: no trading day after
        _alert("TSLA", datetime(2015, 10, 7, tzinfo=UTC)),  # unpriced
        _alert("Markets", datetime(2015, 10, 7, tzinfo=UTC), kind="topic"),  # ignored
    ]
    ev = evaluate(alerts, book, {"WMT", "META"}, start, end, horizon_days=5)
    assert ev.alerts == 4 and ev.alerts_unpriced == 1 and ev.true_positives == 3
    assert ev.precision == pytest.approx(0.75)
    # events in the period: WMT 10-08, 10-12 and FB 10-08, 10-12 (META resolves to FB.csv)
    assert ev.events == 4
    assert ev.detected == 2  # WMT 10-08 and 10-12; FB's never
    assert ev.recall == pytest.approx(0.5)
    # 10-08 close 20:00Z - earliest alert 10-07 20:00Z = 24h; 10-12 close - 10-07 20:00Z = 5 days
    assert ev.lead_hours == [24.0, 120.0]
    assert ev.median_lead_hours == pytest.approx(72.0)
    assert ev.alerts_per_day == pytest.approx(5 / 14)
    hits = {o.alert.window_end.day: o.drop.day.day for o in ev.outcomes if o.drop}
    assert hits == {7: 8, 8: 8, 13: 16}
