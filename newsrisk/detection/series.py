"""Univariate streaming detector (timestamps + values), used by ``newsrisk nab``.

It is the news detector's statistical core (:class:`~newsrisk.detection.core.CountSurprise`)
applied to one series, plus the NAB-style output policy: nothing during warm-up (and what the
cores say then, while they are still learning the series, neither sets the declustering memory
nor enters the calibration: a value core without a variance yet reads any move as a near-certain
anomaly, and that day's maximum would damp two weeks of scores), and after a
high score only a *higher* one passes until the memory of it has decayed, so that one event
reports once, as early as the evidence allows. An event already reported as a clear one (the
remembered surprise, calibrated, at least ``suppress_final`` times the series' typical daily worst)
is not escalated at all while that memory lasts; nor, for a clear count event, by the level
channel (``suppress_final_shared``): the level that a clear burst leaves behind for hours is that
burst, not a second event. On the count channels (``suppress_final_ongoing``) a clear event's
memory follows its surprise to its peak, and the event lasts until a window is less surprising
than the memory it had when it stopped being clear: a burst that outlives the memory of its
first report is not reported again at its peak. An event is reported only on a window that is
itself part of it (``report_onset_only``: a count above its expectation, a value on the side of
the strongest deviation): never on a quiet window whose longer-scale sum still holds an earlier
burst at the moment the memory of that burst's report has decayed.

A second channel (``level_windows`` > 0), :class:`~newsrisk.detection.level.LevelShift`, scores
the level of the last hours against the series' own day-to-day variability, so that a slow
sustained rise is reported too. It has its own declustering memory and calibration; its surprise
pays a Bonferroni penalty (``level_penalty``) and the score is the larger calibrated value of the
two. While the count channel sees an event (calibrated surprise above ``level_shared_min``,
reported or not), the level channel's memory follows its own value: the level that a burst of
spikes lifts belongs to that event and is not reported again.

Measurements are not counts. A real-valued core (:class:`~newsrisk.detection.values.ValueSurprise`:
unit-free, two-sided, with its own declustering memory and calibration) scores them. By default
(``model="auto"``) a series with a value that is not a non-negative integer uses it; on integers
both cores run and the one with the better log predictive likelihood so far (clipped per window,
with hysteresis) is reported, so a gauge that reports whole units is not taken for counts.

Row spacing: the count core's window counts are for 5-minute rows (``reference_spacing_s``). The
first rows wait (in warm-up anyway) until the median gap is known; the cores are then built with
those counts converted, and the rows replayed. A coarse series also warms up after
``warmup_min_obs`` rows spanning ``warmup_s``, not after 288 rows.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from newsrisk.detection.baseline import decay
from newsrisk.detection.calibrate import DailyMaxCalibrator, TailCalibrator
from newsrisk.detection.config import SeriesConfig
from newsrisk.detection.core import CountSurprise
from newsrisk.detection.level import LevelShift
from newsrisk.detection.stats import nb_log_pmf, normal_log_mass, surprise_to_score
from newsrisk.detection.values import ValueSurprise
from newsrisk.records import parse_time

EVIDENCE_CLIP = 10.0  # nats: the most one window may move the choice between the two cores
SPACING_GAPS = 16  # gaps between the first rows whose median is the series' spacing
EVIDENCE_MARGIN = 20.0  # nats the other core must lead by before the report switches to it


class _Reporter:
    """Declustering memory and calibration of one channel's surprises."""

    __slots__ = ("cfg", "calibrator", "memory", "memory_t", "reported_t", "ongoing", "follow")

    def __init__(self, cfg: SeriesConfig, follow: bool = False) -> None:
        self.cfg = cfg
        self.follow = follow  # a clear event stays clear while it lasts (suppress_final_ongoing)
        self.calibrator = _calibrator(cfg)
        self.memory = 0.0  # surprise of the last reported event, decayed
        self.memory_t = 0.0
        self.reported_t = -1e18  # event time of the last reported window (none yet)
        self.ongoing = 0.0  # > 0: a clear event is in progress while surprises stay at this

    def step(
        self, t: float, raw: float, final: bool = False, onset: bool = True, warm: bool = True
    ) -> float:
        """Calibrated surprise of ``raw`` when it starts a new event, else 0.

        ``final``: another channel has just reported a clear event, which this one must not
        escalate either. Before the detector is ``warm`` its model is still learning the series
        (a value core that has seen no variance yet reads any move as a near-certain anomaly):
        such surprises neither set the memory nor enter the calibration.
        """
        if not warm:
            return 0.0
        cfg = self.cfg
        # Decluster: a window is an event candidate only when its surprise beats the decayed
        # memory of the last candidate by ``suppress_ratio``; the rest of an event reports 0.
        memory = self._decayed(t)
        held = t - self.reported_t < cfg.suppress_hold_s
        candidate = onset and raw > 0.0 and raw > memory * cfg.suppress_ratio and not held
        # whether the remembered report is still a clear event: needed for a candidate, and on
        # every window where clear events are followed
        clear = (candidate or self.follow) and cfg.suppress_final > 0.0 and (final or self.final(t))
        if self.follow:
            # a clear event stays clear until a window is less surprising than the memory it
            # had when it stopped being clear; meanwhile the memory follows it (below)
            if clear:
                self.ongoing = memory
            elif raw < self.ongoing:
                self.ongoing = 0.0
            clear = clear or self.ongoing > 0.0
        if candidate and clear:
            candidate = False  # the remembered report was a clear event: this is the same one
        if candidate:
            self.reported_t = t
        track = cfg.suppress_track_all or self.ongoing > 0.0
        if candidate or (held and raw > memory) or (track and raw > memory):
            memory = raw
        self.memory, self.memory_t = memory, t
        if not candidate:
            s = 0.0
        elif cfg.calibrate:
            s = self.calibrator.calibrate(raw, t)
        else:
            s = raw
        self.calibrator.update(raw if candidate or cfg.calibrate_mode == "daily_max" else 0.0, t)
        return s

    def calibrated(self, raw: float, t: float) -> float:
        """``raw`` on the calibrated scale, reported or not."""
        return self.calibrator.calibrate(raw, t) if self.cfg.calibrate else raw

    def _decayed(self, t: float) -> float:
        """The remembered surprise, decayed to ``t``."""
        return self.memory * decay(t - self.memory_t, self.cfg.suppress_halflife_s)

    def final(self, t: float) -> bool:
        """Whether the remembered report, decayed to ``t``, is still a clear event."""
        cfg = self.cfg
        if cfg.suppress_final <= 0.0 or self.memory <= 0.0:
            return False
        return self.calibrated(self._decayed(t), t) >= cfg.suppress_final

    def mark(self, t: float, raw: float) -> None:
        """Remember ``raw`` as reported at ``t`` (another channel sees the same event)."""
        memory = self._decayed(t)
        self.memory, self.memory_t = max(memory, raw), t

    def state_dict(self) -> dict[str, Any]:
        return {
            "memory": [self.memory, self.memory_t, self.reported_t, self.ongoing],
            "calibrator": self.calibrator.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        memory = [float(v) for v in state["memory"]]
        self.memory, self.memory_t, self.reported_t = memory[:3]
        self.ongoing = memory[3] if len(memory) > 3 else 0.0
        self.calibrator.load_state_dict(state["calibrator"])


class SeriesDetector:
    """``update(timestamp, value) -> score in [0, 1]``; causal, one call per row."""

    def __init__(self, config: SeriesConfig | None = None) -> None:
        self.requested = config or SeriesConfig()
        # the first rows, held until the series' spacing is known (None: the cores are built)
        self.pending: list[tuple[float, float]] | None = (
            [] if self.requested.reference_spacing_s > 0 else None
        )
        self._build(self.requested)

    def _build(self, cfg: SeriesConfig) -> None:
        self.config = cfg
        self.core = CountSurprise(cfg.baseline, cfg.scoring.scales, cfg.scoring.combine)
        counts = cfg.suppress_final_ongoing in ("counts", "all")
        self.reporter = _Reporter(cfg, follow=counts)
        self.level: LevelShift | None = None
        self.level_reporter = _Reporter(cfg, follow=counts)
        if cfg.level_windows > 0:
            self.level = LevelShift(
                cfg.level_windows,
                cfg.level_halflife_s,
                cfg.level_prior_sd,
                cfg.level_prior_obs,
                cfg.level_winsor_sd,
            )
        self.values: ValueSurprise | None = None
        self.value_reporter = _Reporter(cfg, follow=cfg.suppress_final_ongoing == "all")
        if cfg.model != "counts":
            self.values = ValueSurprise(cfg.values)
        self.counting = cfg.model != "values"  # the count core is still a candidate
        self.evidence = 0.0  # log-likelihood ratio so far, count core over real-valued core
        self.prefer_values = False  # auto on integers: which core is reported now
        self.first_t: float | None = None

    @property
    def model(self) -> str:
        """The core whose score is reported now: ``counts`` or ``values``."""
        if self.values is None:
            return "counts"
        return "values" if not self.counting or self.prefer_values else "counts"

    def update(self, timestamp: datetime | str | float, value: float) -> float:
        t = parse_time(timestamp).timestamp() if not isinstance(timestamp, float) else timestamp
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"value {value!r} at {timestamp} is not a finite number")
        if self.pending is not None:
            # the spacing decides the window counts (module doc): a 1-hour series sums 2 h as
            # a 5-minute one does, not 24 h
            self.pending.append((t, v))
            if len(self.pending) > SPACING_GAPS:
                rows, self.pending = self.pending, None
                self._build(rescaled(self.requested, _median_gap(rows)))
                for row in rows:
                    self._update(*row)
            return 0.0
        return self._update(t, v)

    def _update(self, t: float, v: float) -> float:
        cfg = self.config
        values = self.values
        if self.first_t is None:
            self.first_t = t
        if values is None:
            return self._score(self._count_step(t, v), self.core.n_obs, t)
        if self.counting and (v < 0.0 or v != math.floor(v)):
            self.counting = False  # not a count series after all: the count core retires
        if not self.counting:
            s = self._value_step(t, v, values)
            return self._score(s, values.n_obs, t)
        # auto on integers: both cores score and learn; the one that has predicted this series
        # better (log predictive likelihood so far) is reported
        s_values = self._value_step(t, v, values)
        s_counts = self._count_step(t, v)
        if self.core.n_obs > min(cfg.scoring.warmup_obs // 2, cfg.warmup_min_obs):
            # once both predict something
            ll_counts = nb_log_pmf(max(v, 0.0), self.core.expected, self.core.alpha)
            ll_values = normal_log_mass(v, values.expected, values.sd)
            # one outlier is an anomaly, not evidence about the model: clipped
            diff = min(max(ll_counts - ll_values, -EVIDENCE_CLIP), EVIDENCE_CLIP)
            self.evidence += diff
            if abs(self.evidence) > EVIDENCE_MARGIN:  # hysteresis: no flapping near a tie
                self.prefer_values = self.evidence < 0.0
        s = s_values if self.prefer_values else s_counts
        return self._score(s, self.core.n_obs, t)

    def _score(self, s: float, n_obs: int, t: float) -> float:
        return surprise_to_score(s, self.config.scoring.score_scale) if self._warm(n_obs, t) else 0.0

    def _warm(self, n_obs: int, t: float) -> bool:
        """Whether a core that has seen ``n_obs`` windows, the last at ``t``, may report: after
        ``warmup_obs`` windows, or sooner on a coarse series: ``warmup_min_obs`` windows spanning
        at least ``warmup_s`` (a day of 5-minute windows is 288 either way)."""
        cfg = self.config
        return n_obs > cfg.scoring.warmup_obs or (
            n_obs > cfg.warmup_min_obs and t - (self.first_t or t) >= cfg.warmup_s
        )

    def _value_step(self, t: float, v: float, values: ValueSurprise) -> float:
        raw = values.step(t, v)
        onset = not self.config.report_onset_only or values.onset
        return self.value_reporter.step(t, raw, onset=onset, warm=self._warm(values.n_obs, t))

    def _count_step(self, t: float, value: float) -> float:
        """Surprise of the count core (and its level channel), reported and calibrated."""
        x = max(value, 0.0)
        cfg = self.config
        raw = self.core.step(t, x)
        warm = self._warm(self.core.n_obs, t)
        # an event is reported on one of its own windows, not on a quiet one whose longer-scale
        # sum still holds it when the memory of an earlier report has decayed
        onset = not cfg.report_onset_only or x > self.core.expected
        s = self.reporter.step(t, raw, onset=onset, warm=warm)
        if self.level is not None:
            lvl = max(self.level.step(t, x, self.core.expected) - cfg.level_penalty, 0.0)
            if warm and self.reporter.calibrated(raw, t) > cfg.level_shared_min:
                # a window of a count event (reported or not): the level it lifts is that event
                self.level_reporter.mark(t, lvl)
            final = cfg.suppress_final_shared and self.reporter.final(t)
            s = max(s, self.level_reporter.step(t, lvl, final, onset, warm))
        return s

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "requested": self.requested.to_dict(),
            "pending": None if self.pending is None else [list(r) for r in self.pending],
            "config": self.config.to_dict(),
            "core": self.core.state_dict(),
            **self.reporter.state_dict(),
            "counting": self.counting,
            "first_t": self.first_t,
            "evidence": [self.evidence, float(self.prefer_values)],
        }
        if self.values is not None:
            state["values"] = self.values.state_dict()
            state["value_reporter"] = self.value_reporter.state_dict()
        if self.level is not None:
            state["level"] = self.level.state_dict()
            state["level_reporter"] = self.level_reporter.state_dict()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._build(SeriesConfig.from_dict(state["config"]))
        self.requested = SeriesConfig.from_dict(state.get("requested", state["config"]))
        pending = state.get("pending")
        self.pending = None if pending is None else [(float(t), float(v)) for t, v in pending]
        self.core.load_state_dict(state["core"])
        self.reporter.load_state_dict(state)
        if self.level is not None and "level" in state:
            self.level.load_state_dict(state["level"])
            self.level_reporter.load_state_dict(state["level_reporter"])
        self.counting = bool(state.get("counting", self.counting))
        first_t = state.get("first_t")
        self.first_t = None if first_t is None else float(first_t)
        evidence = state.get("evidence", (0.0, 0.0))
        self.evidence, self.prefer_values = float(evidence[0]), bool(evidence[1])
        if self.values is not None and "values" in state:
            self.values.load_state_dict(state["values"])
            self.value_reporter.load_state_dict(state["value_reporter"])


