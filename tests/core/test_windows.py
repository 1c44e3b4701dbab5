from __future__ import annotations

from newsrisk.config import parse_windows
from newsrisk.core.windows import KeyedEvent, WindowAggregator

H = 3600.0


def ev(key: str, t: float, neg: bool, i: str, kind: str = "topic") -> KeyedEvent:
    return KeyedEvent(kind, key, i, f"title {i}", None, t, -0.8 if neg else 0.5,
                      0.9 if neg else 0.05, neg)


def run(events, specs="1h:1h", lateness=0.0):
    agg = WindowAggregator(parse_windows(specs), allowed_lateness_s=lateness)
    closed = []
    for e in events:
        closed += agg.add(e)
    return agg, closed


def test_tumbling_windows_close_on_watermark_with_counts_and_evidence():
    events = [ev("Fed", 10, True, "a"), ev("Fed", 20, False, "b"), ev("Fed", 30, True, "c"),
              ev("Fed", H + 5, False, "d")]
    agg, closed = run(events)
    assert len(closed) == 1
    w = closed[0]
    assert (w.count, w.negative) == (3, 2)
    assert abs(w.negative_share - 2 / 3) < 1e-9
    assert w.start.timestamp() == 0 and w.end.timestamp() == H
    assert [e.id for e in w.top_negative] == ["c", "a"] or {e.id for e in w.top_negative} == {"a", "c"}
    assert len(agg.flush()) == 1


def test_gaps_produce_explicit_empty_windows_for_active_keys():
    _, closed = run([ev("Fed", 10, True, "a"), ev("Fed", 3 * H + 1, False, "b")])
    assert [w.count for w in closed] == [1, 0, 0]


def test_hopping_windows_count_each_event_in_every_window_it_falls_in():
    agg, closed = run([ev("Fed", 10, True, "a"), ev("Fed", 2 * H + 1, False, "b")],
                      specs="2h:1h")
    closed += agg.flush()
    by_start = {w.start.timestamp(): w.count for w in closed}
    assert by_start[-H] == 1 and by_start[0] == 1 and by_start[H] == 1 and by_start[2 * H] == 1


def test_redelivered_article_counts_once_and_late_events_are_counted():
    agg, closed = run([ev("Fed", 10, True, "a"), ev("Fed", 20, True, "a"),
                       ev("Fed", H + 10, False, "b"), ev("Fed", 30, True, "late")])
    assert closed[0].count == 1
    assert agg.duplicate_events == 1 and agg.late_events == 1


def test_allowed_lateness_keeps_window_open():
    agg, closed = run([ev("Fed", 10, True, "a"), ev("Fed", H + 10, False, "b"),
                       ev("Fed", 30, True, "c")], lateness=600)
    assert closed == []
    closed = agg.advance(H + 700)
    assert closed[0].count == 2


def test_state_round_trip_gives_identical_future_output():
    events = [ev("Fed", i * 600.0, i % 3 == 0, str(i)) for i in range(30)]
    events += [ev("AAPL", i * 700.0, i % 2 == 0, f"x{i}", "entity") for i in range(20)]
    events.sort(key=lambda e: e.published_at)
    a, _ = run(events[:25], specs="1h:1h,2h:1h")
    b = WindowAggregator(parse_windows("1h:1h,2h:1h"), allowed_lateness_s=0)
    b.load_state_dict(a.state_dict())
    out_a = [w for e in events[25:] for w in a.add(e)] + a.flush()
    out_b = [w for e in events[25:] for w in b.add(e)] + b.flush()
    assert [w.to_dict() for w in out_a] == [w.to_dict() for w in out_b]
    assert out_a
