"""Dispersion channel of the real-valued core: is the series off its expectation *more often*?

The mean scales of :class:`~newsrisk.detection.values.ValueSurprise` test the signed mean residual
of the last ``k`` rows against its own variance. A change that leaves that mean near zero goes
unseen there: a series that starts to oscillate, a gauge that turns noisy, a level that swings
both ways, a daily cycle replaced by something else. This channel tests the mean of the *size* of
the standardised residuals over ``k`` rows instead:

    m_t = (1 / k) * sum of min(|r_i| / sd, cap) over the last k rows

against the exponentially weighted mean and variance of ``m`` itself (which carry the series' own
autocorrelation and tails), one-sided: only a rise is news. Each term is capped, so one spike moves
``m`` by at most ``cap / k``: spikes are the mean scales' business, sustained disorder is this one's.
Like everything in the value core the statistic is unit- and offset-free.
"""

from __future__ import annotations

import math
from typing import Any

from newsrisk.detection.stats import normal_log10_sf

VAR_FLOOR = 1e-4  # variance floor of m, in squared sd units (a constant series divides by this)
WINSOR_AFTER = 24  # observations of m before its updates are winsorised


class Dispersion:
    """Upper-tail surprise of the mean capped absolute standardised residual over ``rows``."""

    __slots__ = ("rows", "cap", "winsor_sd", "_u", "_pos", "_n", "_sum", "_w", "_m1", "_m2")

    def __init__(self, rows: int, cap: float, winsor_sd: float) -> None:
        if rows < 1:
            raise ValueError("rows must be positive")
        self.rows = rows
        self.cap = cap
        self.winsor_sd = winsor_sd
        self._u = [0.0] * rows
        self._pos = 0
        self._n = 0
        self._sum = 0.0
        self._w = 0.0  # decayed weight of the moments of m (0: none yet)
        self._m1 = 0.0
        self._m2 = 0.0

    def step(self, z: float, k: float) -> float:
        """Add a residual of ``z`` standard deviations; ``k`` decays the moments of ``m`` (the
        caller's forgetting factor for the time since the last row). Returns ``-log10 p`` >= 0."""
        u = min(abs(z), self.cap)
        pos = self._pos
        self._sum += u - self._u[pos]
        self._u[pos] = u
        self._pos = (pos + 1) % self.rows
        self._n += 1
        if self._n < self.rows:
            return 0.0
        m = self._sum / self.rows
        if self._w <= 0.0:  # the first full window starts the moments
            self._w, self._m1, self._m2 = 1.0, m, m * m
            return 0.0
        mean = self._m1 / self._w
        var = max(self._m2 / self._w - mean * mean, 0.0)
        sd = math.sqrt(var + VAR_FLOOR)
        learnt = min(m, mean + self.winsor_sd * sd) if self._w > WINSOR_AFTER else m
        self._w = self._w * k + 1.0
        self._m1 = self._m1 * k + learnt
        self._m2 = self._m2 * k + learnt * learnt
        zm = (m - mean) / sd
        return -normal_log10_sf(zm) if zm > 0.0 else 0.0

    def state_dict(self) -> dict[str, Any]:
        return {
            "u": list(self._u),
            "pos": self._pos,
            "n": self._n,
            "sum": self._sum,  # kept as it runs: a fresh sum would differ in the last bit
            "moments": [self._w, self._m1, self._m2],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._u = [float(v) for v in state["u"]]
        self._pos = int(state["pos"])
        self._n = int(state["n"])
        self._sum = float(state["sum"])
        self._w, self._m1, self._m2 = (float(v) for v in state["moments"])
