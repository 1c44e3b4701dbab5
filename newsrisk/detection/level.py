"""Level-shift channel of the univariate detector (``newsrisk nab``).

The count core (:class:`~newsrisk.detection.core.CountSurprise`) tests sums of up to two hours
against a negative binomial whose over-dispersion is learnt from the same scales; a rise that
builds up over hours (a series at three times its usual rate for an afternoon) inflates that
dispersion while it happens and is never very surprising at any one scale. This channel instead
asks whether the *level of the last hours* is unusual for this series: the log ratio of the
observed to the expected count over ``windows`` windows, as a z-score against the series' own
history of that ratio (which includes its day-to-day level variability).
"""

from __future__ import annotations

import math
from typing import Any

from newsrisk.detection.baseline import decay
from newsrisk.detection.stats import normal_log10_sf


class LevelShift:
    """Surprise of the recent level: the count of the last ``windows`` windows against the
    sum of their expectations, as a z-score of the log ratio relative to this series' own history.

    The log ratio ``r = ln((X + 1) / (M + 1))`` of a long window (hours) mostly measures how far
    the baseline is from today's level, which varies from day to day far more than counting noise
    says; its exponentially forgetting mean and variance (``halflife_s``, shrunk towards
    ``prior_sd`` by ``prior_obs`` pseudo-observations) set the null, updated with ``r`` winsorised
    at ``winsor_sd`` standard deviations so that a shift does not widen its own null. The surprise
    is ``-log10`` of the normal upper tail of the z-score.
    """

    __slots__ = (
        "windows",
        "halflife_s",
        "prior_sd",
        "prior_obs",
        "winsor_sd",
        "_xs",
        "_mus",
        "_pos",
        "_n",
        "_sx",
        "_smu",
        "_w",
        "_m1",
        "_m2",
        "_touched",
        "z",
    )

    def __init__(
        self, windows: int, halflife_s: float, prior_sd: float, prior_obs: float, winsor_sd: float
    ) -> None:
        if windows < 1:
            raise ValueError("windows must be positive")
        self.windows = windows
        self.halflife_s = halflife_s
        self.prior_sd = prior_sd
        self.prior_obs = prior_obs
        self.winsor_sd = winsor_sd
        self._xs = [0.0] * windows
        self._mus = [0.0] * windows
        self._pos = 0
        self._n = 0
        self._sx = 0.0
        self._smu = 0.0
        self._w = 0.0  # decayed weight of the log-ratio moments
        self._m1 = 0.0  # decayed sum of r
        self._m2 = 0.0  # decayed sum of r^2
        self._touched = 0.0
        self.z = 0.0

    def _moments(self, k: float) -> tuple[float, float]:
        w = self._w * k + self.prior_obs
        mean = self._m1 * k / w
        var = (self._m2 * k + self.prior_obs * self.prior_sd**2) / w - mean * mean
        return mean, max(var, 1e-6)

    def step(self, t: float, x: float, mu: float) -> float:
        """Add the window at ``t`` (count ``x``, expectation ``mu``); surprise of the level."""
        pos = self._pos
        self._sx += x - self._xs[pos]
        self._smu += mu - self._mus[pos]
        self._xs[pos], self._mus[pos] = x, mu
        self._pos = (pos + 1) % self.windows
        self._n += 1
        if self._n < self.windows:
            return 0.0
        r = math.log((max(self._sx, 0.0) + 1.0) / (max(self._smu, 0.0) + 1.0))
        k = decay(t - self._touched, self.halflife_s) if self._w > 0.0 else 1.0
        mean, var = self._moments(k)
        sd = math.sqrt(var)
        self.z = (r - mean) / sd
        lim = self.winsor_sd * sd
        rc = max(mean - lim, min(r, mean + lim))
        self._w = self._w * k + 1.0
        self._m1 = self._m1 * k + rc
        self._m2 = self._m2 * k + rc * rc
        self._touched = t
        if self.z <= 0.0:
            return 0.0
        return -normal_log10_sf(self.z)

    def state_dict(self) -> dict[str, Any]:
        return {
            "xs": list(self._xs),
            "mus": list(self._mus),
            "pos": self._pos,
            "n": self._n,
            "sums": [self._sx, self._smu],
            "moments": [self._w, self._m1, self._m2, self._touched],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._xs = [float(v) for v in state["xs"]]
        self._mus = [float(v) for v in state["mus"]]
        self._pos = int(state["pos"])
        self._n = int(state["n"])
        self._sx, self._smu = (float(v) for v in state["sums"])
        self._w, self._m1, self._m2, self._touched = (float(v) for v in state["moments"])