def _median_gap(rows: list[tuple[float, float]]) -> float:
    gaps = sorted(b[0] - a[0] for a, b in zip(rows, rows[1:], strict=False) if b[0] > a[0])
    return gaps[len(gaps) // 2] if gaps else 0.0


def rescaled(cfg: SeriesConfig, spacing_s: float) -> SeriesConfig:
    """``cfg`` with the count core's window counts (scales, level windows) converted from
    windows of ``reference_spacing_s`` to windows of ``spacing_s``.

    Those were chosen on 5-minute tweet counts, where an event has a duration in time. The
    real-valued core keeps its scales in rows: on measurements every spacing was checked with
    them (``benchmarks/nab_synthetic.py --step-minutes``), and converting them lost the long
    scales that find drifts and vanished cycles on hourly rows.
    """
    ref = cfg.reference_spacing_s
    if ref <= 0.0 or spacing_s <= 0.0 or abs(spacing_s / ref - 1.0) < 0.05:
        return cfg
    factor = ref / spacing_s

    def windows(n: int) -> int:
        return max(1, round(n * factor))

    out = SeriesConfig.from_dict(cfg.to_dict())
    out.scoring.scales = tuple(sorted({windows(k) for k in cfg.scoring.scales}))
    if cfg.level_windows > 0:
        out.level_windows = windows(cfg.level_windows)
    return out


def _calibrator(cfg: SeriesConfig) -> TailCalibrator | DailyMaxCalibrator:
    if cfg.calibrate_mode == "daily_max":
        return DailyMaxCalibrator(
            cfg.calibrate_days, cfg.calibrate_prior, cfg.calibrate_prior_days, cfg.calibrate_max_weight
        )
    return TailCalibrator(cfg.calibrate_u, cfg.calibrate_halflife_s, cfg.calibrate_prior_obs)
