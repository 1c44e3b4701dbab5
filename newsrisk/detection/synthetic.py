"""NAB-style synthetic series with known anomalies: a generality check for ``newsrisk nab``.

realTweets holds ten count series of one kind. The detector is also run on series it has never
seen, whose unit, offset, noise and shape differ; this module writes such a corpus: measurements
(daily cycles, random walks, heavy-tailed noise) in arbitrary units and offsets, and count series,
each with anomalies of a known kind (jumps up or down, spikes, a vanished daily cycle, a drift, a
burst of spikes), labelled with NAB's window convention (10 % of the series' rows shared by its
anomalies, each window centred on its anomaly's start). Deterministic for a seed.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROWS = 288 * 14  # two weeks of 5-minute rows, as NAB's artificial series
T0 = datetime(2024, 3, 4, tzinfo=UTC)
KINDS = (
    "jump_up",
    "jump_down",
    "spike",
    "flat_cycle",
    "drift",
    "spike_density",
    "walk_spike",
    "heavy_tail_shift",
    "counts_burst",
    "none",
)


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: list[float]
    anomalies: list[int]  # row index where each anomaly starts
    step_minutes: int = 5

    def stamps(self) -> list[datetime]:
        step = timedelta(minutes=self.step_minutes)
        return [T0 + step * i for i in range(len(self.values))]

    def windows(self) -> list[tuple[datetime, datetime]]:
        """NAB windows: 10 % of the rows, split over the anomalies, centred on each start."""
        if not self.anomalies:
            return []
        n = len(self.values)
        half = int(0.10 * n / len(self.anomalies)) // 2
        stamps = self.stamps()
        return [(stamps[max(a - half, 0)], stamps[min(a + half, n - 1)]) for a in self.anomalies]


def generate(
    kind: str, seed: int, step_minutes: int = 5, rows: int = ROWS, weekly: bool = False
) -> Series:
    """One series of ``kind`` (see ``KINDS``), in a random unit and offset, one row every
    ``step_minutes`` (durations below are in rows; the daily cycle is a day of rows).

    ``weekly``: weekends differ, as most human-driven series do (a lower level, a flatter daily
    cycle; drawn from a stream of their own, so the rest of the series is unchanged)."""
    rng = random.Random(f"{kind}:{seed}")
    per_day = max(1440 // step_minutes, 1)
    wk = random.Random(f"weekly:{kind}:{seed}")
    drop, flatten, thin = wk.uniform(2.0, 6.0), wk.uniform(0.3, 0.8), wk.uniform(0.4, 0.8)

    def _weekend(i: int) -> bool:  # T0 is a Monday
        return weekly and (T0 + timedelta(minutes=step_minutes * i)).weekday() >= 5

    def _cycle(i: int, phase: float) -> float:
        return math.sin(2.0 * math.pi * ((i % per_day) / per_day + phase))

    scale = 10.0 ** rng.uniform(-3.0, 5.0)
    offset = rng.choice([0.0, rng.uniform(-50.0, 50.0)]) * scale
    amp = rng.uniform(3.0 if kind == "flat_cycle" else 0.0, 8.0)  # daily cycle, in noise sds
    phase = rng.random()
    start = rng.randrange(int(0.45 * rows), int(0.85 * rows))
    noise: Callable[[], float] = lambda: rng.gauss(0.0, 1.0)  # noqa: E731
    values: list[float] = []
    anomalies = [start]
    walk = 0.0
    if kind == "counts_burst":
        base = rng.uniform(2.0, 60.0)
        burst, factor = rng.randrange(3, 24), rng.uniform(4.0, 10.0)
        for i in range(rows):
            lam = base * (1.0 + 0.6 * _cycle(i, phase))
            if _weekend(i):
                lam *= thin
            if start <= i < start + burst:
                lam *= factor
            values.append(float(poisson(rng, lam)))
        return Series(f"{kind}_{seed}", values, anomalies, step_minutes)
    if kind == "heavy_tail_shift":
        noise = lambda: rng.gauss(0.0, 1.0) / math.sqrt(rng.gammavariate(1.5, 1.0 / 1.5))  # noqa: E731
    length = rng.randrange(24, 288)
    shift = rng.uniform(5.0, 12.0)
    density_spikes = set()
    if kind == "spike_density":
        density_spikes = {start + rng.randrange(0, 150) for _ in range(12)}
    for i in range(rows):
        weekend = _weekend(i)
        level = 20.0 - (drop if weekend else 0.0)
        cycle = amp * (1.0 - flatten if weekend else 1.0) * _cycle(i, phase)
        v = level + cycle + noise()
        if kind == "walk_spike":
            walk = 0.97 * walk + noise()
            v = level + cycle + 3.0 * walk
        inside = start <= i < start + length
        if kind == "jump_up" and inside:
            v += shift
        elif kind == "jump_down" and inside:
            v -= shift
        elif kind == "spike" and i == start:
            v += 3.0 * shift
        elif kind == "walk_spike" and i == start:
            v += 8.0 * shift
        elif kind == "flat_cycle" and start <= i < start + per_day:
            v = level + noise()
        elif kind == "drift" and i >= start:
            v += shift * min((i - start) / 288.0, 2.0)
        elif (kind == "spike_density" and i in density_spikes) or (
            kind == "heavy_tail_shift" and i >= start
        ):
            v += 2.0 * shift
        values.append(v * scale + offset)
    if kind == "none":
        anomalies = []
    return Series(f"{kind}_{seed}", values, anomalies, step_minutes)


def poisson(rng: random.Random, lam: float) -> int:
    """An exact Poisson draw (Knuth's product of uniforms, in pieces of mean <= 50 so that
    ``exp(-lam)`` never underflows); test fixtures share it."""
    total = 0
    while lam > 0.0:
        piece = min(lam, 50.0)
        lam -= piece
        limit, p = math.exp(-piece), rng.random()
        while p > limit:
            total += 1
            p *= rng.random()
    return total


def corpus(
    seeds: range, step_minutes: int = 5, rows: int = ROWS, weekly: bool = False
) -> list[Series]:
    return [generate(kind, seed, step_minutes, rows, weekly) for seed in seeds for kind in KINDS]


def quantised(series: Series, levels: int = 200, floor: float = 50.0) -> Series:
    """The same measurement as non-negative integers (``levels`` steps over its range, from
    ``floor``): a gauge that reports whole units, which must not be mistaken for counts."""
    lo, hi = min(series.values), max(series.values)
    step = (hi - lo) / levels or 1.0
    ints = [float(round((v - lo) / step)) + floor for v in series.values]
    return Series(series.name, ints, series.anomalies, series.step_minutes)


def write_corpus(series: list[Series], root: Path, category: str = "synthetic") -> Path:
    """CSV files under ``root/category`` and ``root/combined_windows_<category>.json``."""
    folder = root / category
    folder.mkdir(parents=True, exist_ok=True)
    windows: dict[str, list[list[str]]] = {}
    for s in series:
        with open(folder / f"{s.name}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["timestamp", "value"])
            for ts, v in zip(s.stamps(), s.values, strict=True):
                writer.writerow([ts.strftime("%Y-%m-%d %H:%M:%S"), repr(v)])
        windows[f"{category}/{s.name}.csv"] = [
            [a.strftime("%Y-%m-%d %H:%M:%S.000000"), b.strftime("%Y-%m-%d %H:%M:%S.000000")]
            for a, b in s.windows()
        ]
    path = root / f"combined_windows_{category}.json"
    path.write_text(json.dumps(windows, indent=1))
    return path
