"""Daily prices (``prices/<TICKER>.csv``) and the ground-truth events of a backtest: price drops.

A CSV has ``Date, Open, High, Low, Close, Adj Close, Volume`` (Yahoo Finance); rows with
``null`` are skipped. A *drop* is a trading day whose close-to-close return of ``Adj Close`` is
at most ``-threshold``; it is realised at the close, 16:00 America/New_York.
"""

from __future__ import annotations

import bisect
import csv
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
CLOSE = time(16, 0)


def close_time(day: date) -> datetime:
    """The market close of ``day`` (16:00 New York), as an aware datetime."""
    return datetime.combine(day, CLOSE, tzinfo=NEW_YORK)


@dataclass(frozen=True, slots=True)
class Drop:
    ticker: str
    day: date
    ret: float  # close-to-close return, e.g. -0.10

    @property
    def at(self) -> datetime:
        return close_time(self.day)


@dataclass(frozen=True)
class PriceSeries:
    """Trading days (ascending) and their adjusted closes."""

    ticker: str
    days: tuple[date, ...]
    closes: tuple[float, ...]

    @cached_property
    def close_times(self) -> tuple[float, ...]:
        return tuple(close_time(d).timestamp() for d in self.days)

    def drops(self, threshold: float) -> list[Drop]:
        """Days whose close is at least ``threshold`` (e.g. 0.05) below the previous close."""
        out = []
        for i in range(1, len(self.days)):
            prev, cur = self.closes[i - 1], self.closes[i]
            if prev > 0 and cur / prev - 1.0 <= -threshold:
                out.append(Drop(self.ticker, self.days[i], cur / prev - 1.0))
        return out

    def next_days(self, t: datetime, n: int) -> tuple[date, ...]:
        """The first ``n`` trading days whose close is after ``t``: the horizon (t, t + n]."""
        i = bisect.bisect_right(self.close_times, t.timestamp())
        return self.days[i:i + n]


def read_prices(path: Path, ticker: str | None = None) -> PriceSeries:
    days: list[date] = []
    closes: list[float] = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                day = date.fromisoformat(row["Date"].strip())
                close = float(row["Adj Close"])
            except (KeyError, TypeError, ValueError):
                continue  # "null" rows and junk
            if days and day <= days[-1]:
                continue
            days.append(day)
            closes.append(close)
    return PriceSeries(ticker or path.stem.upper(), tuple(days), tuple(closes))


def ticker_aliases() -> dict[str, tuple[str, ...]]:
    """Each ticker of the alias table -> every ticker of the same company (itself first)."""
    from newsrisk.entities.table import load_aliases

    groups: dict[str, list[str]] = {}
    for rec in load_aliases():
        groups.setdefault(rec.company, []).append(rec.ticker)
    out: dict[str, tuple[str, ...]] = {}
    for members in groups.values():
        for t in members:
            out[t] = (t, *[m for m in members if m != t])
    return out


class PriceBook:
    """The price files of a directory, looked up by entity ticker (``META`` finds ``FB.csv``)."""

    def __init__(self, directory: Path | str,
                 aliases: dict[str, tuple[str, ...]] | None = None) -> None:
        self.directory = Path(directory)
        self.aliases = ticker_aliases() if aliases is None else aliases
        self._files = {p.stem.upper(): p for p in self.directory.glob("*.csv")}
        self._cache: dict[str, PriceSeries | None] = {}

    @property
    def tickers(self) -> list[str]:
        return sorted(self._files)

    def resolve(self, ticker: str) -> str | None:
        """The price file's ticker for an entity ticker, or None when there is none."""
        for t in self.aliases.get(ticker.upper(), (ticker.upper(),)):
            if t in self._files:
                return t
        return None

    def series(self, ticker: str) -> PriceSeries | None:
        name = self.resolve(ticker)
        if name is None:
            return None
        if name not in self._cache:
            self._cache[name] = read_prices(self._files[name], name)
        return self._cache[name]
