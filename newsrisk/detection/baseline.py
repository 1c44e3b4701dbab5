"""Seasonal, robust, exponentially forgetting baseline of a count per window.

The expected count of a window starting at ``t`` is ``level * hour[h(t)] * weekday[d(t)]``:

* ``hour`` and ``weekday`` are profiles (mean 1) estimated as exponentially weighted slot means,
  shrunk towards flat by ``profile_prior_obs`` pseudo-observations so that a young key is flat;
* ``level`` is an exponentially weighted mean of the de-seasonalised counts.

Updates are winsorised at ``mean + winsor_sd * sd + 1`` so that a spike barely moves the
baseline; a lasting level shift is still absorbed, geometrically. All decay is by event time.
"""

from __future__ import annotations

import math
from typing import Any

from newsrisk.detection.config import BaselineConfig

LN2 = math.log(2.0)
DAY = 86400.0


def decay(elapsed_s: float, halflife_s: float) -> float:
    """Weight left after ``elapsed_s`` for a memory of half-life ``halflife_s``."""
    if elapsed_s <= 0.0:
        return 1.0
    return math.exp(-LN2 * elapsed_s / halflife_s)


class _SlotMeans:
    """Exponentially weighted means in ``n`` slots plus the overall mean, decayed lazily."""

    __slots__ = ("sums", "weights", "touched", "all_sum", "all_weight", "all_touched")

    def __init__(self, n: int) -> None:
        self.sums = [0.0] * n
        self.weights = [0.0] * n
        self.touched = [0.0] * n
        self.all_sum = 0.0
        self.all_weight = 0.0
        self.all_touched = 0.0

    def add(self, slot: int, t: float, value: float, halflife_s: float) -> None:
        k = decay(t - self.touched[slot], halflife_s)
        self.sums[slot] = self.sums[slot] * k + value
        self.weights[slot] = self.weights[slot] * k + 1.0
        self.touched[slot] = t
        k = decay(t - self.all_touched, halflife_s)
        self.all_sum = self.all_sum * k + value
        self.all_weight = self.all_weight * k + 1.0
        self.all_touched = t

    def factor(self, slot: int, t: float, halflife_s: float, prior_obs: float) -> float:
        """Slot mean / overall mean, shrunk towards 1 when the slot has few observations."""
        if self.all_weight <= 0.0 or self.all_sum <= 0.0:
            return 1.0
        overall = self.all_sum / self.all_weight
        k = decay(t - self.touched[slot], halflife_s)
        w = self.weights[slot] * k
        s = self.sums[slot] * k
        return (s + prior_obs * overall) / ((w + prior_obs) * overall)

    def offset(self, slot: int, t: float, halflife_s: float, prior_obs: float) -> float:
        """Slot mean minus overall mean, shrunk towards 0 while the slot has few observations
        (the additive twin of :meth:`factor`, for values that may be negative)."""
        if self.all_weight <= 0.0:
            return 0.0
        overall = self.all_sum / self.all_weight
        k = decay(t - self.touched[slot], halflife_s)
        w = self.weights[slot] * k
        s = self.sums[slot] * k
        return (s + prior_obs * overall) / (w + prior_obs) - overall

    def state_dict(self) -> dict[str, Any]:
        return {
            "sums": list(self.sums),
            "weights": list(self.weights),
            "touched": list(self.touched),
            "all": [self.all_sum, self.all_weight, self.all_touched],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.sums = [float(v) for v in state["sums"]]
        self.weights = [float(v) for v in state["weights"]]
        self.touched = [float(v) for v in state["touched"]]
        self.all_sum, self.all_weight, self.all_touched = (float(v) for v in state["all"])


def hour_slot(t: float) -> int:
    return int((t % DAY) // 3600.0)


def weekday_slot(t: float) -> int:
    return (int(t // DAY) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0


class SeasonalRate:
    """Expected count per window at event time ``t`` (epoch seconds of the window start)."""

    __slots__ = ("cfg", "hours", "days", "level_sum", "level_weight", "level_touched", "n_obs")

    def __init__(self, cfg: BaselineConfig) -> None:
        self.cfg = cfg
        self.hours = _SlotMeans(24)
        self.days = _SlotMeans(7)
        self.level_sum = 0.0
        self.level_weight = 0.0
        self.level_touched = 0.0
        self.n_obs = 0

    def factors(self, t: float) -> tuple[float, float]:
        cfg = self.cfg
        fh = (
            self.hours.factor(hour_slot(t), t, cfg.profile_halflife_s, cfg.profile_prior_obs)
            if cfg.hour_of_day
            else 1.0
        )
        fd = (
            self.days.factor(weekday_slot(t), t, cfg.weekday_halflife_s, cfg.profile_prior_obs)
            if cfg.weekday
            else 1.0
        )
        return fh, fd

    def level(self) -> float:
        return self.level_sum / self.level_weight if self.level_weight > 0.0 else 0.0

    def evidence_count(self, t: float) -> float:
        """Counts behind the current level estimate (its relative variance is about 1/this)."""
        return self.level_sum * decay(t - self.level_touched, self.cfg.level_halflife_s)

    def expected(self, t: float) -> float:
        fh, fd = self.factors(t)
        return max(self.level() * fh * fd, self.cfg.min_mean)

    def update(self, t: float, value: float) -> None:
        """Learn from a (winsorised) count of the window starting at ``t``."""
        cfg = self.cfg
        fh, fd = self.factors(t)
        if cfg.hour_of_day:
            self.hours.add(hour_slot(t), t, value, cfg.profile_halflife_s)
        if cfg.weekday:
            self.days.add(weekday_slot(t), t, value / fh, cfg.weekday_halflife_s)
        k = decay(t - self.level_touched, cfg.level_halflife_s)
        self.level_sum = self.level_sum * k + value / (fh * fd)
        self.level_weight = self.level_weight * k + 1.0
        self.level_touched = t
        self.n_obs += 1

    def state_dict(self) -> dict[str, Any]:
        return {
            "hours": self.hours.state_dict(),
            "days": self.days.state_dict(),
            "level": [self.level_sum, self.level_weight, self.level_touched],
            "n_obs": self.n_obs,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.hours.load_state_dict(state["hours"])
        self.days.load_state_dict(state["days"])
        self.level_sum, self.level_weight, self.level_touched = (float(v) for v in state["level"])
        self.n_obs = int(state["n_obs"])
