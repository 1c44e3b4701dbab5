"""NAB scoring sanity: hand-computed cases, null = 0, perfect = 100 (also on realTweets)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsrisk.detection.nab_scoring import (
    load_windows,
    probationary_length,
    read_scored_csv,
    scaled_sigmoid,
    score_series,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "anomaly" / "nab"
T0 = datetime(2020, 1, 1, tzinfo=UTC)


def _series(n: int = 1000):
    ts = [T0 + timedelta(minutes=5 * i) for i in range(n)]
    windows = {"d/a.csv": [(ts[400], ts[449]), (ts[700], ts[749])]}
    return ts, windows


def test_scaled_sigmoid_matches_reference_points():
    assert scaled_sigmoid(-1.0) == pytest.approx(0.98661, abs=1e-5)
    assert scaled_sigmoid(-0.5) == pytest.approx(0.84828, abs=1e-5)
    assert scaled_sigmoid(0.0) == 0.0
    assert scaled_sigmoid(3.0) == -1.0


def test_probation_is_capped_at_750_rows():
    assert probationary_length(1000) == 150
    assert probationary_length(15900) == 750


def test_null_scores_zero_and_perfect_scores_hundred():
    ts, windows = _series()
    null = score_series({"d/a.csv": (ts, [0.0] * len(ts))}, windows)
    assert null["score"] == pytest.approx(0.0)
    assert null["raw"] == pytest.approx(-2.0)
    perfect = [
        1.0 if t in (windows["d/a.csv"][0][0], windows["d/a.csv"][1][0]) else 0.0 for t in ts
    ]
    res = score_series({"d/a.csv": (ts, perfect)}, windows)
    assert res["score"] == pytest.approx(100.0)
    assert res["threshold"] == 1.0


def test_late_detection_and_false_positives_cost():
    ts, windows = _series()
    scores = [0.0] * len(ts)
    scores[425] = 0.9  # middle of the first window: only the earliest detection counts
    scores[440] = 0.95
    scores[300] = 0.8  # before any window: -fp
    scores[450 + 49] = 0.8  # one window-width after the first window: ~ -fp * 0.987
    res = score_series({"d/a.csv": (ts, scores)}, windows)
    # thresholds: 0.95 -> late tp; 0.9 -> earlier tp; 0.8 -> plus two false positives
    tp_425 = scaled_sigmoid(-(449 - 425 + 1) / 50) / scaled_sigmoid(-1.0)
    fp_after = scaled_sigmoid(abs(449 - 499) / 49) * 0.11
    assert fp_after < 0
    assert res["raw"] == pytest.approx(tp_425 - 1.0)  # one window missed
    assert res["threshold"] == 0.9
    assert res["files"]["d/a.csv"]["detected"] == 1


def test_probationary_rows_are_not_scored():
    ts, windows = _series()
    scores = [0.0] * len(ts)
    scores[10] = 1.0
    res = score_series({"d/a.csv": (ts, scores)}, windows)
    assert res["raw"] == pytest.approx(-2.0)


@pytest.mark.skipif(not SHARED.is_dir(), reason="NAB data not available")
def test_real_tweets_null_and_perfect():
    windows = load_windows(SHARED / "combined_windows_realTweets.json")
    files = {}
    for path in sorted((SHARED / "realTweets").glob("*.csv"))[:3]:  # keep the test fast
        ts, _ = read_scored_csv(path, column="value")
        files[f"realTweets/{path.name}"] = ts
    null = score_series({k: (ts, [0.0] * len(ts)) for k, ts in files.items()}, windows)
    assert null["score"] == pytest.approx(0.0) and null["windows"] == 11
    perfect = {}
    for k, ts in files.items():
        starts = {a for a, _ in windows[k]}
        perfect[k] = (ts, [1.0 if t in starts else 0.0 for t in ts])
    assert score_series(perfect, windows)["score"] == pytest.approx(100.0)
