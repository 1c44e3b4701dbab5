"""Behaviour of EntityResolver: cashtags, names, hard negatives, hints, ordering."""

from __future__ import annotations

import pytest

from newsrisk.entities import CompanyRecord, EntityResolver, parse_aliases


@pytest.fixture(scope="module")
def r() -> EntityResolver:
    return EntityResolver.from_default()


def test_from_default_is_shared() -> None:
    assert EntityResolver.from_default() is EntityResolver.from_default()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$AAPL $MSFT up, $NVDA down", ("AAPL", "MSFT", "NVDA")),
        ("bought $tsla and $aapl", ("TSLA", "AAPL")),
        ("$BRK.B and $BRK-B are the same", ("BRK-B",)),
        ("$AAPL's run continues.", ("AAPL",)),
        ("$ALLY - Ally Financial pulls outlook", ("ALLY",)),  # unknown but capitalised
        ("$lol what a day", ()),  # unknown and lower case
        ("$CNR.TO listed in Toronto", ("CNR",)),
    ],
)
def test_cashtags(r: EntityResolver, text: str, expected: tuple[str, ...]) -> None:
    assert r.resolve(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Paid $5 for coffee; the round raised $100M",
        "Revenue of $1.2bn vs $1,100 million expected",
        "U$D 87 mil and L$D and DU$T",
    ],
)
def test_money_is_not_a_ticker(r: EntityResolver, text: str) -> None:
    assert r.resolve(text) == ()


def test_unknown_cashtags_can_be_dropped() -> None:
    from newsrisk.entities import load_aliases

    strict = EntityResolver(load_aliases(), keep_unknown_cashtags=False)
    assert strict.resolve("$ALLY and $AAPL", hints=["ZZZZ", "msft"]) == ("AAPL", "MSFT")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apple shares slip as iPhone demand cools", ("AAPL",)),
        ("Apple's services revenue hits record", ("AAPL",)),
        ("Apple’s iPhone and McDonald’s menu", ("AAPL", "MCD")),
        ("Bank of America's profit rises", ("BAC",)),
        ("Johnson & Johnson and Procter &amp; Gamble", ("JNJ", "PG")),
        ("Coca Cola and Coca-Cola and Coke", ("KO",)),
        ("Apple-Google search deal scrutinised", ("AAPL", "GOOGL")),
        ("Alphabet's Google fined", ("GOOGL",)),
        ("The Walt Disney Co. earnings beat", ("DIS",)),
        ("Exxon Mobil Corp and Chevron Corporation", ("XOM", "CVX")),
        ("Estée Lauder shares fall", ("EL",)),
        ("AT&T (NYSE: T) cuts dividend", ("T",)),
        ("Cerus Corporation (NASDAQ:CERS) insider buys", ("CERS",)),
        ("Citigroup (C.N) exits markets", ("C",)),
    ],
)
def test_names(r: EntityResolver, text: str, expected: tuple[str, ...]) -> None:
    assert r.resolve(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Target shares tumble after warning", ("TGT",)),
        ("Target Corp cuts forecast", ("TGT",)),
        ("Ford recalls 1.9 million SUVs", ("F",)),
        ("Visa and Mastercard settle swipe-fee lawsuit", ("V", "MA")),
        ("Shell shares rise after buyback", ("SHEL",)),
        ("Progressive shares hit record", ("PGR",)),
        ("Chase Bank opens branches", ("JPM",)),
    ],
)
def test_ambiguous_names_with_context(
    r: EntityResolver, text: str, expected: tuple[str, ...]
) -> None:
    assert r.resolve(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Target date funds gain popularity",
        "Analysts raise price Target to $150",
        "Fed's inflation Target is 2%",
        "Visa applications for students fall",
        "Harrison Ford stars in new film",
        "Gerald Ford pardoned Nixon",
        "Fire in the Amazon rainforest spreads",
        "She baked an apple pie in the Big Apple",
        "Warren Buffett, the Oracle of Omaha, speaks",
        "Shell company used to launder money",
        "Delta variant cases rise",
        "Progressive lawmakers push for reform",
        "Discover how to cut your taxes",
        "The gap between rich and poor widened",
        "Best buy of the week: a laptop",
        "It is ALL about the Fed now, and NOW is the time",
        "IT spending rises ON cloud demand",
        "The CAT scan showed no issues",
        "WHAT A DAY: DOW SOARS, ALL SECTORS GREEN, AAPL LEADS",
        "Nasdaq closes at a record",
        "Former PM Blair speaks on trade",
    ],
)
def test_hard_negatives(r: EntityResolver, text: str) -> None:
    assert r.resolve(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AAPL shares rise; MSFT flat", ("AAPL", "MSFT")),
        ("KO shares slip after earnings", ("KO",)),  # two letters need context
        ("KO", ()),
        ("GS and more", ()),
    ],
)
def test_bare_tickers(r: EntityResolver, text: str, expected: tuple[str, ...]) -> None:
    assert r.resolve(text) == expected


def test_order_of_first_mention_and_dedupe(r: EntityResolver) -> None:
    text = "Microsoft beats; $AAPL up. Apple and MSFT and Microsoft again, $NVDA"
    assert r.resolve(text) == ("MSFT", "AAPL", "NVDA")


def test_names_take_the_cashtagged_ticker_of_the_same_company(r: EntityResolver) -> None:
    assert r.resolve("Facebook needs ad growth, $FB earnings tonight") == ("FB",)
    assert r.resolve("Facebook parent $META guides higher") == ("META",)
    assert r.resolve("Google News shut down in Spain $GOOG") == ("GOOG",)
    assert r.resolve("Facebook shares fall") == ("META",)
    assert r.resolve("$GOOG $GOOGL both up") == ("GOOG", "GOOGL")  # cashtags kept as written


def test_hints_are_validated_and_merged(r: EntityResolver) -> None:
    assert r.resolve("Apple rises", hints=["$msft", "AAPL", "brk.b", "bad ticker!", ""]) == (
        "AAPL",
        "MSFT",
        "BRK-B",
    )
    assert r.resolve("", hints=["AAPL"]) == ("AAPL",)
    # a hint of a company already mentioned under another ticker is not repeated
    assert r.resolve("Facebook shares fall", hints=["FB"]) == ("META",)


def test_custom_table() -> None:
    records = parse_aliases(
        "ticker,name,sector,aliases,context_aliases,same_as\n"
        "ACME,Acme Corporation,Industrials,Acme|Roadrunner Co,Wile,\n"
        "ACM,Acme Old,,,,ACME\n"
    )
    assert records[0] == CompanyRecord(
        "ACME", "Acme Corporation", "Industrials", ("Acme", "Roadrunner Co"), ("Wile",), ""
    )
    res = EntityResolver(records)
    assert res.resolve("Acme Corp and Roadrunner Co") == ("ACME",)
    assert res.resolve("Wile was here") == ()
    assert res.resolve("Wile shares fell") == ("ACME",)
    assert res.resolve("Acme Old (ACM) $ACM") == ("ACM",)
    assert res.company("ACM") == "ACME"
