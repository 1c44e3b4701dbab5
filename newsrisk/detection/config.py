"""Typed, JSON-serialisable configuration of the detectors (``dataclasses.asdict`` round-trips).

Time constants are in seconds of *event time*, so the same configuration works for 5-minute
and 1-hour windows; prior weights are in observations (windows).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class BaselineConfig:
    """Seasonal, exponentially forgetting, robust baseline of a count rate."""

    level_halflife_s: float = 4 * 86400.0  # memory of the de-seasonalised level
    profile_halflife_s: float = 14 * 86400.0  # memory of the hour-of-day profile
    weekday_halflife_s: float = 28 * 86400.0  # memory of the weekday profile
    dispersion_halflife_s: float = 7 * 86400.0  # memory of the over-dispersion estimates
    hour_of_day: bool = True
    weekday: bool = True
    profile_prior_obs: float = 24.0  # pseudo-observations shrinking each slot towards flat
    dispersion_prior: float = 0.1  # NB alpha (variance = mu + alpha mu^2) before data says more
    dispersion_prior_obs: float = 288.0
    dispersion_min: float = 0.005
    winsor_sd: float = 3.0  # baseline updates are capped at mean + winsor_sd * sd + 1
    min_mean: float = 1e-3  # floor of an expected count per window


@dataclass
class ScoringConfig:
    """How tail probabilities over several time scales become one score."""

    scales: tuple[int, ...] = (1, 3, 12)  # windows summed per scale
    score_scale: float = 4.0  # score = surprise / (surprise + score_scale)
    warmup_obs: int = 288  # windows before a key may alert
    combine: str = "min"  # "min": best scale, Bonferroni; "hmp": harmonic mean p over scales


@dataclass
class ValueConfig:
    """Real-valued series (temperatures, latencies, utilisation): additive seasonal baseline, the
    mean residual over several scales against its own variance, two-sided."""

    scales: tuple[int, ...] = (1, 6, 24, 72)  # windows averaged per scale
    level_halflife_s: float = 86400.0  # memory of the de-seasonalised level
    profile_halflife_s: float = 7 * 86400.0  # memory of the hour-of-day offsets
    profile_prior_obs: float = 2.0  # pseudo-observations shrinking each slot offset to 0
    hour_of_day: bool = True
    # weekly terms: an offset per weekday and hour-of-day offsets of weekend days (a weekend
    # is often flatter, not only lower); they learn from what the daily profile leaves and are
    # used only while they predict better (weekly_gate) and only after weekly_after_s
    weekday: bool = True
    weekend_hours: bool = True
    weekly_halflife_s: float = 14 * 86400.0
    weekly_prior_days: float = 1.0  # days of evidence shrinking each weekly slot towards 0
    # used while their squared errors are below this share of the daily profile's (0: always)
    weekly_gate: float = 0.9
    weekly_after_s: float = 14 * 86400.0
    variance_halflife_s: float = 3 * 86400.0  # memory of each scale's residual variance
    winsor_sd: float = 4.0  # baseline updates are capped at expected +- this many sd
    two_sided: bool = True  # drops are anomalies too
    # dispersion channel: the mean of |residual| / sd (each capped at dispersion_cap) over this
    # many rows, against its own history, one-sided (empty: off). On 52 NAB files (one threshold):
    # 63.58 without; 24 / 48 / 72 / 144 / 288 rows: 64.04 / 63.63 / 65.68 / 66.35 / 65.46
    dispersion_scales: tuple[int, ...] = (144,)
    dispersion_cap: float = 4.0
    # > 0: its surprise is bounded at this (3: p >= 10^-3). A vanished daily cycle and an
    # unmodelled weekend look alike to it: unbounded, it finds the first (synthetic 86.80 ->
    # 88.39) and reads the second as disorder while the weekly terms still wait for two weeks
    # (two-week weekly synthetic 62.10 -> 57.47; two months: 77.59 -> 77.53). Bounded at 3 it does
    # neither (86.58, 60.76). NAB's 52 files: 66.35 either way
    dispersion_max_surprise: float = 0.0


def _from_dict(cls: type, data: dict[str, Any]) -> Any:
    names = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names:
            raise ValueError(f"unknown {cls.__name__} field {key!r}")
        if isinstance(value, list):
            value = tuple(value)
        kwargs[key] = value
    return cls(**kwargs)


@dataclass
class SeriesConfig:
    """Univariate detector (``newsrisk nab``): one series, scored causally."""

    # "counts": the negative-binomial count core; "values": the real-valued core; "auto": while
    # every value so far is a non-negative integer both cores run and the one with the better
    # log predictive likelihood so far is reported; from the first value that is not an
    # integer, the real-valued core alone (it has learnt from the start, so it is warm)
    model: str = "auto"
    baseline: BaselineConfig = field(default_factory=BaselineConfig)
    scoring: ScoringConfig = field(
        default_factory=lambda: ScoringConfig(scales=(6, 24), combine="hmp")
    )
    values: ValueConfig = field(default_factory=ValueConfig)
    # a coarse series (hourly, daily) is warm before scoring.warmup_obs windows: after this many
    # windows once they span warmup_s of event time
    warmup_min_obs: int = 48
    # the count core's window counts (scoring.scales, level_windows) are for rows this far apart;
    # a series with another spacing (median of its first gaps) has them converted (0 = as given)
    reference_spacing_s: float = 300.0
    warmup_s: float = 86400.0
    suppress_halflife_s: float = 6 * 3600.0  # after a high score, only a higher one passes
    suppress_ratio: float = 3.0  # "higher" = this many times the remembered surprise
    suppress_hold_s: float = 0.0  # nothing is reported this long after a report
    suppress_track_all: bool = False  # the memory follows every surprise, not only reported ones
    # > 0: no escalation while the memory, calibrated, is at least this. 2.0 on the median-only
    # scale; the blended reference is larger by (max/median)^0.25 (median 1.7 over realTweets,
    # 1.3-2.3 by series), so the same bar is lower: 1.5 (swept on realTweets and thinned copies:
    # 2.0, 1.5, 1.25 rise together, 1.0 falls 5 points; 1.5 keeps a margin from that edge)
    suppress_final: float = 1.5
    # "counts": on the count channels a clear event stays clear while it lasts: its memory
    # follows its surprise (to the peak of a burst) and it ends only at a window less surprising
    # than the memory it had when it stopped being clear; without, a long burst whose report's
    # memory has decayed is reported again at its peak, and a bot's next burst of the day again.
    # "all": the real-valued channel too; "none": neither. Measurements are left out: a level
    # that stays off keeps its event going for a day, and on NAB's AWS series a fault within
    # hours of a clear deviation is labelled as an anomaly of its own (52 NAB files, one
    # threshold: none 66.62, counts 66.89, all 65.48; realTweets 83.52 / 84.58 / 84.58)
    suppress_final_ongoing: str = "counts"
    # an event is reported only on a window that deviates the way it does (a count above its
    # expectation; a value on the side of the strongest scale's mean residual)
    report_onset_only: bool = True
    suppress_final_shared: bool = True  # a clear count report also stops level escalations
    calibrate: bool = True  # calibrate surprises against the series' own history
    calibrate_mode: str = "daily_max"  # "daily_max" | "tail"
    calibrate_days: int = 14
    calibrate_prior: float = 3.0
    calibrate_prior_days: float = 2.0
    # daily_max: the reference blends the median of the daily maxima with their largest,
    # median^(1-w) * max^w (0 = the median alone)
    calibrate_max_weight: float = 0.25
    calibrate_u: float = 2.0  # surprises above this feed the tail estimate
    calibrate_halflife_s: float = 14 * 86400.0
    calibrate_prior_obs: float = 3000.0
    # level-shift channel (0 windows = off): the last 6 h against the series' own level history
    level_windows: int = 72
    level_halflife_s: float = 7 * 86400.0  # memory of the channel's null (log-ratio moments)
    level_prior_sd: float = 0.3  # sd of the log ratio assumed before data says more
    level_prior_obs: float = 288.0
    level_winsor_sd: float = 3.0  # log ratios feed the null capped at mean +- this many sd
    level_penalty: float = 0.30103  # log10(2): Bonferroni for two channels
    level_shared_min: float = 1.0  # count surprise (calibrated) above this sets the level memory

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SeriesConfig:
        data = dict(data)
        base = _from_dict(BaselineConfig, data.pop("baseline", {}))
        scoring = _from_dict(ScoringConfig, data.pop("scoring", {}))
        values = _from_dict(ValueConfig, data.pop("values", {}))
        if data.get("suppress_final_ongoing", "counts") not in ONGOING:
            raise ValueError(
                f"unknown suppress_final_ongoing {data['suppress_final_ongoing']!r}; "
                f"use one of {', '.join(ONGOING)}"
            )
        if data.get("model", "auto") not in MODELS:
            raise ValueError(
                f"unknown series model {data['model']!r}; use one of {', '.join(MODELS)}"
            )
        return cls(baseline=base, scoring=scoring, values=values, **data)


MODELS = ("auto", "counts", "values")
ONGOING = ("none", "counts", "all")  # the channels whose clear events stay clear while they last


@dataclass
class DetectorConfig:
    """Keyed news detector: negative articles per (topic | entity, window)."""

    # hourly windows see each hour-of-day slot once a day: a lighter profile prior than 5-min series
    baseline: BaselineConfig = field(default_factory=lambda: BaselineConfig(profile_prior_obs=4.0))
    scoring: ScoringConfig = field(
        default_factory=lambda: ScoringConfig(scales=(1, 3), warmup_obs=24)
    )
    warmup_s: float = 86400.0  # and at least this much event time since a key's first window
    share_halflife_s: float = 7 * 86400.0  # memory of the baseline negative share
    share_prior: float = 0.2  # negative share assumed before a key has history
    share_prior_articles: float = 20.0  # weight of that prior, in articles
    share_rho_prior: float = 0.05  # intra-window correlation of labels (beta-binomial)
    require_share_excess: bool = True  # alert only when negatives beat the share *and* volume
    min_negatives: int = 3  # fewer negatives in a window never alert
    warning_score: float = 0.6  # surprise 6 (p = 1e-6) at score_scale 4
    critical_score: float = 0.75  # surprise 12
    release_score: float = 0.4  # an alert stays open while the score is at least this
    cooldown_windows: int = 6  # closed windows below release_score before a new alert may fire
    top_evidence: int = 5

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DetectorConfig:
        data = dict(data)
        base = _from_dict(BaselineConfig, data.pop("baseline", {}))
        scoring = _from_dict(ScoringConfig, data.pop("scoring", {}))
        return cls(baseline=base, scoring=scoring, **data)
