"""The shipped alias table: coverage and consistency."""

from __future__ import annotations

import re
from collections import Counter

from newsrisk.entities import EntityResolver, load_aliases
from newsrisk.entities.resolver import _alias_tokens

# The 88 tickers of stocknet's StockTable.tsv (copied: the product never reads /work/shared).
_STOCKNET_TEXT = """
XOM RDS-B PTR CVX TOT BP BHP SNP SLB BBL AAPL PG BUD KO PM TM PEP UN UL MO JNJ PFE NVS
UNH MRK AMGN MDT ABBV SNY CELG AMZN BABA WMT CMCSA HD DIS MCD CHTR UPS PCLN NEE DUK D SO NGG AEP
PCG EXC SRE PPL IEP HRG CODI REX SPLP PICO AGFS GMRE BCH BSAC BRK-A JPM WFC BAC V C HSBC MA GE MMM
BA HON UTX LMT CAT GD DHR ABB GOOG MSFT FB T CHL ORCL TSM VZ INTC CSCO"""
STOCKNET = _STOCKNET_TEXT.split()


def test_table_loads_once_and_is_large() -> None:
    assert load_aliases() is load_aliases()
    records = load_aliases()
    assert len(records) >= 540  # ~503 S&P 500 lines + stocknet extras


def test_tickers_unique_and_well_formed() -> None:
    records = load_aliases()
    counts = Counter(r.ticker for r in records)
    assert [t for t, n in counts.items() if n > 1] == []
    assert all(re.fullmatch(r"[A-Z]{1,5}(-[A-Z])?", r.ticker) for r in records)


def test_same_as_points_to_a_named_row() -> None:
    by_ticker = {r.ticker: r for r in load_aliases()}
    for r in by_ticker.values():
        if r.same_as:
            target = by_ticker[r.same_as]
            assert not target.same_as and target.aliases, r.ticker


def test_stocknet_tickers_are_known() -> None:
    known = EntityResolver.from_default().tickers
    assert len(STOCKNET) == 88
    assert [t for t in STOCKNET if t not in known] == []


def test_no_alias_maps_to_two_companies() -> None:
    seen: dict[tuple[str, ...], str] = {}
    clashes = []
    for r in load_aliases():
        if r.same_as:
            continue
        for alias in (*r.name_variants(), *r.aliases, *r.context_aliases):
            toks = _alias_tokens(alias)
            if seen.setdefault(toks, r.ticker) != r.ticker:
                clashes.append((alias, seen[toks], r.ticker))
    assert clashes == []
