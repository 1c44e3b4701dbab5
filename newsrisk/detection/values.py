"""Real-valued core of the univariate detector: multi-scale, two-sided surprise of a measurement.

The count core (:class:`~newsrisk.detection.core.CountSurprise`) assumes counts: a variance that
grows with the mean, nothing below zero, nothing to say about a drop. A temperature, a latency or
a utilisation has none of that, and its unit is arbitrary: multiplying the series by 1000 must not
change a single score. This core therefore models the value itself:

* the expected value at ``t`` is ``level + hour[h(t)]``, an additive hour-of-day offset
  estimated as exponentially weighted slot means (shrunk towards 0 while a slot is young) and an
  exponentially weighted de-seasonalised level; updates are winsorised at ``winsor_sd`` standard
  deviations so that an anomaly barely moves the baseline while a lasting shift is absorbed;
* weekly terms, ``weekday[d(t)] + weekend_hour[h(t)]`` (weekends are often flatter, not only
  lower), learn from what that leaves and join the prediction only after two weeks and while
  their predictions have been better (squared error below 0.9 of the daily profile's alone): a
  weekly pattern needs weeks to be told from noise, and a series without one keeps the simpler
  model;
* for each scale ``k`` the mean residual of the last ``k`` windows is compared with the
  exponentially weighted variance of that same mean residual (which carries the series'
  autocorrelation, so a slow wander is not read as a shift) as a normal z-score, two-sided unless
  configured otherwise;
* a dispersion channel (:class:`~newsrisk.detection.dispersion.Dispersion`) tests the mean *size*
  of the standardised residuals over ``dispersion_scales`` rows against its own history, so that
  a series that turns noisy or starts to oscillate around an unchanged mean is seen too;
* the scales (and the dispersion channel) combine by the harmonic mean of their p-values, like
  the count core.

Every quantity is a difference of values divided by a standard deviation of values: the surprise
is invariant to the unit and to an offset of the series.
"""

from __future__ import annotations

import math
from typing import Any

