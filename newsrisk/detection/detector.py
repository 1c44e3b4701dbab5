"""The keyed news detector: negative-news spikes per (key kind, key, window definition).

For each closed window of a key it asks two count-aware questions and alerts only when both
say "more negatives than expected" (``require_share_excess``):

* **volume** - are there more negative articles than the seasonal baseline of negative
  articles predicts? (multi-scale negative binomial, :class:`CountSurprise`)
* **share** - given this window's total volume, are there more negatives than the baseline
  negative share predicts? (beta-binomial with an estimated intra-window correlation)

So a busy-but-ordinary news hour does not alert, and 2 negatives out of 3 articles are never
significant. The score is ``1 - 10**(-surprise / score_scale)`` of the weaker of the two
surprises; severity and firing follow thresholds, warm-up, ``min_negatives`` and an
:class:`AlertGate` (hysteresis + cool-down) per key.
"""

from __future__ import annotations

import math
from typing import Any

from newsrisk.detection.baseline import SeasonalRate, decay
from newsrisk.detection.config import DetectorConfig
from newsrisk.detection.core import CountSurprise
from newsrisk.detection.gate import AlertGate
from newsrisk.detection.stats import binom_sf, surprise, surprise_to_score
from newsrisk.records import Detection, WindowAggregate

STATE_VERSION = 1


class _ShareBaseline:
    """Exponentially weighted negative share with a prior, and the beta-binomial correlation."""

    __slots__ = ("neg", "count", "rho_num", "rho_den", "touched")

    def __init__(self) -> None:
        self.neg = 0.0
        self.count = 0.0
        self.rho_num = 0.0
        self.rho_den = 0.0
        self.touched = 0.0

    def share(self, cfg: DetectorConfig) -> float:
        w = cfg.share_prior_articles
        return (self.neg + cfg.share_prior * w) / (self.count + w)

    def rho(self, cfg: DetectorConfig) -> float:
        w = 50.0  # prior weight, in pairs of articles' worth of q(1-q)
        return max((self.rho_num + cfg.share_rho_prior * w) / (self.rho_den + w), 0.0)

    def update(self, cfg: DetectorConfig, t: float, neg: float, count: float, q: float) -> None:
        k = decay(t - self.touched, cfg.share_halflife_s)
        self.touched = t
        self.neg *= k
        self.count *= k
        self.rho_num *= k
        self.rho_den *= k
        if count <= 0.0:
            return
        var = count * q * (1.0 - q)
        rho = self.rho(cfg)
        sd = math.sqrt(var * (1.0 + (count - 1.0) * rho))
        neg_c = min(neg, count * q + 3.0 * sd + 1.0)  # a spike barely moves the baseline
        self.neg += neg_c
        self.count += count
        if count >= 2.0 and var > 0.0:
            self.rho_num += (neg_c - count * q) ** 2 - var
            self.rho_den += count * (count - 1.0) * q * (1.0 - q)

    def state_dict(self) -> list[float]:
        return [self.neg, self.count, self.rho_num, self.rho_den, self.touched]

    def load_state_dict(self, state: list[float]) -> None:
        self.neg, self.count, self.rho_num, self.rho_den, self.touched = (float(v) for v in state)


class _KeyState:
    __slots__ = ("negatives", "volume", "share", "gate", "first_t", "last_t")

    def __init__(self, cfg: DetectorConfig) -> None:
        self.negatives = CountSurprise(cfg.baseline, cfg.scoring.scales, cfg.scoring.combine)
        self.volume = SeasonalRate(cfg.baseline)
        self.share = _ShareBaseline()
        self.gate = AlertGate(cfg.release_score, cfg.cooldown_windows)
        self.first_t: float | None = None
        self.last_t: float | None = None

    def state_dict(self) -> dict[str, Any]:
        return {
            "negatives": self.negatives.state_dict(),
            "volume": self.volume.state_dict(),
            "share": self.share.state_dict(),
            "gate": self.gate.state_dict(),
            "first_t": self.first_t,
            "last_t": self.last_t,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.negatives.load_state_dict(state["negatives"])
        self.volume.load_state_dict(state["volume"])
        self.share.load_state_dict(state["share"])
        self.gate.load_state_dict(state["gate"])
        self.first_t = state["first_t"]
        self.last_t = state["last_t"]


class Detector:
    """Streaming, causal negative-news spike detector over many keys.

    ``observe`` must see each key's windows in event-time order, empty windows included; a
    window that is not after the key's last one is scored 0 and not learnt from.
    """

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        self._keys: dict[tuple[str, str, str], _KeyState] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def observe(self, agg: WindowAggregate) -> Detection:
        cfg = self.config
        ident = (agg.key_kind, agg.key, agg.window)
        st = self._keys.get(ident)
        if st is None:
            st = self._keys[ident] = _KeyState(cfg)
        t = agg.start.timestamp()
        if st.last_t is not None and t <= st.last_t:
            return Detection(0.0, None, False, {"stale": 1.0})
        if st.first_t is None:
            st.first_t = t
        st.last_t = t
        count = float(max(agg.count, 0))
        neg = float(min(max(agg.negative, 0), max(agg.count, 0)))

        expected_count = st.volume.expected(t)
        s_vol = st.negatives.step(t, neg)
        q = st.share.share(cfg)
        rho = st.share.rho(cfg)
        p_share = binom_sf(neg, count, q, rho) if neg > 0.0 else 1.0
        s_share = surprise(p_share)
        s = min(s_vol, s_share) if cfg.require_share_excess else s_vol

        st.share.update(cfg, t, neg, count, q)
        a = 0.1
        cap = expected_count + 3.0 * math.sqrt(expected_count + a * expected_count**2) + 1.0
        st.volume.update(t, min(count, cap))

        warm = st.negatives.n_obs > cfg.scoring.warmup_obs and t - st.first_t >= cfg.warmup_s
        score = surprise_to_score(s, cfg.scoring.score_scale) if warm else 0.0
        severity: str | None = None
        if warm and neg >= cfg.min_negatives:
            if score >= cfg.critical_score:
                severity = "critical"
            elif score >= cfg.warning_score:
                severity = "warning"
        fire = st.gate.step(score, severity is not None)
        core = st.negatives
        baseline = {
            "count": count,
            "negative": neg,
            "negative_share": neg / count if count else 0.0,
            "expected_count": expected_count,
            "expected_negative": core.expected,
            "expected_share": q,
            "p_value": 10.0 ** (-s),
            "p_volume": 10.0 ** (-s_vol),
            "p_share": p_share,
            "surprise": s,
            "scale_windows": float(core.best_scale),
            "scale_negative": core.observed_sum,
            "scale_expected_negative": core.expected_sum,
            "dispersion": core.alpha,
            "share_rho": rho,
            "warmup": 0.0 if warm else 1.0,
        }
        return Detection(score, severity, fire, baseline)

    def state_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "config": self.config.to_dict(),
            "keys": [
                {"key_kind": k, "key": key, "window": w, "state": st.state_dict()}
                for (k, key, w), st in self._keys.items()
            ],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported detector state version {state.get('version')!r}")
        self.config = DetectorConfig.from_dict(state["config"])
        self._keys = {}
        for entry in state["keys"]:
            st = _KeyState(self.config)
            st.load_state_dict(entry["state"])
            self._keys[(entry["key_kind"], entry["key"], entry["window"])] = st
