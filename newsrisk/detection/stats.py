"""Count-aware tail probabilities and the mapping from p-values to scores.

All functions take and return plain floats so that the streaming detectors stay cheap per call.
"""

from __future__ import annotations

import math

from scipy.special import betainc, log_ndtr

# -log10 of the smallest p-value we distinguish; beyond it every p-value is "certain".
MAX_SURPRISE = 1e6
LN10 = math.log(10.0)


def nb_log10_sf(x: float, mean: float, alpha: float) -> float:
    """log10 P(X >= x) for the negative binomial of :func:`nb_sf`, finite far into the tail.

    Where the incomplete beta function underflows, the tail is bounded below by the
    probability mass at ``x``, computed in logs.
    """
    p = nb_sf(x, mean, alpha)
    if p > 1e-300:
        return math.log10(p)
    return max(nb_log_pmf(x, mean, alpha) / LN10, -MAX_SURPRISE)


def nb_log_pmf(x: float, mean: float, alpha: float) -> float:
    """Natural log of the negative binomial mass at ``x`` (mean ``mean``, variance
    ``mean + alpha * mean**2``)."""
    r = 1.0 / max(alpha, 1e-6)
    mean = max(mean, 1e-12)
    return (
        math.lgamma(x + r)
        - math.lgamma(r)
        - math.lgamma(x + 1.0)
        + r * math.log(r / (r + mean))
        + x * math.log(mean / (r + mean))
    )


def normal_log10_sf(z: float) -> float:
    """log10 P(Z >= z) for a standard normal, finite far into the tail."""
    return float(log_ndtr(-z)) / LN10


def normal_log_mass(x: float, mean: float, sd: float) -> float:
    """Natural log of a normal's probability of ``[x - 0.5, x + 0.5]`` (an integer's share of a
    continuous prediction), finite far into the tails."""
    sd = max(sd, 1e-12)
    lo, hi = (x - 0.5 - mean) / sd, (x + 0.5 - mean) / sd
    if lo > 0.0:  # upper tail: P(Z > lo) - P(Z > hi)
        a, b = float(log_ndtr(-lo)), float(log_ndtr(-hi))
    elif hi < 0.0:
        a, b = float(log_ndtr(hi)), float(log_ndtr(lo))
    else:
        return math.log(
            max(1.0 - math.exp(float(log_ndtr(lo))) - math.exp(float(log_ndtr(-hi))), 1e-300)
        )
    return a + math.log1p(-math.exp(min(b - a, 0.0))) if b < a else a - 700.0


def nb_sf(x: float, mean: float, alpha: float) -> float:
    """P(X >= x) for a negative binomial with this mean and variance ``mean + alpha * mean**2``.

    ``x`` may be fractional (a continuous extension through the incomplete beta function);
    ``alpha`` is clamped to a tiny positive value, which is the Poisson limit.
    """
    if x <= 0.0:
        return 1.0
    if mean <= 0.0:
        return 0.0
    r = 1.0 / max(alpha, 1e-6)
    return float(betainc(x, r, mean / (r + mean)))


def binom_sf(k: float, n: float, share: float, rho: float = 0.0) -> float:
    """P(K >= k) for K ~ Binomial(n, share), widened for over-dispersion.

    Over-dispersion (articles of one window are correlated: one story, many outlets) is
    handled with the beta-binomial design effect ``1 + (n - 1) * rho``: the test runs on the
    effective sample ``n / deff`` with ``k`` scaled alike, so a share of 2/3 from three articles
    is never significant but 60/90 against a 20 % baseline is.
    """
    if k <= 0.0:
        return 1.0
    if share <= 0.0:
        return 0.0
    if share >= 1.0 or k > n:
        return 1.0 if share >= 1.0 else 0.0
    deff = 1.0 + max(n - 1.0, 0.0) * max(rho, 0.0)
    n_eff = n / deff
    k_eff = k / deff
    return float(betainc(k_eff, n_eff - k_eff + 1.0, share))


def surprise(p: float) -> float:
    """-log10(p), clamped to [0, MAX_SURPRISE]."""
    if p >= 1.0:
        return 0.0
    if p <= 0.0:
        return MAX_SURPRISE
    return min(-math.log10(p), MAX_SURPRISE)


def surprise_to_score(s: float, scale: float) -> float:
    """Map a surprise (-log10 p) to a score in [0, 1): ``s / (s + scale)``.

    Strictly increasing and distinct in floating point far into the tail, so an ordering of
    surprises is an ordering of scores; with ``scale = 4`` a p-value of 1e-4 scores 0.5, 1e-6
    scores 0.6 and 1e-12 scores 0.75.
    """
    if s <= 0.0:
        return 0.0
    return s / (s + scale)


def score_to_surprise(score: float, scale: float) -> float:
    """Inverse of :func:`surprise_to_score`."""
    if score <= 0.0:
        return 0.0
    if score >= 1.0:
        return MAX_SURPRISE
    return scale * score / (1.0 - score)
