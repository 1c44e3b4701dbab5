"""Per-series calibration of surprises against the series' own history (peaks over threshold).

A count model is never exactly right: some series (bursty hashtags, bots) produce large model
surprises every week, others almost never. The calibrator keeps, per series, an exponentially
forgetting estimate of how often the model surprise exceeds ``u`` (``rate``) and of the tail of
those exceedances as a Pareto law (the Hill estimator ``gamma = E[ln(S / u) | S > u]``), seeded
with pseudo-observations of a perfectly calibrated model. The calibrated surprise is

    C(s) = -log10( rate * (s / u) ** (-1 / gamma) )   for s > u, linear from 0 to C(u) below,

i.e. -log10 of the estimated probability, *in this series*, of a surprise at least ``s``.
"""

from __future__ import annotations

import math
from typing import Any

from newsrisk.detection.baseline import decay

LN10 = math.log(10.0)
# the calibrator's first day, when its first surprise comes this long after midnight (the detector
# warmed up in its last quarter), is seen only in part: its maximum is a lower bound of the day's
# (12 h instead on realTweets moved by 0-18 h: mean 76.90 against 77.34; 6 h: 76.08)
PARTIAL_DAY_S = 18 * 3600.0


class TailCalibrator:
    __slots__ = ("u", "halflife_s", "prior_obs", "n", "exceed", "log_sum", "touched")

    def __init__(self, u: float, halflife_s: float, prior_obs: float) -> None:
        self.u = u
        self.halflife_s = halflife_s
        self.prior_obs = prior_obs
        self.n = 0.0  # decayed number of observations
        self.exceed = 0.0  # decayed number of surprises above u
        self.log_sum = 0.0  # decayed sum of ln(S / u) over those
        self.touched = 0.0

    def _prior(self) -> tuple[float, float, float]:
        """Pseudo-observations of a calibrated model: P(S > u) = 10**-u, ln(S/u) ~ 1/(u ln 10)."""
        n0 = self.prior_obs
        e0 = n0 * 10.0 ** (-self.u)
        return n0, e0, e0 * _calibrated_hill(self.u)

    def calibrate(self, s: float, t: float) -> float:
        if s <= 0.0:
            return 0.0
        k = decay(t - self.touched, self.halflife_s) if self.n > 0.0 else 1.0
        n0, e0, l0 = self._prior()
        n = self.n * k + n0
        e = self.exceed * k + e0
        gamma = (self.log_sum * k + l0) / e
        at_u = -math.log10(e / n)
        if s <= self.u:
            return at_u * s / self.u
        return at_u + math.log10(s / self.u) / gamma

    def update(self, s: float, t: float) -> None:
        k = decay(t - self.touched, self.halflife_s) if self.n > 0.0 else 1.0
        self.touched = t
        self.n = self.n * k + 1.0
        self.exceed *= k
        self.log_sum *= k
        if s > self.u:
            self.exceed += 1.0
            self.log_sum += math.log(s / self.u)

    def state_dict(self) -> list[float]:
        return [self.n, self.exceed, self.log_sum, self.touched]

    def load_state_dict(self, state: list[float]) -> None:
        self.n, self.exceed, self.log_sum, self.touched = (float(v) for v in state)


def _calibrated_hill(u: float) -> float:
    """E[ln(S/u) | S > u] when S - u ~ Exponential(ln 10) (a calibrated p-value)."""
    # E[ln(1 + E/u)], E ~ Exp(ln10); numerically by a short midpoint rule.
    steps = 200
    total = 0.0
    top = 12.0 / LN10
    h = top / steps
    for i in range(steps):
        e = (i + 0.5) * h
        total += math.log1p(e / u) * LN10 * math.exp(-LN10 * e) * h
    return total


class DailyMaxCalibrator:
    """Surprise relative to the typical *daily maximum* surprise of the same series.

    Keeps the maxima of the last ``days`` event-time days and divides a surprise by their median
    (shrunk towards ``prior`` while few days are known), so ``C = 2`` means "twice as surprising
    as this series' usual worst window of a day". Medians of block maxima are robust to the few
    giant events, and the ratio is scale-free, so one threshold serves every series. The first day,
    when seen only from more than ``PARTIAL_DAY_S`` after its midnight (warm-up ended during
    it), gives a lower bound of its maximum: it is kept when above the reference so far (it
    says surprises run high) and dropped when below (it would pull the median down: on NAB
    realTweets that day is its last 2-3 hours, 0.0 to 1.5 where full days run 1-60).

    With ``max_weight`` > 0 the reference is the geometric blend ``median^(1-w) * max^w`` of the
    median and the largest of those maxima: a series that had a giant event in the last weeks
    needs a somewhat larger one to be as remarkable (on NAB realTweets, w = 0.25 removes repeat
    reports of recurring bursts; measured on perturbed copies too, see benchmarks/nab_eval.py).
    """

    __slots__ = ("days", "prior", "prior_days", "max_weight", "maxima", "day", "current", "partial")

    def __init__(self, days: int, prior: float, prior_days: float, max_weight: float = 0.0) -> None:
        if not 0.0 <= max_weight <= 1.0:
            raise ValueError("max_weight must be in [0, 1]")
        self.days = days
        self.prior = prior
        self.prior_days = prior_days
        self.max_weight = max_weight
        self.maxima: list[float] = []
        self.day = -1
        self.current = 0.0
        self.partial = False  # the current (first) day began late: its maximum is a lower bound

    def typical(self) -> float:
        n = len(self.maxima)
        if n == 0:
            return self.prior
        ordered = sorted(self.maxima)
        mid = n // 2
        reference = ordered[mid] if n % 2 else 0.5 * (ordered[mid - 1] + ordered[mid])
        w = self.max_weight
        if w > 0.0:
            reference = max(reference, 1e-9) ** (1.0 - w) * max(ordered[-1], 1e-9) ** w
        return (reference * n + self.prior * self.prior_days) / (n + self.prior_days)

    def calibrate(self, s: float, t: float) -> float:
        return s / max(self.typical(), 1e-9)

    def update(self, s: float, t: float) -> None:
        day = int(t // 86400.0)
        if day != self.day:
            # a partial day's maximum is a lower bound: it counts when it says something
            if self.day >= 0 and (not self.partial or self.current > self.typical()):
                self.maxima.append(self.current)
                if len(self.maxima) > self.days:
                    self.maxima.pop(0)
            # only the day it starts on can be partial (not a day resumed after a gap: a sparse
            # series, e.g. one without rows at night, starts every day late)
            self.partial = self.day < 0 and t - day * 86400.0 > PARTIAL_DAY_S
            self.day = day
            self.current = 0.0
        if s > self.current:
            self.current = s

    def state_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "current": self.current,
            "partial": self.partial,
            "maxima": list(self.maxima),
        }

    def load_state_dict(self, state: dict[str, Any] | list[float]) -> None:
        if isinstance(state, list):  # before partial days: [day, current, *maxima]
            state = {"day": state[0], "current": state[1], "partial": False, "maxima": state[2:]}
        self.day = int(state["day"])
        self.current = float(state["current"])
        self.partial = bool(state["partial"])
        self.maxima = [float(v) for v in state["maxima"]]
