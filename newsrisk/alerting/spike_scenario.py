"""A negative-news spike scenario for end-to-end alert tests and latency benchmarks.

Builds raw articles for a few tickers: days of ordinary hourly coverage (neutral texts), then, for
each ticker in turn, one hour of bearish coverage, followed by a few ordinary articles an hour
later that move event time past the spike window (so the window closes). Texts come from caller
supplied pools (e.g. TFNS neutral and bearish tweets) so that the real classifier decides.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday


@dataclass
class Scenario:
    baseline: list[dict[str, Any]]
    spikes: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]]  # ticker, spike, closer


def _rec(i: str, t: datetime, text: str) -> dict[str, Any]:
    return {"id": i, "source": "scenario", "url": None, "published_at": t.isoformat(),
            "title": "", "text": text, "lang": "en"}


def build(tickers: Sequence[str], neutral: Sequence[str], bearish: Sequence[str],
          days: int = 3, per_hour: int = 1, spike_size: int = 25, seed: int = 7) -> Scenario:
    rng = random.Random(seed)
    baseline = []
    n = 0
    for h in range(days * 24):
        for ticker in tickers:
            for _ in range(per_hour):
                t = T0 + timedelta(hours=h, minutes=rng.randrange(60))
                baseline.append(_rec(f"b{n}", t, f"${ticker} {rng.choice(neutral)} [{n}]"))
                n += 1
    baseline.sort(key=lambda r: r["published_at"])
    spikes = []
    start = T0 + timedelta(days=days)
    for k, ticker in enumerate(tickers):
        hour = start + timedelta(hours=3 * k)
        spike = [_rec(f"s{ticker}{j}", hour + timedelta(minutes=2 * j % 60),
                      f"${ticker} {rng.choice(bearish)} [{j}]") for j in range(spike_size)]
        spike.sort(key=lambda r: r["published_at"])
        closer = [_rec(f"c{ticker}{j}", hour + timedelta(hours=2, minutes=j),
                       f"${tickers[(k + 1) % len(tickers)]} {rng.choice(neutral)} [c{j}]")
                  for j in range(3)]
        spikes.append((ticker, spike, closer))
    return Scenario(baseline, spikes)


def tfns_pools(path: str) -> tuple[list[str], list[str]]:
    """Neutral and bearish texts from a TFNS CSV (label 2 neutral, 0 bearish)."""
    import csv

    neutral, bearish = [], []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = " ".join(row["text"].split())
            if "$" in text or len(text) < 30:
                continue  # keep the scenario's own ticker the only one mentioned
            (neutral if row["label"] == "2" else bearish if row["label"] == "0" else []).append(text)
    return neutral, bearish
