"""The keyed news detector: causality, hysteresis, low counts, seasonality, persistence."""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from newsrisk.detection import Detector, DetectorConfig, make_alert
from newsrisk.detection.synthetic import poisson
from newsrisk.records import EvidenceArticle, WindowAggregate

T0 = datetime(2024, 1, 1, tzinfo=UTC)
STEP = timedelta(hours=1)


def stream(
    n: int,
    seed: int = 0,
    key: str = "Earnings",
    day: float = 40.0,
    night: float = 40.0,
    share: float = 0.2,
    spikes: dict[int, tuple[int, int]] | None = None,
) -> list[WindowAggregate]:
    """Hourly windows with an hour-of-day volume pattern; ``spikes[i] = (extra, extra_neg)``."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = T0 + i * STEP
        lam = day if 8 <= start.hour < 20 else night
        count = poisson(rng, lam)
        neg = sum(rng.random() < share for _ in range(count))
        extra, extra_neg = (spikes or {}).get(i, (0, 0))
        count, neg = count + extra, neg + extra_neg
        top = (EvidenceArticle(f"a{i}", "bad news", None, start, -0.9, 0.95),) if neg else ()
        out.append(WindowAggregate("topic", key, "1h", start, start + STEP, count, neg, -0.1, top))
    return out


def run(det: Detector, aggs: list[WindowAggregate]):
    return [det.observe(a) for a in aggs]


def test_config_is_json_serialisable():
    cfg = DetectorConfig()
    assert DetectorConfig.from_dict(json.loads(json.dumps(asdict(cfg)))) == cfg


def test_scores_are_bounded_and_quiet_series_does_not_fire():
    out = run(Detector(), stream(24 * 30))
    assert all(0.0 <= d.score < 1.0 for d in out)
    assert sum(d.fire for d in out) == 0


def test_causal_future_does_not_change_past():
    a = stream(24 * 20, seed=1)
    b = a[: 24 * 10] + stream(24 * 20, seed=2, spikes={300: (200, 150)})[24 * 10 :]
    da, db = run(Detector(), a), run(Detector(), b)
    assert da[: 24 * 10] == db[: 24 * 10]


def test_spike_fires_once_with_hysteresis_then_again_after_cooldown():
    spikes = {400 + k: (60, 50) for k in range(4)} | {600: (60, 50)}
    out = run(Detector(), stream(24 * 30, seed=3, spikes=spikes))
    fired = [i for i, d in enumerate(out) if d.fire]
    assert fired == [400, 600]
    assert out[400].severity in ("warning", "critical")
    assert all(out[400 + k].severity is not None for k in range(2))
    ev = out[400].baseline
    assert ev["expected_share"] < 0.3 and ev["p_value"] < 1e-6 and ev["negative"] >= 50


def test_alert_carries_evidence():
    aggs = stream(24 * 20, seed=3, spikes={400: (60, 50)})
    det = Detector()
    out = run(det, aggs)
    alert = make_alert(aggs[400], out[400])
    assert alert.evidence and alert.baseline["expected_count"] > 0
    assert "negative-news spike" in alert.summary


def test_low_counts_do_not_fire():
    # a rarely mentioned entity: 0-3 articles an hour, sometimes 2 or 3 negatives
    spikes = {i: (3, 2) for i in range(100, 24 * 30, 37)} | {500: (3, 3)}
    out = run(Detector(), stream(24 * 30, seed=4, day=0.5, night=0.5, spikes=spikes))
    assert not any(d.fire for d in out)
    assert all(d.severity is None for d in out)


def test_volume_spike_at_normal_share_does_not_fire():
    spikes = {400: (400, 80)}  # five times the volume, same 20 % negative share
    out = run(Detector(), stream(24 * 20, seed=5, spikes=spikes))
    assert not out[400].fire
    assert out[400].baseline["p_volume"] < 1e-6  # many negatives, but the share explains them


def test_warmup_never_fires():
    out = run(Detector(), stream(30, seed=6, spikes={20: (100, 90)}))  # warm-up: one day
    assert not any(d.fire for d in out[:21]) and out[20].baseline["warmup"] == 1.0


def test_seasonality_night_volume_is_judged_against_night():
    # busy days (60/h), quiet nights (4/h): 12 negatives are ordinary by day, alarming at night
    aggs = stream(24 * 21, seed=7, day=60.0, night=4.0)
    det = Detector()
    run(det, aggs)
    t = aggs[-1].start + STEP
    day_start = t.replace(hour=12) + timedelta(days=1)
    night = WindowAggregate(
        "topic",
        "Earnings",
        "1h",
        day_start - timedelta(hours=10),
        day_start - timedelta(hours=9),
        14,
        12,
        -1.0,
    )
    day = WindowAggregate("topic", "Earnings", "1h", day_start, day_start + STEP, 60, 12, -1.0)
    state = json.loads(json.dumps(det.state_dict()))
    det_day = Detector()
    det_day.load_state_dict(state)
    s_night = det.observe(night).score
    s_day = det_day.observe(day).score
    assert s_day < 0.3 < s_night


def test_state_dict_round_trip_gives_identical_outputs():
    aggs = stream(24 * 15, seed=8, spikes={250: (80, 60)})
    aggs += stream(24 * 15, seed=9, key="Fed", spikes={300: (50, 40)})
    aggs.sort(key=lambda a: (a.start, a.key))
    half = len(aggs) // 2
    det = Detector()
    run(det, aggs[:half])
    restored = Detector()
    restored.load_state_dict(json.loads(json.dumps(det.state_dict())))
    assert run(restored, aggs[half:]) == run(det, aggs[half:])
    assert len(restored) == 2


def test_stale_window_is_ignored():
    aggs = stream(50, seed=10)
    det = Detector()
    run(det, aggs)
    d = det.observe(aggs[10])
    assert d.score == 0.0 and not d.fire and d.baseline.get("stale") == 1.0
