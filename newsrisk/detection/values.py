"""Real-valued core of the univariate detector: multi-scale, two-sided surprise of a measurement.

The count core (:class:`~newsrisk.detection.core.CountSurprise`) assumes counts: a variance that
grows with the mean, nothing below zero, nothing to say about a drop. A temperature, a latency or
a utilisation has none of that, and its unit is arbitrary: multiplying the series by 1000 must not
change a single score. This core therefore models the value itself:

* the expected value at ``t`` is ``level + hour[h(t)] + weekday[d(t)]``, additive offsets
  estimated as exponentially weighted slot means (shrunk towards 0 while a slot is young) and an
  exponentially weighted de-seasonalised level; updates are winsorised at ``winsor_sd`` standard
  deviations so that an anomaly barely moves the baseline while a lasting shift is absorbed;
* for each scale ``k`` the mean residual of the last ``k`` windows is compared with the
  exponentially weighted variance of that same mean residual (which carries the series'
  autocorrelation, so a slow wander is not read as a shift) as a normal z-score, two-sided unless
  configured otherwise;
* the scales combine by the harmonic mean of their p-values, like the count core.

Every quantity is a difference of values divided by a standard deviation of values: the surprise
is invariant to the unit and to an offset of the series.
"""

from __future__ import annotations

import math
from typing import Any

from newsrisk.detection.baseline import DAY, _SlotMeans, decay, hour_slot, weekday_slot
from newsrisk.detection.config import ValueConfig
from newsrisk.detection.stats import MAX_SURPRISE, normal_log10_sf

LOG10_2 = math.log10(2.0)
WINSOR_AFTER = 24  # observations before updates are winsorised (no variance to cap with before)


