"""Word lists behind the resolver's ambiguity policy (see ``resolver`` for the rules).

All comparisons against these sets are case-insensitive (entries are lower case), except
``BARE_TICKER_STOPWORDS`` which holds upper-case symbols.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that make a nearby ambiguous name ("Target", "Visa", "Ford") or a two-letter bare ticker
# ("KO", "GS") read as a company. Checked within CONTEXT_WINDOW tokens on either side.
CONTEXT_WORDS: frozenset[str] = _words("""
    share shares stock stocks equity nyse nasdaq ticker inc corp corporation co ltd plc llc
    company companies firm earnings eps revenue revenues sales profit profits loss losses quarter
    quarterly q1 q2 q3 q4 results guidance outlook forecast forecasts dividend buyback buybacks
    ceo cfo chairman executive executives analyst analysts investor investors downgrade downgrades
    downgraded upgrade upgrades upgraded rating ratings overweight underweight outperform
    underperform neutral valuation ipo merger mergers acquisition acquisitions acquire acquires
    acquired takeover deal stake layoffs jobs workers employees store stores retailer retailers
    bank banks lender insurer automaker automakers carrier airline airlines cruise drugmaker
    chipmaker maker brand customers billion million bn mln bln rally rallies plunge plunges
    slump slumps soar soars surge surges tumble tumbles slide slides rises falls jumps sinks gains
    beats misses lawsuit sued probe settlement antitrust fined recall recalls
    vehicles cars trucks suv plant factory deliveries orders strike union pharmacy
""")

CONTEXT_WINDOW = 6

# Upper-case known tickers that are also English words, names, units or common acronyms.
# Written without "$" they are never taken as tickers (with "$", "NYSE:" or a Reuters code they
# are). Single letters are never taken bare either.
BARE_TICKER_STOPWORDS: frozenset[str] = _words("""
    IT ON SO MA PM HD ED DE ES EL IP IR CE CI FE GL MO NI PH SW TT WM WY BR UN UL BA MS EG LW
    DD CB RF LH CL FI DG TM FB CF EA BX
    ALL NOW KEY CAT FAST COST LOW HAS WELL TECH POOL BALL BEN HAL HUM KIM LIN MAR MAS SEE TAP
    TEL WAT ARE DAY DOC DOW GEN ICE IEX LUV NWS PEG PSA ROL SNA TER TXT URI WAB APA AMP BIO BRO
    CPT FOX COR COO AMT XYZ APP DASH HOOD TKO EXE ERIE COIN PWR MMM EMR GIS MSI PKG REG CMS CNC
    MTD STE HON ROK IFF MLM MOS DLR ESS ATO AWK NEE LEN YUM LULU DECK PEP ADM CHD COP PSX FANG
    USB MET AFL KEYS CRM DIS BUD REX PICO BCH TOT SNP GAP CEO CFO IPO ETF USA GDP CPI FED SEC
    IRS EPS AI EV US UK EU
""")

# Pre-/post-neighbours that veto a name match ("price Target", "Amazon rainforest").
NEGATIVE_PREV: dict[str, frozenset[str]] = {
    "Apple": _words("big"),
    "Target": _words(
        "price raises cuts lifts lowers hikes boosts sets raise cut lift lower hike new"
        " inflation its a on primary easy key"
    ),
    "Tesla": _words("nikola"),
    "Ford": _words("harrison gerald doug henry tom president premier"),
    "Visa": _words("h 1b student work travel golden tourist entry"),
    "Delta": _words("mississippi nile covid the"),
    "Shell": _words("a egg turtle"),
}

NEGATIVE_NEXT: dict[str, frozenset[str]] = {
    "Amazon": _words("rainforest river basin jungle forest region fires"),
    "Apple": _words("pie juice cider orchard orchards tree trees"),
    "Oracle": _words("of"),
    "Target": _words("price prices date range rate audience market of"),
    "Visa": _words(
        "applications application rules program programme holders waiver policy requirements"
        " fees fee ban bans restrictions"
    ),
    "Shell": _words("company companies game shock corporation corporations"),
    "Delta": _words("variant force region wave"),
    "Progressive": _words("party caucus democrats lawmakers movement"),
    "Discover": _words("how why what more the"),
}
