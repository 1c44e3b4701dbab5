"""Univariate streaming detector (timestamps + values), used by ``newsrisk nab``.

It is the news detector's statistical core (:class:`~newsrisk.detection.core.CountSurprise`)
applied to one series, plus the NAB-style output policy: nothing during warm-up, and after a
high score only a *higher* one passes until the memory of it has decayed, so that one event
reports once, as early as the evidence allows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from newsrisk.detection.baseline import decay
from newsrisk.detection.calibrate import DailyMaxCalibrator, TailCalibrator
from newsrisk.detection.config import SeriesConfig
from newsrisk.detection.core import CountSurprise
from newsrisk.detection.stats import surprise_to_score
from newsrisk.records import parse_time


class SeriesDetector:
    """``update(timestamp, value) -> score in [0, 1]``; causal, one call per row."""

    def __init__(self, config: SeriesConfig | None = None) -> None:
        self.config = config or SeriesConfig()
        self.core = CountSurprise(
            self.config.baseline, self.config.scoring.scales, self.config.scoring.combine
        )
        cfg = self.config
        self.calibrator = _calibrator(cfg)
        self._memory = 0.0  # surprise of the last reported event, decayed
        self._memory_t = 0.0
        self._reported_t = -1e18  # event time of the last reported window (none yet)

    def update(self, timestamp: datetime | str | float, value: float) -> float:
        t = parse_time(timestamp).timestamp() if not isinstance(timestamp, float) else timestamp
        x = max(float(value), 0.0)
        raw = self.core.step(t, x)
        cfg = self.config
        # Decluster: a window is an event candidate only when its surprise beats the decayed
        # memory of the last candidate by ``suppress_ratio``; the rest of an event reports 0.
        memory = self._memory * decay(t - self._memory_t, cfg.suppress_halflife_s)
        held = t - self._reported_t < cfg.suppress_hold_s
        candidate = raw > 0.0 and raw > memory * cfg.suppress_ratio and not held
        if candidate:
            self._reported_t = t
        if candidate or (held and raw > memory) or (cfg.suppress_track_all and raw > memory):
            memory = raw
        self._memory, self._memory_t = memory, t
        if not candidate:
            s = 0.0
        elif cfg.calibrate:
            s = self.calibrator.calibrate(raw, t)
        else:
            s = raw
        self.calibrator.update(raw if candidate or cfg.calibrate_mode == "daily_max" else 0.0, t)
        if self.core.n_obs <= cfg.scoring.warmup_obs:
            return 0.0
        return surprise_to_score(s, cfg.scoring.score_scale)

    def state_dict(self) -> dict[str, Any]:
        return {
            "config": self.config.to_dict(),
            "core": self.core.state_dict(),
            "memory": [self._memory, self._memory_t, self._reported_t],
            "calibrator": self.calibrator.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.config = SeriesConfig.from_dict(state["config"])
        self.core = CountSurprise(
            self.config.baseline, self.config.scoring.scales, self.config.scoring.combine
        )
        self.core.load_state_dict(state["core"])
        cfg = self.config
        self.calibrator = _calibrator(cfg)
        self.calibrator.load_state_dict(state["calibrator"])
        self._memory, self._memory_t, self._reported_t = (float(v) for v in state["memory"])


def _calibrator(cfg: SeriesConfig) -> TailCalibrator | DailyMaxCalibrator:
    if cfg.calibrate_mode == "daily_max":
        return DailyMaxCalibrator(cfg.calibrate_days, cfg.calibrate_prior, cfg.calibrate_prior_days)
    return TailCalibrator(cfg.calibrate_u, cfg.calibrate_halflife_s, cfg.calibrate_prior_obs)