class ValueSurprise:
    """Streaming multi-scale surprise of a real-valued series against a seasonal baseline."""

    __slots__ = (
        "cfg",
        "scales",
        "hours",
        "days",
        "level_sum",
        "level_weight",
        "level_touched",
        "_n",
        "_pos",
        "_res",
        "_var",
        "_var_w",
        "_var_touched",
        "expected",
        "sd",
        "onset",
    )

    def __init__(self, cfg: ValueConfig) -> None:
        if not cfg.scales or min(cfg.scales) < 1:
            raise ValueError("scales must be positive window counts")
        self.cfg = cfg
        self.scales = tuple(sorted(set(int(k) for k in cfg.scales)))
        self.hours = _SlotMeans(24)
        self.days = _SlotMeans(7)
        self.level_sum = 0.0
        self.level_weight = 0.0
        self.level_touched = 0.0
        self._n = 0
        self._pos = 0
        self._res = [0.0] * self.scales[-1]  # winsorised residuals of the last windows
        self._var = [0.0] * len(self.scales)  # decayed sums of squared mean residuals per scale
        self._var_w = [0.0] * len(self.scales)
        self._var_touched = 0.0
        self.expected = 0.0  # prediction of the last step (before learning from it)
        self.sd = 0.0  # its standard deviation (0 before any variance is known)
        self.onset = False  # the last value deviates the way the strongest scale does

    @property
    def n_obs(self) -> int:
        return self._n

    def _offsets(self, t: float) -> tuple[float, float]:
        cfg = self.cfg
        fh = 0.0
        if cfg.hour_of_day:
            # offsets hold at the middle of their hour; in between, interpolate linearly, so a
            # smooth daily cycle is not read as a staircase
            pos = (t % DAY) / 3600.0 - 0.5
            lo = math.floor(pos)
            frac = pos - lo
            h0, h1 = lo % 24, (lo + 1) % 24
            half, prior = cfg.profile_halflife_s, cfg.profile_prior_obs
            fh = (1.0 - frac) * self.hours.offset(h0, t, half, prior) + frac * self.hours.offset(
                h1, t, half, prior
            )
        fd = (
            self.days.offset(weekday_slot(t), t, cfg.profile_halflife_s, cfg.profile_prior_obs)
            if cfg.weekday
            else 0.0
        )
        return fh, fd

    def _level(self) -> float:
        return self.level_sum / self.level_weight if self.level_weight > 0.0 else 0.0

    def variance(self, i: int) -> float:
        """Variance of the mean residual at scale ``i`` (0 before any observation)."""
        w = self._var_w[i]
        return self._var[i] / w if w > 0.0 else 0.0

    def step(self, t: float, x: float) -> float:
        """Score the window at ``t`` with value ``x``, then learn from it; ``-log10 p`` >= 0."""
        cfg = self.cfg
        fh, fd = self._offsets(t)
        first = self._n == 0
        mu = x if first else self._level() + fh + fd
        var1 = self.variance(0)
        sd1 = math.sqrt(var1)
        if self._n >= WINSOR_AFTER and sd1 > 0.0:
            lim = cfg.winsor_sd * sd1
            xc = min(max(x, mu - lim), mu + lim)
        else:
            xc = x
        size = len(self._res)
        pos = self._pos
        self._res[pos] = xc - mu
        self._n += 1
        n = self._n
        k_var = decay(t - self._var_touched, cfg.variance_halflife_s) if not first else 1.0
        self._var_touched = t
        # the raw (not winsorised) residual is what is tested; the winsorised one is what is learnt
        raw_last = x - mu
        floor = (1e-9 * (abs(mu) + sd1)) ** 2 + 1e-300  # a constant series: no division by 0
        inv_p = 0.0
        s_best = z_best = 0.0
        for i, k in enumerate(self.scales):
            if k > n:
                inv_p += 1.0
                continue
            learnt = 0.0
            for j in range(pos - k + 1, pos + 1):
                learnt += self._res[j % size]
            tested = (learnt - self._res[pos] + raw_last) / k
            learnt /= k
            z = tested / math.sqrt(self.variance(i) + floor)
            s = _two_sided_surprise(z) if cfg.two_sided else _upper_surprise(z)
            if s > s_best:
                s_best, z_best = s, z
            inv_p += 10.0 ** min(s, 300.0)
            self._var[i] = self._var[i] * k_var + learnt * learnt
            self._var_w[i] = self._var_w[i] * k_var + 1.0
        self._pos = (pos + 1) % size
        self._learn(t, xc, fh, fd)
        self.expected = mu
        self.sd = sd1
        # the newest value lies on the side of the strongest deviation: it is part of it
        self.onset = raw_last * z_best > 0.0
        if n <= 1:
            return 0.0
        return min(max(math.log10(max(inv_p, 1e-300) / len(self.scales)), 0.0), MAX_SURPRISE)

    def _learn(self, t: float, value: float, fh: float, fd: float) -> None:
        cfg = self.cfg
        level = self._level() if self.level_weight > 0.0 else value - fh - fd
        if cfg.hour_of_day:
            self.hours.add(hour_slot(t), t, value - level - fd, cfg.profile_halflife_s)
        if cfg.weekday:
            self.days.add(weekday_slot(t), t, value - level - fh, cfg.profile_halflife_s)
        k = decay(t - self.level_touched, cfg.level_halflife_s) if self.level_weight > 0.0 else 1.0
        self.level_sum = self.level_sum * k + (value - fh - fd)
        self.level_weight = self.level_weight * k + 1.0
        self.level_touched = t

    def state_dict(self) -> dict[str, Any]:
        return {
            "hours": self.hours.state_dict(),
            "days": self.days.state_dict(),
            "level": [self.level_sum, self.level_weight, self.level_touched],
            "n": self._n,
            "pos": self._pos,
            "res": list(self._res),
            "var": [list(self._var), list(self._var_w), self._var_touched],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.hours.load_state_dict(state["hours"])
        self.days.load_state_dict(state["days"])
        self.level_sum, self.level_weight, self.level_touched = (float(v) for v in state["level"])
        self._n = int(state["n"])
        self._pos = int(state["pos"])
        self._res = [float(v) for v in state["res"]]
        var, var_w, touched = state["var"]
        self._var = [float(v) for v in var]
        self._var_w = [float(v) for v in var_w]
        self._var_touched = float(touched)


def _two_sided_surprise(z: float) -> float:
    """-log10 P(|Z| >= |z|)."""
    return max(_upper_surprise(abs(z)) - LOG10_2, 0.0)


def _upper_surprise(z: float) -> float:
    """-log10 P(Z >= z) for a standard normal, finite far into the tail."""
    return -normal_log10_sf(z) if z > 0.0 else 0.0
