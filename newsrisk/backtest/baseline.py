"""The naive baseline: alert when a ticker's mention count spikes, whatever the sentiment.

For each entity series (same windows as the detector), a window qualifies when its count is at
least ``min_count`` and above ``median + k * sigma`` of the previous ``history_days`` of the same
series (missing windows count 0), with ``sigma = max(1.4826 * MAD, 1)``; no alert before
``min_history_days`` of history. The same cool-down policy as the detector: a new alert needs
``cooldown_windows`` non-qualifying windows since the last qualifying one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from newsrisk.backtest.frames import WindowFrames, WindowSeries
from newsrisk.records import Alert

MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True, slots=True)
class VolumeRule:
    k: float = 5.0
    min_count: int = 5
    cooldown_windows: int = 6


@dataclass(slots=True)
class _Candidates:
    series: WindowSeries
    rows: np.ndarray  # row in the series
    slots: np.ndarray  # position on the dense time grid
    count: np.ndarray
    median: np.ndarray
    sigma: np.ndarray


class VolumeBaseline:
    """Rolling robust statistics computed once; alerts for any (k, min_count >= floor) after."""

    def __init__(self, frames: WindowFrames, steps_s: dict[str, float], key_kind: str = "entity",
                 history_days: float = 30.0, min_history_days: float = 7.0,
                 min_count_floor: int = 2) -> None:
        self.min_count_floor = min_count_floor
        self._cands: list[_Candidates] = []
        for s in frames.of_kind(key_kind):
            if len(s) == 0 or s.window not in steps_s:
                continue
            step = steps_s[s.window]
            starts = np.frombuffer(s.start, dtype=np.float64)
            counts = np.asarray(s.count, dtype=np.float64)
            slots = np.rint((starts - starts[0]) / step).astype(np.int64)
            dense = np.zeros(int(slots[-1]) + 1)
            dense[slots] = counts
            span = max(1, round(history_days * 86400 / step))
            warm = max(1, round(min_history_days * 86400 / step))
            rows = np.nonzero((counts >= min_count_floor) & (slots >= warm))[0]
            med = np.empty(len(rows))
            sig = np.empty(len(rows))
            for j, r in enumerate(rows):
                i = int(slots[r])
                hist = dense[max(0, i - span):i]
                m = float(np.median(hist))
                med[j] = m
                sig[j] = max(MAD_TO_SIGMA * float(np.median(np.abs(hist - m))), 1.0)
            self._cands.append(_Candidates(s, rows, slots[rows], counts[rows], med, sig))

    def alerts(self, rule: VolumeRule) -> list[Alert]:
        if rule.min_count < self.min_count_floor:
            raise ValueError(f"min_count {rule.min_count} is below the floor "
                             f"{self.min_count_floor} the statistics were computed for")
        out: list[Alert] = []
        for c in self._cands:
            q = (c.count >= rule.min_count) & (c.count > c.median + rule.k * c.sigma)
            idx = np.nonzero(q)[0]
            if not len(idx):
                continue
            slots = c.slots[idx]
            fire = np.ones(len(idx), dtype=bool)
            fire[1:] = (slots[1:] - slots[:-1] - 1) >= rule.cooldown_windows
            for j in idx[fire]:
                z = (c.count[j] - c.median[j]) / c.sigma[j]
                alert = c.series.alert(int(c.rows[j]))
                out.append(replace(alert, score=float(z),
                                   baseline={"median": float(c.median[j]),
                                             "sigma": float(c.sigma[j])}))
        out.sort(key=lambda a: (a.window_end, a.key, a.window))
        return out
