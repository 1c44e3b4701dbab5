"""The shared statistical core: multi-scale negative-binomial surprise of a count stream.

For every closed window the core compares the counts summed over the last ``k`` windows, for
each scale ``k``, with the sum of their seasonal expectations under a negative binomial whose
over-dispersion is estimated per scale (ratio of exponentially weighted moments of winsorised
residuals) and widened by the uncertainty of the baseline itself (about 1 / counts seen). The
surprise is the largest ``-log10 p`` over scales, Bonferroni-corrected for the number of scales.
Everything at ``t`` depends only on windows up to ``t``.
"""

from __future__ import annotations

import math
from typing import Any

from newsrisk.detection.baseline import SeasonalRate, decay
from newsrisk.detection.config import BaselineConfig
from newsrisk.detection.stats import nb_log10_sf


class CountSurprise:
    """Streaming multi-scale surprise of counts against a seasonal baseline."""

    __slots__ = (
        "cfg",
        "scales",
        "rate",
        "_n",
        "_pos",
        "_xs",
        "_xcs",
        "_mus",
        "_disp_num",
        "_disp_den",
        "_disp_w",
        "_disp_touched",
        "_bonferroni",
        "_hmp",
        "expected",
        "alpha",
        "p_value",
        "best_scale",
        "observed_sum",
        "expected_sum",
    )

    def __init__(self, cfg: BaselineConfig, scales: tuple[int, ...], combine: str = "min") -> None:
        if not scales or min(scales) < 1:
            raise ValueError("scales must be positive window counts")
        self.cfg = cfg
        self.scales = tuple(sorted(set(int(k) for k in scales)))
        self.rate = SeasonalRate(cfg)
        size = self.scales[-1]
        self._n = 0
        self._pos = 0
        self._xs = [0.0] * size
        self._xcs = [0.0] * size
        self._mus = [0.0] * size
        ns = len(self.scales)
        self._disp_num = [0.0] * ns
        self._disp_den = [0.0] * ns
        self._disp_w = [0.0] * ns
        self._disp_touched = 0.0
        self._bonferroni = math.log10(ns)
        if combine not in ("min", "hmp"):
            raise ValueError(f"unknown scale combination {combine!r}")
        self._hmp = combine == "hmp"
        # evidence of the last step
        self.expected = 0.0
        self.alpha = 0.0
        self.p_value = 1.0
        self.best_scale = self.scales[0]
        self.observed_sum = 0.0
        self.expected_sum = 0.0

    @property
    def n_obs(self) -> int:
        return self._n

    def dispersion(self, i: int) -> float:
        cfg = self.cfg
        w = self._disp_w[i]
        raw = self._disp_num[i] / self._disp_den[i] if self._disp_den[i] > 0.0 else 0.0
        raw = max(raw, 0.0)
        a = (raw * w + cfg.dispersion_prior * cfg.dispersion_prior_obs) / (
            w + cfg.dispersion_prior_obs
        )
        return max(a, cfg.dispersion_min)

    def step(self, t: float, x: float) -> float:
        """Score the window starting at ``t`` with count ``x``, then learn from it.

        Returns the surprise (``-log10`` of the Bonferroni-corrected p-value, >= 0).
        """
        cfg = self.cfg
        rate = self.rate
        mu = rate.expected(t)
        a1 = self.dispersion(0)
        cap = mu + cfg.winsor_sd * math.sqrt(mu + a1 * mu * mu) + 1.0
        xc = x if x < cap else cap
        size = len(self._xs)
        pos = self._pos
        self._xs[pos] = x
        self._xcs[pos] = xc
        self._mus[pos] = mu
        self._n += 1
        n = self._n
        unc = 1.0 / (rate.evidence_count(t) + 1.0)

        k_disp = decay(t - self._disp_touched, cfg.dispersion_halflife_s)
        self._disp_touched = t
        best_s = 0.0
        best_p = 1.0
        best_i = 0
        inv_p = 0.0
        hmp = self._hmp
        for i, k in enumerate(self.scales):
            if k > n:
                break
            if k == 1:
                sx, sxc, smu = x, xc, mu
            else:
                sx = sxc = smu = 0.0
                for j in range(pos - k + 1, pos + 1):
                    sx += self._xs[j % size]
                    sxc += self._xcs[j % size]
                    smu += self._mus[j % size]
            a = self.dispersion(i)
            if sx > smu:
                s = -nb_log10_sf(sx, smu, a + unc)
                p = 10.0**-s
                if hmp:
                    inv_p += 10.0 ** min(s, 300.0)
                if s > best_s:
                    best_s, best_p, best_i = s, p, i
                    self.observed_sum = sx
                    self.expected_sum = smu
            elif hmp:
                inv_p += 1.0
            resid = (sxc - smu) ** 2 - smu
            self._disp_num[i] = self._disp_num[i] * k_disp + resid
            self._disp_den[i] = self._disp_den[i] * k_disp + smu * smu
            self._disp_w[i] = self._disp_w[i] * k_disp + 1.0
        if best_s == 0.0:
            self.observed_sum = x
            self.expected_sum = mu
        self._pos = (pos + 1) % size
        rate.update(t, xc)

        self.expected = mu
        self.alpha = a1
        self.p_value = best_p
        self.best_scale = self.scales[best_i]
        if hmp:
            # harmonic mean p over the scales (missing / below-mean scales count as p = 1)
            ns = len(self.scales)
            inv_p += sum(1.0 for k in self.scales if k > n)
            return max(math.log10(max(inv_p, 1e-300) / ns), 0.0)
        return max(best_s - self._bonferroni, 0.0)

    def state_dict(self) -> dict[str, Any]:
        return {
            "rate": self.rate.state_dict(),
            "n": self._n,
            "pos": self._pos,
            "xs": list(self._xs),
            "xcs": list(self._xcs),
            "mus": list(self._mus),
            "disp": [list(self._disp_num), list(self._disp_den), list(self._disp_w)],
            "disp_touched": self._disp_touched,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rate.load_state_dict(state["rate"])
        self._n = int(state["n"])
        self._pos = int(state["pos"])
        self._xs = [float(v) for v in state["xs"]]
        self._xcs = [float(v) for v in state["xcs"]]
        self._mus = [float(v) for v in state["mus"]]
        num, den, w = state["disp"]
        self._disp_num = [float(v) for v in num]
        self._disp_den = [float(v) for v in den]
        self._disp_w = [float(v) for v in w]
        self._disp_touched = float(state["disp_touched"])
