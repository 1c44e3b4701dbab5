"""The level-shift channel of the univariate detector."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import numpy as np

from newsrisk.detection import SeriesConfig, SeriesDetector
from newsrisk.detection.level import LevelShift

T0 = datetime(2020, 1, 1, tzinfo=UTC)
DAY = 288  # 5-minute windows


def rate(i: int) -> float:
    """Daily cycle of an expected count per 5-minute window (between 4 and 16)."""
    return 10.0 + 6.0 * math.sin(2.0 * math.pi * i / DAY)


def nb_series(
    n: int, seed: int, shift_at: int | None = None, shift_len: int = 96, factor: float = 3.0
) -> list[tuple[datetime, float]]:
    """Negative binomial counts (alpha 0.1) with day-to-day level noise; optionally a slow rise:
    the rate ramps up to ``factor`` times over an hour and stays there for ``shift_len`` windows."""
    rng = np.random.default_rng(seed)
    day_level = np.exp(rng.normal(0.0, 0.15, n // DAY + 1))
    out = []
    for i in range(n):
        mu = rate(i) * day_level[i // DAY]
        if shift_at is not None and shift_at <= i < shift_at + shift_len:
            mu *= 1.0 + (factor - 1.0) * min((i - shift_at + 1) / 12.0, 1.0)
        lam = rng.gamma(10.0, mu / 10.0)  # alpha = 0.1
        out.append((T0 + timedelta(minutes=5 * i), float(rng.poisson(lam))))
    return out


def level_surprises(rows: list[tuple[datetime, float]]) -> list[float]:
    level = LevelShift(72, 7 * 86400.0, 0.3, 288.0, 3.0)
    return [level.step(t.timestamp(), v, rate(i)) for i, (t, v) in enumerate(rows)]


def test_level_shift_scores_above_stationary_maximum():
    n, at = 7 * DAY, 6 * DAY
    quiet = level_surprises(nb_series(n, seed=1))
    shifted = level_surprises(nb_series(n, seed=1, shift_at=at))
    assert quiet[:at] == shifted[:at]  # causal
    stationary_max = max(quiet[DAY:])
    assert stationary_max < 4.0
    assert max(shifted[at : at + 96]) > stationary_max + 3.0


def test_level_shift_null_is_not_widened_by_the_shift():
    level = LevelShift(12, 86400.0, 0.3, 12.0, 3.0)
    for i in range(500):
        level.step(i * 300.0, 10.0 + (i % 3), 11.0)
    before = level._moments(1.0)
    for i in range(500, 560):  # a long shift, ten times the level
        level.step(i * 300.0, 110.0, 11.0)
    mean, var = level._moments(1.0)
    assert mean - before[0] < 0.5  # winsorised at 3 sd: the null creeps, it does not jump
    assert var < 10.0 * before[1]


def test_level_shift_state_round_trip():
    rows = nb_series(2 * DAY, seed=2)
    a = LevelShift(72, 7 * 86400.0, 0.3, 288.0, 3.0)
    for i, (t, v) in enumerate(rows[:300]):
        a.step(t.timestamp(), v, rate(i))
    b = LevelShift(72, 7 * 86400.0, 0.3, 288.0, 3.0)
    b.load_state_dict(json.loads(json.dumps(a.state_dict())))
    tail = list(enumerate(rows))[300:]
    assert [a.step(t.timestamp(), v, rate(i)) for i, (t, v) in tail] == [
        b.step(t.timestamp(), v, rate(i)) for i, (t, v) in tail
    ]


def run(det: SeriesDetector, rows: list[tuple[datetime, float]]) -> list[float]:
    return [det.update(t, v) for t, v in rows]


def test_detector_reports_a_slow_rise_once():
    n, at = 8 * DAY, 7 * DAY
    rows = nb_series(n, seed=3, shift_at=at)
    with_level = run(SeriesDetector(), rows)
    count_only = run(SeriesDetector(SeriesConfig(level_windows=0)), rows)
    assert max(with_level[at : at + 96]) > max(with_level[DAY:at])
    assert max(with_level[at : at + 96]) >= max(count_only[at : at + 96])
    # reported as one event: a handful of reports, not one per window of the shift
    assert sum(1 for s in with_level[at : at + 96] if s > 0.0) <= 4


def test_level_channel_alone_reports_a_slow_rise():
    """With the count channel deaf (one-window scale, huge dispersion), the level channel reports."""
    n, at = 8 * DAY, 7 * DAY
    rows = nb_series(n, seed=3, shift_at=at)
    cfg = SeriesConfig()
    cfg.scoring.scales = (1,)
    cfg.baseline.dispersion_prior = 50.0
    cfg.baseline.dispersion_min = 50.0
    det = SeriesDetector(cfg)
    scores = run(det, rows)
    assert at <= det.level_reporter.reported_t - T0.timestamp() < (at + 96) * 300
    assert max(scores[at : at + 96]) > max(scores[DAY:at])


def test_a_burst_of_spikes_does_not_report_again_as_a_level_shift():
    n, at = 6 * DAY, 5 * DAY
    rows = nb_series(n, seed=4)
    rows = [(t, v + 150.0) if at <= i < at + 6 else (t, v) for i, (t, v) in enumerate(rows)]
    det = SeriesDetector()
    level_reports = 0
    for t, v in rows[: at + 72]:
        reported_t = det.level_reporter.reported_t
        det.update(t, v)
        if t.timestamp() >= T0.timestamp() + at * 300 and det.level_reporter.reported_t != reported_t:
            level_reports += 1
    assert level_reports == 0


def test_legacy_state_without_level_channel_loads():
    rows = nb_series(2 * DAY, seed=5)
    det = SeriesDetector()
    run(det, rows[:400])
    state = json.loads(json.dumps(det.state_dict()))
    del state["level"], state["level_reporter"]
    restored = SeriesDetector()
    restored.load_state_dict(state)
    assert all(0.0 <= s < 1.0 for s in run(restored, rows[400:]))
