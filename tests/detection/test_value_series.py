"""Real-valued series in the univariate detector: unit-free, two-sided, chosen by likelihood."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsrisk.detection import SeriesConfig, SeriesDetector
from newsrisk.detection.nab_run import read_series
from newsrisk.detection.synthetic import Series, generate, quantised, write_corpus


def scores(series: Series, model: str = "auto", scale: float = 1.0, offset: float = 0.0):
    det = SeriesDetector(SeriesConfig(model=model))
    out = [
        det.update(t.timestamp(), v * scale + offset)
        for t, v in zip(series.stamps(), series.values, strict=True)
    ]
    return out, det


def in_window(series: Series, values: list[float]) -> float:
    (start, end), stamps = series.windows()[0], series.stamps()
    return max(v for t, v in zip(stamps, values, strict=True) if start <= t <= end)


def outside_windows(series: Series, values: list[float]) -> float:
    stamps = series.stamps()
    probation = int(0.15 * len(stamps))
    return max(
        v
        for i, (t, v) in enumerate(zip(stamps, values, strict=True))
        if i >= probation and not any(a <= t <= b for a, b in series.windows())
    )


def test_scores_do_not_depend_on_unit_or_offset():
    s = generate("jump_up", 3)
    base, _ = scores(s)
    scaled, _ = scores(s, scale=1e4, offset=-123.0)
    assert max(base) > 0.3
    assert scaled == pytest.approx(base, abs=1e-6)


@pytest.mark.parametrize("kind", ["jump_down", "flat_cycle", "spike", "jump_up"])
def test_measurement_anomalies_stand_out(kind: str):
    s = generate(kind, 1)
    values, det = scores(s)
    assert det.model == "values"
    assert in_window(s, values) > 2 * outside_windows(s, values)


def test_a_drop_is_found_by_the_value_core_and_not_by_the_count_core():
    s = generate("jump_down", 2)
    values, _ = scores(s, "values")
    counts, _ = scores(s, "counts")
    assert in_window(s, values) > 2 * outside_windows(s, values)
    assert in_window(s, counts) < outside_windows(s, counts)  # lost in the count core's noise


def test_auto_reports_the_core_that_predicts_better():
    counts = generate("counts_burst", 0)
    _, det = scores(counts)
    assert det.model == "counts"  # a Poisson series: the count core predicts it better
    gauge = quantised(generate("jump_up", 0))
    assert all(v == int(v) and v >= 0 for v in gauge.values)
    _, det = scores(gauge)
    assert det.model == "values"  # integers, but a measurement: the value core predicts better
    floats = generate("spike", 0)
    assert scores(floats)[0] == scores(floats, "values")[0]  # not integers: the value core


def test_state_round_trip_mid_series_in_auto():
    gauge = quantised(generate("walk_spike", 4))
    rows = list(zip([t.timestamp() for t in gauge.stamps()], gauge.values, strict=True))
    det = SeriesDetector()
    for t, v in rows[:2000]:
        det.update(t, v)
    restored = SeriesDetector()
    restored.load_state_dict(json.loads(json.dumps(det.state_dict())))
    assert [restored.update(t, v) for t, v in rows[2000:]] == [
        det.update(t, v) for t, v in rows[2000:]
    ]


def test_unknown_model_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="auto, counts, values"):
        SeriesConfig.from_dict({"model": "gaussian"})


def test_a_non_finite_value_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("timestamp,value\n2020-01-01 00:00:00,1\n2020-01-01 00:05:00,nan\n")
    with pytest.raises(ValueError, match=r"x.csv:3: value 'nan'"):
        read_series(path)
    with pytest.raises(ValueError, match="not a finite number"):
        SeriesDetector().update(0.0, float("inf"))


def test_nab_command_scores_a_synthetic_corpus_of_measurements(tmp_path: Path):
    series = [
        generate(kind, seed) for seed in (7, 8) for kind in ("jump_up", "jump_down", "spike")
    ]
    windows = write_corpus(series, tmp_path / "data")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsrisk.cli.main",
            "nab",
            "--data",
            str(tmp_path / "data"),
            "--out",
            str(tmp_path / "out"),
            "--score",
            str(windows),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "read as counts: 0, as measurements: 6" in proc.stdout
    score = float(proc.stdout.split("NAB standard score:")[1].split()[0])
    assert score > 80.0


@pytest.mark.parametrize(("step_minutes", "rows"), [(60, 1500), (1440, 400)])
def test_coarse_series_warm_up_in_time_and_find_their_anomaly(step_minutes: int, rows: int):
    s = generate("jump_up", 5, step_minutes=step_minutes, rows=rows)
    values, det = scores(s)
    warm = next(i for i, v in enumerate(values) if v > 0.0)
    assert warm < 150  # scored within days of windows, not after the 288 of a 5-minute day
    assert in_window(s, values) > 0.5


def test_five_minute_series_keep_the_288_window_warm_up():
    s = generate("counts_burst", 1)
    values, det = scores(s)
    assert det.config.scoring.warmup_obs == 288
    assert all(v == 0.0 for v in values[:288])


def test_count_windows_are_converted_to_the_series_spacing():
    from newsrisk.detection.series import rescaled

    cfg = SeriesConfig()
    assert rescaled(cfg, 300.0) is cfg  # 5-minute rows: as configured
    hourly = rescaled(cfg, 3600.0)
    assert hourly.scoring.scales == (1, 2)  # 30 min and 2 h of 5-minute rows -> 1 and 2 rows
    assert hourly.level_windows == 6  # 6 h
    assert hourly.values.scales == cfg.values.scales  # the real-valued core keeps rows
    assert rescaled(SeriesConfig(reference_spacing_s=0.0), 3600.0).scoring.scales == (6, 24)
    counts = generate("counts_burst", 2, step_minutes=60, rows=1500)
    _, det = scores(counts)
    assert det.config.scoring.scales == (1, 2) and det.requested.scoring.scales == (6, 24)


def test_state_round_trip_while_the_spacing_is_still_unknown():
    s = generate("counts_burst", 3, step_minutes=60, rows=600)
    rows = list(zip([t.timestamp() for t in s.stamps()], s.values, strict=True))
    det = SeriesDetector()
    for t, v in rows[:10]:  # fewer rows than the spacing estimate needs
        assert det.update(t, v) == 0.0
    assert det.pending is not None
    restored = SeriesDetector()
    restored.load_state_dict(json.loads(json.dumps(det.state_dict())))
    assert [restored.update(t, v) for t, v in rows[10:]] == [
        det.update(t, v) for t, v in rows[10:]
    ]
    assert det.pending is None and det.config.scoring.scales == (1, 2)


def test_daily_max_reference_blends_median_and_largest():
    from newsrisk.detection.calibrate import DailyMaxCalibrator

    day = 86400.0
    plain, blended = DailyMaxCalibrator(14, 3.0, 0.0), DailyMaxCalibrator(14, 3.0, 0.0, 0.25)
    for cal in (plain, blended):
        for d, peak in enumerate([2.0, 2.0, 2.0, 2.0, 32.0, 2.0]):
            cal.update(peak, d * day)
    assert plain.typical() == pytest.approx(2.0)  # the median ignores the giant day
    assert blended.typical() == pytest.approx(2.0**0.75 * 32.0**0.25)  # = 4: it remembers it
    assert blended.calibrate(8.0, 6 * day) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="max_weight"):
        DailyMaxCalibrator(14, 3.0, 2.0, 1.5)


def _weekend_error(series: Series, values_cfg: dict) -> float:
    """Mean |value - prediction| of the value core on weekend rows after three weeks."""
    det = SeriesDetector(SeriesConfig.from_dict({"model": "values", "values": values_cfg}))
    errors = []
    for i, (t, v) in enumerate(zip(series.stamps(), series.values, strict=True)):
        det.update(t.timestamp(), v)
        if i >= 24 * 21 and t.weekday() >= 5:
            errors.append(abs(v - det.values.expected))
    return sum(errors) / len(errors)


@pytest.mark.parametrize("seed", [0, 2])
def test_weekly_terms_learn_a_weekend_pattern(seed: int):
    # hourly, two months, weekends lower and flatter: the weekly terms predict them far better
    s = generate("none", seed, step_minutes=60, rows=1500, weekly=True)
    off = {"weekday": False, "weekend_hours": False, "weekly_gate": 0.0}
    assert _weekend_error(s, {}) < 0.6 * _weekend_error(s, off)


def test_weekly_terms_wait_for_two_weeks():
    s = generate("none", 0, step_minutes=60, rows=24 * 20, weekly=True)
    det = SeriesDetector(SeriesConfig(model="values"))
    on = []
    for t, v in zip(s.stamps(), s.values, strict=True):
        det.update(t.timestamp(), v)
        on.append(det.values.weekly_on)
    assert not any(on[: 24 * 14]) and any(on[24 * 14 :])


def test_the_hour_of_day_terms_do_not_step_at_midnight():
    # the hour-of-day offsets are interpolated between the middles of two hours; across midnight
    # the two hours belong to different days (weekend hour 23 and weekday hour 0 on a Sunday
    # night). Both ends were taken from the later day's set, so the expectation stepped at
    # 00:00 on Mondays and Saturdays where the series did not (on NAB's
    # ambient_temperature_system_failure: false alarms on most Mondays at 00:00). The weekday
    # offset itself stays a calendar-day term: series do change with the date.
    s = generate("none", 0, step_minutes=60, rows=1500, weekly=True)
    det = SeriesDetector(SeriesConfig(model="values"))
    for t, v in zip(s.stamps(), s.values, strict=True):
        det.update(t.timestamp(), v)
    core = det.values
    assert core is not None and core.weekly_on
    last = s.stamps()[-1].timestamp()
    day = 86400.0
    midnight = last - last % day + day

    def hourly(t: float) -> float:
        fh, _, fw = core._offsets(t)
        return fh + fw

    jumps, spans = [], []
    for k in range(7):  # every midnight of the coming week, Sunday-to-Monday and Friday-to-Saturday
        m = midnight + k * day
        jumps.append(abs(hourly(m) - hourly(m - 1.0)))
        spans.append(abs(hourly(m + 7200.0) - hourly(m - 7200.0)))
    weekend = [
        abs(core.weekend.offset(h, last, 1e9, 0.0) - core.weekend.offset(24 + h, last, 1e9, 0.0))
        for h in range(24)
    ]
    assert max(weekend) > 1.0  # the weekend hours do differ from the weekday hours
    assert max(jumps) < 0.01 * max(spans + weekend)


@pytest.mark.parametrize("kind", ["none", "jump_up"])
def test_warm_up_surprises_neither_calibrate_nor_suppress(kind: str):
    # in its first rows the value core has no variance yet and reads any move as a near-certain
    # anomaly (a surprise at the 10^-300 cap). That day's maximum used to sit among the 14 daily
    # maxima that calibrate every later score, and its memory suppressed the first hours after
    # warm-up: on 14-day NAB files it damped the whole series
    s = generate(kind, 0)
    det = SeriesDetector(SeriesConfig(model="values"))
    memory_when_warm = None
    for t, v in zip(s.stamps(), s.values, strict=True):
        det.update(t.timestamp(), v)
        if memory_when_warm is None and det.values.n_obs > 288:
            memory_when_warm = det.value_reporter.memory
    maxima = det.value_reporter.calibrator.maxima
    assert len(maxima) >= 10 and max(maxima) < 20.0
    assert memory_when_warm is not None and memory_when_warm < 3.0


def test_a_first_day_seen_only_from_late_on_is_a_lower_bound():
    """The first day after warm-up is often its last hours: their quiet maximum is not a
    daily maximum and must not lower the reference (nor may a restore forget that)."""
    from newsrisk.detection.calibrate import DailyMaxCalibrator

    day = 86400.0
    cal = DailyMaxCalibrator(14, 3.0, 0.0)
    cal.update(0.1, 22 * 3600.0)  # warm from 22:00: two quiet hours
    restored = DailyMaxCalibrator(14, 3.0, 0.0)
    restored.load_state_dict(json.loads(json.dumps(cal.state_dict())))
    for c in (cal, restored):
        for d in (1, 2, 3):
            c.update(4.0, d * day + 600.0)  # full days (first row just after midnight)
        c.update(0.0, 4 * day + 600.0)
        assert c.maxima == [4.0, 4.0, 4.0]
        assert c.typical() == pytest.approx(4.0)
    # a partial first day whose maximum exceeds the reference so far does say something
    high = DailyMaxCalibrator(14, 3.0, 0.0)
    high.update(40.0, 22 * 3600.0)
    high.update(4.0, day + 600.0)
    assert high.maxima == [40.0]
    # a state saved before partial days were known still loads
    legacy = DailyMaxCalibrator(14, 3.0, 0.0)
    legacy.load_state_dict([0.0, 0.1, 2.0])  # the old list state: day, current, *maxima
    assert legacy.maxima == [2.0] and not legacy.partial
