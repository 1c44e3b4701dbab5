"""The shipped company/ticker alias table (``aliases.csv``) and its loader.

Columns of ``aliases.csv``:

``ticker``           canonical symbol, upper case, share classes with ``-`` (``BRK-B``)
``name``             legal name; it and its suffix variants (Corporation/Corp...) always match
``sector``           GICS sector (informational)
``aliases``          ``|``-separated names and brands that on their own mean the company
``context_aliases``  ``|``-separated names that are also common words or people (``Target``,
                     ``Visa``, ``Ford``); they count only next to a finance context word
``same_as``          for an old ticker or another share class, the ticker of the row that carries
                     the names (``FB`` -> ``META``, ``GOOG`` -> ``GOOGL``); empty otherwise

The table covers the S&P 500 (roughly as of 2025, plus some recent leavers) and the 88 stocknet
tickers (some of them delisted or renamed). Nothing is read outside the package.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

_SUFFIX_VARIANTS: dict[str, tuple[str, ...]] = {
    "Corporation": ("Corp",),
    "Incorporated": ("Inc",),
    "Company": ("Co",),
    "Limited": ("Ltd",),
    "Inc": ("Incorporated",),
    "Corp": ("Corporation",),
}


@dataclass(frozen=True, slots=True)
class CompanyRecord:
    """One row of the alias table."""

    ticker: str
    name: str
    sector: str = ""
    aliases: tuple[str, ...] = ()
    context_aliases: tuple[str, ...] = ()
    same_as: str = ""

    @property
    def company(self) -> str:
        """The ticker that identifies the company (itself unless ``same_as`` is set)."""
        return self.same_as or self.ticker

    def name_variants(self) -> tuple[str, ...]:
        """The legal name, without a leading "The", with common suffix spellings."""
        base = self.name.rstrip(".").removesuffix(" Class A").removesuffix(" Class B")
        base = base.removesuffix(" Class C").rstrip(".")
        out = [base]
        if base.startswith("The "):
            out.append(base[4:])
        for name in list(out):
            head, _, last = name.rpartition(" ")
            for alt in _SUFFIX_VARIANTS.get(last.rstrip("."), ()):
                out.append(f"{head} {alt}")
        return tuple(dict.fromkeys(out))


def _split(cell: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in cell.split("|") if a.strip())


def parse_aliases(text: str) -> tuple[CompanyRecord, ...]:
    """Parse the CSV text of an alias table."""
    rows = csv.DictReader(io.StringIO(text))
    out: list[CompanyRecord] = []
    for row in rows:
        out.append(
            CompanyRecord(
                ticker=row["ticker"].strip().upper(),
                name=row["name"].strip(),
                sector=(row.get("sector") or "").strip(),
                aliases=_split(row.get("aliases") or ""),
                context_aliases=_split(row.get("context_aliases") or ""),
                same_as=(row.get("same_as") or "").strip().upper(),
            )
        )
    return tuple(out)


@cache
def load_aliases() -> tuple[CompanyRecord, ...]:
    """The shipped alias table (read once per process)."""
    text = resources.files(__package__).joinpath("aliases.csv").read_text(encoding="utf-8")
    return parse_aliases(text)
