"""The value core's dispersion channel: sustained disorder is news, a single spike is not."""

from __future__ import annotations

import json
import math
import random

import pytest

from newsrisk.detection import SeriesConfig, SeriesDetector
from newsrisk.detection.baseline import decay
from newsrisk.detection.dispersion import Dispersion

FIVE_MINUTES = decay(300.0, 3 * 86400.0)  # the value core's forgetting per 5-minute row
T0 = 1_399_939_200.0  # a midnight (UTC)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_wider_noise_is_surprising_and_one_spike_is_not(seed: int):
    rng = random.Random(seed)
    channel = Dispersion(144, cap=4.0, winsor_sd=4.0)
    quiet = max(channel.step(rng.gauss(0.0, 1.0), FIVE_MINUTES) for _ in range(3000))
    # a 50-sd spike counts as 4 sd (the cap) in a mean over 144 rows
    spike = max(
        [channel.step(50.0, FIVE_MINUTES)]
        + [channel.step(rng.gauss(0.0, 1.0), FIVE_MINUTES) for _ in range(143)]
    )
    wider = max(channel.step(rng.gauss(0.0, 2.5), FIVE_MINUTES) for _ in range(144))
    assert quiet < 5.0
    assert spike < 3.0
    assert wider > 8.0


def test_state_round_trip():
    rng = random.Random(7)
    zs = [rng.gauss(0.0, 1.0 if i < 500 else 2.0) for i in range(800)]
    channel = Dispersion(48, cap=4.0, winsor_sd=4.0)
    for z in zs[:400]:
        channel.step(z, FIVE_MINUTES)
    restored = Dispersion(48, cap=4.0, winsor_sd=4.0)
    restored.load_state_dict(json.loads(json.dumps(channel.state_dict())))
    assert [restored.step(z, FIVE_MINUTES) for z in zs[400:]] == [
        channel.step(z, FIVE_MINUTES) for z in zs[400:]
    ]


def _oscillating(seed: int) -> tuple[list[float], int]:
    """Twelve days of a daily cycle plus unit noise; on day 10, 12 hours of a +-2 sd alternation
    whose mean is zero at every scale (no row of it is remarkable on its own)."""
    rng = random.Random(seed)
    start = 288 * 9
    values = []
    for i in range(288 * 12):
        v = 50.0 + 5.0 * math.sin(2.0 * math.pi * i / 288) + rng.gauss(0.0, 1.0)
        if start <= i < start + 144:
            v += 2.0 if i % 2 else -2.0
        values.append(v)
    return values, start


def _inside_and_outside(
    values: list[float], start: int, scales: list[int], bound: float = 0.0
) -> tuple[float, float]:
    cfg = SeriesConfig.from_dict(
        {
            "model": "values",
            "values": {"dispersion_scales": scales, "dispersion_max_surprise": bound},
        }
    )
    det = SeriesDetector(cfg)
    out = [det.update(T0 + 300.0 * i, v) for i, v in enumerate(values)]
    probation = int(0.15 * len(values))
    return max(out[start : start + 288]), max(out[probation:start] + out[start + 288 :])


@pytest.mark.parametrize("seed", [0, 1])
def test_an_oscillation_with_a_steady_mean_stands_out_only_with_the_channel(seed: int):
    values, start = _oscillating(seed)
    inside, outside = _inside_and_outside(values, start, [144])
    inside_without, outside_without = _inside_and_outside(values, start, [])
    assert inside > 2.0 * outside
    assert inside_without < 2.0 * outside_without
    assert inside > inside_without


def test_a_bounded_channel_weighs_less():
    values, start = _oscillating(0)
    inside, _ = _inside_and_outside(values, start, [144])
    bounded, _ = _inside_and_outside(values, start, [144], bound=3.0)
    assert bounded < 0.9 * inside
