"""Alerts against ground truth: precision, recall and lead time of entity alerts before drops.

* An alert on ticker T, known at its window's end t, is a true positive when T has a drop on one
  of the first ``horizon_days`` trading days whose close is after t, i.e. in (t, t + N].
* A drop event (of a ticker with a price file and at least one article, closing inside the
  backtest period) is detected when some alert on its ticker has it in that horizon;
  recall = detected / events.
* Lead time of a detected event = its close (16:00 New York) - the earliest such alert.
* Alerts on tickers without a price file are counted apart (``alerts_unpriced``), not scored.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsrisk.backtest.prices import Drop, PriceBook
from newsrisk.records import Alert


@dataclass(frozen=True, slots=True)
class Outcome:
    alert: Alert
    ticker: str | None  # the price file's ticker, None when unpriced
    drop: Drop | None  # the first drop in the horizon

    @property
    def hit(self) -> bool:
        return self.drop is not None

    @property
    def lead_hours(self) -> float | None:
        if self.drop is None:
            return None
        return (self.drop.at - self.alert.window_end).total_seconds() / 3600.0


@dataclass(slots=True)
class Evaluation:
    alerts: int = 0
    alerts_unpriced: int = 0
    true_positives: int = 0
    events: int = 0
    detected: int = 0
    days: float = 0.0
    lead_hours: list[float] = field(default_factory=list)  # per detected event
    outcomes: list[Outcome] = field(default_factory=list)
    drops: list[Drop] = field(default_factory=list)
    detected_drops: set[tuple[str, Any]] = field(default_factory=set)

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.alerts if self.alerts else None

    @property
    def recall(self) -> float | None:
        return self.detected / self.events if self.events else None

    @property
    def median_lead_hours(self) -> float | None:
        return statistics.median(self.lead_hours) if self.lead_hours else None

    @property
    def alerts_per_day(self) -> float | None:
        return (self.alerts + self.alerts_unpriced) / self.days if self.days > 0 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "alerts": self.alerts, "alerts_unpriced": self.alerts_unpriced,
            "true_positives": self.true_positives, "events": self.events,
            "detected": self.detected, "precision": self.precision, "recall": self.recall,
            "median_lead_hours": self.median_lead_hours, "alerts_per_day": self.alerts_per_day,
        }


def evaluate(
    alerts: Iterable[Alert],
    book: PriceBook,
    tickers: Iterable[str],
    start: datetime,
    end: datetime,
    horizon_days: int = 5,
    threshold: float = 0.05,
) -> Evaluation:
    """Score entity alerts against the drops of ``tickers`` (entity keys seen) in [start, end]."""
    ev = Evaluation(days=(end - start).total_seconds() / 86400.0)
    priced = sorted({t for t in (book.resolve(k) for k in tickers) if t is not None})
    for t in priced:
        series = book.series(t)
        if series is None:
            continue
        ev.drops.extend(d for d in series.drops(threshold) if start <= d.at <= end)
    ev.events = len(ev.drops)
    events = {(d.ticker, d.day): d for d in ev.drops}
    all_drops: dict[str, dict[Any, Drop]] = {}  # precision counts drops after the period too
    earliest: dict[tuple[str, Any], datetime] = {}
    for alert in alerts:
        if alert.key_kind != "entity":
            continue
        ticker = book.resolve(alert.key)
        series = book.series(alert.key) if ticker else None
        if ticker is None or series is None:
            ev.alerts_unpriced += 1
            ev.outcomes.append(Outcome(alert, None, None))
            continue
        ev.alerts += 1
        if ticker not in all_drops:
            all_drops[ticker] = {d.day: d for d in series.drops(threshold)}
        first: Drop | None = None
        for day in series.next_days(alert.window_end, horizon_days):
            drop = all_drops[ticker].get(day)
            if drop is None:
                continue
            first = first or drop
            if (ticker, day) not in events:
                continue
            prev = earliest.get((ticker, day))
            if prev is None or alert.window_end < prev:
                earliest[(ticker, day)] = alert.window_end
        if first is not None:
            ev.true_positives += 1
        ev.outcomes.append(Outcome(alert, ticker, first))
    ev.detected_drops = set(earliest)
    ev.detected = len(earliest)
    ev.lead_hours = sorted((events[k].at - t).total_seconds() / 3600.0
                           for k, t in earliest.items())
    return ev