from newsrisk.detection.baseline import DAY, _SlotMeans, decay, hour_slot, weekday_slot
from newsrisk.detection.config import ValueConfig
from newsrisk.detection.dispersion import Dispersion
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
        "weekend",
        "gap",
        "last_t",
        "first_t",
        "err_plain",
        "err_weekly",
        "weekly_on",
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
        "dispersion",
    )

    def __init__(self, cfg: ValueConfig) -> None:
        if not cfg.scales or min(cfg.scales) < 1:
            raise ValueError("scales must be positive window counts")
        self.cfg = cfg
        self.scales = tuple(sorted(set(int(k) for k in cfg.scales)))
        self.hours = _SlotMeans(24)
        self.days = _SlotMeans(7)
        self.gap = 0.0  # exponentially weighted gap between rows, seconds
        self.last_t = 0.0
        self.first_t = 0.0
        self.err_plain = self.err_weekly = 0.0
        self.weekly_on = False
        self.weekend = _SlotMeans(48)  # hour-of-day offsets of weekdays (0-23), weekends (24-47)
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
        self.dispersion = [
            Dispersion(k, cfg.dispersion_cap, cfg.winsor_sd)
            for k in sorted(set(int(k) for k in cfg.dispersion_scales))
        ]

    @property
    def n_obs(self) -> int:
        return self._n

    def _offsets(self, t: float) -> tuple[float, float, float]:
        """Hour-of-day, weekday and weekend-hour offsets at ``t``."""
        cfg = self.cfg
        fh = fw = 0.0
        if cfg.hour_of_day:
            # offsets hold at the middle of their hour; in between, interpolate linearly, so a
            # smooth daily cycle is not read as a staircase
            pos = (t % DAY) / 3600.0 - 0.5
            lo = math.floor(pos)
            frac = pos - lo

            # the two ends of the interpolation are hours of their own days: across midnight
            # from a Sunday to a Monday the weekend hour 23 meets the weekday hour 0
            t_lo = t - frac * 3600.0  # the middle of the lower hour
            t_hi = t_lo + 3600.0

            def between(slots: _SlotMeans, weekend: bool, halflife_s: float, prior: float) -> float:
                a = slots.offset(_slot_of(t_lo, weekend), t, halflife_s, prior)
                return (1.0 - frac) * a + frac * slots.offset(
                    _slot_of(t_hi, weekend), t, halflife_s, prior
                )

            fh = between(self.hours, False, cfg.profile_halflife_s, cfg.profile_prior_obs)
            if cfg.weekend_hours:
                prior = cfg.weekly_prior_days * self.rows_per_day() / 24.0
                fw = between(self.weekend, True, cfg.weekly_halflife_s, prior)
        fd = (
            self.days.offset(
                weekday_slot(t),
                t,
                cfg.weekly_halflife_s,
                cfg.weekly_prior_days * self.rows_per_day(),
            )
            if cfg.weekday
            else 0.0
        )
        return fh, fd, fw

    def _level(self) -> float:
        return self.level_sum / self.level_weight if self.level_weight > 0.0 else 0.0

    def variance(self, i: int) -> float:
        """Variance of the mean residual at scale ``i`` (0 before any observation)."""
        w = self._var_w[i]
        return self._var[i] / w if w > 0.0 else 0.0

    def rows_per_day(self) -> float:
        """Rows in a day at the series' typical spacing (exponentially weighted mean gap)."""
        return DAY / self.gap if self.gap > 0.0 else 288.0

    def step(self, t: float, x: float) -> float:
        """Score the window at ``t`` with value ``x``, then learn from it; ``-log10 p`` >= 0."""
        cfg = self.cfg
        first = self._n == 0
        elapsed = 0.0 if first else t - self.last_t
        if first:
            self.first_t = t
        elif elapsed > 0.0:
            # a long outage is not the spacing: one gap moves the estimate by at most 10 %
            self.gap = (
                elapsed
                if self.gap <= 0.0
                else 0.99 * self.gap + 0.01 * min(elapsed, 10 * self.gap)
            )
        self.last_t = t
        fh, fd, fw = self._offsets(t)
        weekly = fd + fw
        used = True
        if cfg.weekly_gate > 0.0:
            # the weekly terms are used only while their predictions have been better than the
            # daily profile's alone (squared errors, exponentially weighted), and not before
            # ``weekly_after_s``: a weekly pattern cannot be told from noise in its first weeks
            plain = self._level() + fh
            k = decay(elapsed, cfg.weekly_halflife_s)
            self.err_plain = self.err_plain * k + (x - plain) ** 2
            self.err_weekly = self.err_weekly * k + (x - plain - weekly) ** 2
            if not self.weekly_on:
                weekly = 0.0
                used = False
            self.weekly_on = (
                self.err_weekly < cfg.weekly_gate * self.err_plain
                and t - self.first_t >= cfg.weekly_after_s
            )
        mu = x if first else self._level() + fh + weekly
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
        # the newest value lies on the side of the strongest deviation: it is part of it
        onset = raw_last * z_best > 0.0
        if not first:
            z1 = raw_last / math.sqrt(var1 + floor)
            for channel in self.dispersion:
                s = channel.step(z1, k_var)
                if cfg.dispersion_max_surprise > 0.0:
                    s = min(s, cfg.dispersion_max_surprise)
                inv_p += 10.0 ** min(s, 300.0)
                if s > s_best:  # a dispersion event: the newest value is itself off by 1 sd
                    s_best, onset = s, abs(z1) >= 1.0
        self._pos = (pos + 1) % size
        self._learn(t, xc, fh, fd, fw, used)
        self.expected = mu
        self.sd = sd1
        self.onset = onset
        if n <= 1:
            return 0.0
        tests = len(self.scales) + len(self.dispersion)
        return min(max(math.log10(max(inv_p, 1e-300) / tests), 0.0), MAX_SURPRISE)

    def _learn(self, t: float, value: float, fh: float, fd: float, fw: float, used: bool) -> None:
        """Learn from ``value``. The weekly terms (``fd``, ``fw``) always learn, from what the
        rest leaves; the daily profile and the level learn net of them only while they are
        ``used`` in the prediction (otherwise the two would disagree about the level)."""
        cfg = self.cfg
        wk = fd + fw if used else 0.0
        level = self._level() if self.level_weight > 0.0 else value - fh - wk
        if cfg.hour_of_day:
            self.hours.add(hour_slot(t), t, value - level - wk, cfg.profile_halflife_s)
            if cfg.weekend_hours:
                slot = _weekend_base(t) + hour_slot(t)
                self.weekend.add(slot, t, value - level - fh - fd, cfg.weekly_halflife_s)
        if cfg.weekday:
            self.days.add(weekday_slot(t), t, value - level - fh - fw, cfg.weekly_halflife_s)
        k = decay(t - self.level_touched, cfg.level_halflife_s) if self.level_weight > 0.0 else 1.0
        self.level_sum = self.level_sum * k + (value - fh - wk)
        self.level_weight = self.level_weight * k + 1.0
        self.level_touched = t

    def state_dict(self) -> dict[str, Any]:
        return {
            "hours": self.hours.state_dict(),
            "days": self.days.state_dict(),
            "weekend": self.weekend.state_dict(),
            "gap": [self.gap, self.last_t, self.first_t],
            "weekly_fit": [self.err_plain, self.err_weekly, float(self.weekly_on)],
            "level": [self.level_sum, self.level_weight, self.level_touched],
            "n": self._n,
            "pos": self._pos,
            "res": list(self._res),
            "var": [list(self._var), list(self._var_w), self._var_touched],
            "dispersion": [channel.state_dict() for channel in self.dispersion],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.hours.load_state_dict(state["hours"])
        self.days.load_state_dict(state["days"])
        if "weekend" in state:
            self.weekend.load_state_dict(state["weekend"])
            self.gap, self.last_t, self.first_t = (float(v) for v in state["gap"])
            self.err_plain, self.err_weekly, on = (float(v) for v in state["weekly_fit"])
            self.weekly_on = bool(on)
        self.level_sum, self.level_weight, self.level_touched = (float(v) for v in state["level"])
        self._n = int(state["n"])
        self._pos = int(state["pos"])
        self._res = [float(v) for v in state["res"]]
        var, var_w, touched = state["var"]
        self._var = [float(v) for v in var]
        self._var_w = [float(v) for v in var_w]
        self._var_touched = float(touched)
        for channel, saved in zip(self.dispersion, state.get("dispersion", []), strict=False):
            channel.load_state_dict(saved)


def _slot_of(t: float, weekend: bool) -> int:
    """Hour-of-day slot of ``t``; with ``weekend``, of the weekday (0-23) or weekend (24-47) set."""
    return (_weekend_base(t) if weekend else 0) + hour_slot(t)


def _weekend_base(t: float) -> int:
    """First of the 24 weekend-hour slots that ``t`` uses: 0 on weekdays, 24 on weekends."""
    return 24 if weekday_slot(t) >= 5 else 0


def _two_sided_surprise(z: float) -> float:
    """-log10 P(|Z| >= |z|)."""
    return max(_upper_surprise(abs(z)) - LOG10_2, 0.0)


def _upper_surprise(z: float) -> float:
    """-log10 P(Z >= z) for a standard normal, finite far into the tail."""
    return -normal_log10_sf(z) if z > 0.0 else 0.0
