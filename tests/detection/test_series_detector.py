"""The univariate detector used by ``newsrisk nab``."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsrisk.detection import SeriesConfig, SeriesDetector
from newsrisk.detection.nab_run import read_series

T0 = datetime(2020, 1, 1, tzinfo=UTC)


def series(n: int, seed: int = 0, spike_at: int | None = None):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        t = T0 + timedelta(minutes=5 * i)
        base = 20 if 8 <= t.hour < 20 else 5
        v = sum(rng.random() < base / 40 for _ in range(40))
        if spike_at is not None and spike_at <= i < spike_at + 6:
            v += 120
        out.append((t, float(v)))
    return out


def run(det: SeriesDetector, rows):
    return [det.update(t, v) for t, v in rows]


def test_spike_is_the_top_score_and_reported_once():
    rows = series(288 * 5, spike_at=288 * 4)
    scores = run(SeriesDetector(), rows)
    assert all(0.0 <= s < 1.0 for s in scores)
    assert all(s == 0.0 for s in scores[:288])  # warm-up
    top = max(range(len(scores)), key=scores.__getitem__)
    assert 288 * 4 <= top < 288 * 4 + 6
    # declustered: the onset and at most one escalation report, nothing once the burst is over
    assert 1 <= sum(1 for s in scores[288 * 4 : 288 * 4 + 6] if s > 0) <= 2
    assert all(s == 0.0 for s in scores[288 * 4 + 6 : 288 * 4 + 48])


def test_causal():
    a = series(288 * 3, seed=1)
    b = a[:400] + series(288 * 3, seed=2, spike_at=500)[400:]
    assert run(SeriesDetector(), a)[:400] == run(SeriesDetector(), b)[:400]


def test_state_round_trip():
    rows = series(288 * 4, seed=3, spike_at=288 * 3)
    det = SeriesDetector()
    run(det, rows[:600])
    restored = SeriesDetector()
    restored.load_state_dict(json.loads(json.dumps(det.state_dict())))
    assert run(restored, rows[600:]) == run(det, rows[600:])


def test_config_round_trip():
    cfg = SeriesConfig()
    assert SeriesConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg


def test_harmonic_mean_combination_finds_the_spike():
    cfg = SeriesConfig()
    cfg.scoring.combine = "hmp"
    rows = series(288 * 5, seed=4, spike_at=288 * 4)
    scores = run(SeriesDetector(cfg), rows)
    top = max(range(len(scores)), key=scores.__getitem__)
    assert 288 * 4 <= top < 288 * 4 + 6
    assert SeriesConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg


def test_a_clear_report_is_not_escalated():
    rows = series(288 * 5, seed=0, spike_at=288 * 4)
    burst = slice(288 * 4, 288 * 4 + 6)
    # the count core's declustering, on the median-of-daily-maxima scale
    loose = SeriesConfig(model="counts", suppress_final=0.0, calibrate_max_weight=0.0)
    strict = SeriesConfig(model="counts", suppress_final=2.0, calibrate_max_weight=0.0)
    assert sum(1 for s in run(SeriesDetector(loose), rows)[burst] if s > 0) == 2
    scores = run(SeriesDetector(strict), rows)
    assert sum(1 for s in scores[burst] if s > 0) == 1
    assert scores[288 * 4] > 0.0  # the onset is still reported


def test_final_memory_blocks_and_decays():
    from newsrisk.detection.series import _Reporter

    # calibrated = raw; the memory as reported (not following a clear event: next test)
    cfg = SeriesConfig(calibrate=False, suppress_final=2.0)
    hour = 3600.0
    rep = _Reporter(cfg)
    assert not rep.final(0.0)
    assert rep.step(0.0, 5.0) == 5.0
    assert rep.final(hour)  # 5 decays to 2 after 6 h * log2(2.5) = 7.9 h
    assert rep.step(hour, 100.0) == 0.0  # a clear event is not escalated
    assert not rep.final(10 * hour)
    assert rep.step(10 * hour, 100.0) == 100.0
    # another channel's clear event blocks this one's candidates, and only while it says so
    other = _Reporter(cfg)
    assert other.step(0.0, 1.0, final=True) == 0.0
    assert other.step(300.0, 1.0) == 1.0


def test_a_clear_event_stays_clear_while_it_lasts():
    from newsrisk.detection.series import _Reporter

    hour = 3600.0

    def after_a_clear_event(follow: bool) -> tuple[_Reporter, float]:
        """A clear report (5 >= 2), then its escalation, then hours of nothing: returns the
        reporter and the first hour at which the memory is no longer clear."""
        rep = _Reporter(SeriesConfig(calibrate=False, suppress_final=2.0), follow=follow)
        assert rep.step(0.0, 5.0) == 5.0
        assert rep.step(hour, 100.0) == 0.0  # the escalation of a clear event is the same event
        t = hour
        while rep.final(t):
            t += hour
        return rep, t

    rep, t = after_a_clear_event(True)
    assert t > 30 * hour  # the memory followed the event to 100 (decays to 2 in 34 h)
    assert rep.step(t, 50.0) == 0.0  # not clear any more, but no window fell below: it goes on
    rep, t = after_a_clear_event(True)
    assert rep.step(t, 0.1) == 0.0  # a quiet window ends the event ...
    assert rep.step(t + hour, 50.0) == 50.0  # ... and the next one is a new event
    rep, t = after_a_clear_event(False)
    assert t < 10 * hour  # the memory is the report's (5)
    assert rep.step(t, 50.0) == 50.0


def test_a_long_event_is_reported_once():
    """A burst that rises for an hour and leaves a tail for hours: the onset is reported (and
    one escalation while the event is not yet clear), the peak of the same event is not."""
    start = 288 * 4 + 100
    rows = [
        (t, v + (20 * (i - start + 1) if start <= i < start + 12 else 50 * (start < i < start + 108)))
        for i, (t, v) in enumerate(series(288 * 6, seed=5))
    ]
    event = slice(start, start + 200)

    def reported(ongoing: str) -> list[int]:
        cfg = SeriesConfig(model="counts", suppress_final_ongoing=ongoing)
        scores = run(SeriesDetector(cfg), rows)[event]
        return [i for i, s in enumerate(scores) if s > 0.0]

    assert reported("counts") == reported("all") == [0, 2]
    assert reported("none") == [0, 2, 12]  # the memory of the report decayed: the peak reported
    with pytest.raises(ValueError, match="suppress_final_ongoing"):
        SeriesConfig.from_dict({"suppress_final_ongoing": "yes"})


def _level_finals(cfg: SeriesConfig, rows) -> list[bool]:
    from newsrisk.detection.series import _Reporter

    finals: list[bool] = []

    class Recording(_Reporter):
        def step(self, t: float, raw: float, final: bool = False) -> float:
            finals.append(final)
            return super().step(t, raw, final)

    det = SeriesDetector(cfg)
    det.level_reporter = Recording(cfg)
    run(det, rows)
    return finals


def test_clear_count_report_stops_level_escalation():
    rows = series(288 * 5, seed=0, spike_at=288 * 4)
    shared = _level_finals(SeriesConfig(), rows)
    assert SeriesConfig().suppress_final_shared
    assert not any(shared[: 288 * 4])
    assert all(shared[288 * 4 : 288 * 4 + 6])  # while the clear burst is remembered
    assert not any(_level_finals(SeriesConfig(suppress_final_shared=False), rows))


UPS = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared/data/anomaly/nab/realTweets/Twitter_volume_UPS.csv"
)


def _reports_below_expectation(cfg: SeriesConfig) -> tuple[int, int]:
    """(reported rows, of which at or below the count core's expectation) on NAB's UPS series."""
    det = SeriesDetector(cfg)
    reported = below = 0
    for stamp, value in zip(*read_series(UPS), strict=True):
        if det.update(stamp, value) > 0.0:
            reported += 1
            below += value <= det.core.expected
    return reported, below


@pytest.mark.skipif(not UPS.exists(), reason="needs ../shared/data (NAB realTweets)")
def test_events_are_reported_on_their_own_windows():
    # UPS switches between ~2 and ~190 tweets per 5 minutes for hours: without the onset rule
    # one of those plateaus is reported on a silent window, when the memory of an earlier report
    # has decayed while the 2-hour sum still holds the plateau
    reported, below = _reports_below_expectation(SeriesConfig(model="counts"))
    assert reported > 20 and below == 0
    _, below_off = _reports_below_expectation(
        SeriesConfig(model="counts", report_onset_only=False)
    )
    assert below_off >= 1
