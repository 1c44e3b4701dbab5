"""Resolve the companies a news text or tweet mentions to upper-case tickers.

Policy (what counts as a mention):

1. **Cashtags** ``$AAPL``, ``$aapl``, ``$BRK.B`` (share classes are written ``BRK-B``): a known
   ticker in any case; an unknown one only when written in capitals (``$ALLY``, ``$SPY``) and
   ``keep_unknown_cashtags`` is on (the default: in tweets a capitalised cashtag is a deliberate
   ticker even when the company is outside the table). ``$5``, ``$100M``, ``$1.2bn`` are money.
2. **Exchange prefixes** ``NYSE: T``, ``(NASDAQ:CERS)``: like cashtags; **Reuters codes**
   ``(T.N)``, ``(AAPL.O)``: known tickers only.
3. **Company names** from the alias table, matched case-sensitively on whole tokens, longest
   alias first (``Bank of America`` before ``America``); possessives (``Apple's``) and hyphen or
   dot joins (``Apple-Google``, ``Coca Cola``) match too. *Context aliases* - names that are also
   common words or people (``Target``, ``Visa``, ``Ford``, ``Shell``, ``Delta``, ``Progressive``)
   - count only with a finance context word (``shares``, ``Inc``, ``earnings``, ``CEO``, a money
   amount or a cashtag, see ``policy.CONTEXT_WORDS``) within a few tokens. Some names are vetoed by
   a neighbour (``price Target``, ``Amazon rainforest``, ``Oracle of Omaha``). Names are not
   matched in lower case (``apple pie``, ``target``).
4. **Bare tickers** ``AAPL shares``: only known tickers of 2-5 capitals that are not English
   words or acronyms (``policy.BARE_TICKER_STOPWORDS``: ``ALL``, ``NOW``, ``IT``, ``CAT``...);
   two-letter ones also need a context word; none in all-caps (shouted) text.
5. **Hints** (tickers the source supplied) are normalised, validated like cashtags and appended.

A name resolves to the company's current ticker (``Facebook`` -> ``META``); when the same text
cashtags another ticker of that company (``$FB``, ``$GOOG``) the name takes that ticker instead,
so one company is reported once unless it is cashtagged under two symbols. The result is
deduplicated and ordered by first mention, hints last.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from functools import cache

from newsrisk.entities.policy import (
    BARE_TICKER_STOPWORDS,
    CONTEXT_WINDOW,
    CONTEXT_WORDS,
    NEGATIVE_NEXT,
    NEGATIVE_PREV,
)
from newsrisk.entities.table import CompanyRecord, load_aliases

# One pass over the text; exactly one group is non-empty per match. Words come first (the
# common case); "$" is checked before the look-behind so most positions fail fast.
_TOKEN_RE = re.compile(
    r"([^\W_]+(?:'[^\W_]+)?)"  # 1 word
    r"|\$(?<![\w$]\$)([A-Za-z]{1,5}(?:[.\-][A-Za-z])?)(?!\w)"  # 2 cashtag
    r"|(\$\d)[\d.,]*[A-Za-z]*"  # 3 money
    r"|\(([A-Z]{1,5})\.(?:N|O|OQ|K|A|P)\)"  # 4 Reuters code: (T.N), (AAPL.O)
    r"|(&)"  # 5 ampersand
)
_EXCHANGES = frozenset({"NYSE", "NASDAQ", "Nasdaq", "NYSEArca", "AMEX"})
_WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)?|&")
_TICKER_RE = re.compile(r"^[A-Z]{1,5}(?:-[A-Z]{1,2})?$")
_BARE_RE = re.compile(r"^[A-Z]{2,5}$")
_EXCH_TICKER_RE = re.compile(r"^[A-Z]{1,5}$")

_Alias = tuple[tuple[str, ...], str, bool, str]  # tokens, ticker, needs context, alias text
_MONEY = "$"


def _alias_tokens(alias: str) -> tuple[str, ...]:
    return tuple(_WORD_RE.findall(alias.replace("\u2019", "'")))


def normalise_ticker(raw: str) -> str:
    """``$brk.b`` -> ``BRK-B``."""
    return raw.strip().lstrip("$").upper().replace(".", "-")


class EntityResolver:
    """Finds tickers in text with the alias table of ``records`` (see the module docstring)."""

    def __init__(
        self, records: Iterable[CompanyRecord], *, keep_unknown_cashtags: bool = True
    ) -> None:
        self.keep_unknown_cashtags = keep_unknown_cashtags
        self._company: dict[str, str] = {}
        first: dict[str, list[_Alias]] = {}
        for rec in records:
            self._company[rec.ticker] = rec.company
            if rec.same_as:
                continue
            names = [(a, False) for a in (*rec.name_variants(), *rec.aliases)]
            names += [(a, True) for a in rec.context_aliases]
            for alias, needs_context in names:
                toks = _alias_tokens(alias)
                if toks:
                    first.setdefault(toks[0], []).append((toks, rec.ticker, needs_context, alias))
        for cands in first.values():
            cands.sort(key=lambda c: -len(c[0]))
        self._first = first
        self._vocab = frozenset(t for cands in first.values() for c in cands for t in c[0])
        self._bare = frozenset(
            t for t in self._company if _BARE_RE.match(t) and t not in BARE_TICKER_STOPWORDS
        )

    @classmethod
    def from_default(cls) -> EntityResolver:
        """The resolver over the shipped table (built once per process, then shared)."""
        return _default()

    @property
    def tickers(self) -> frozenset[str]:
        """All tickers the table knows."""
        return frozenset(self._company)

    def company(self, ticker: str) -> str:
        """The company key of ``ticker`` (its ``same_as`` ticker, else itself)."""
        return self._company.get(ticker, ticker)

    def _tokens(self, text: str) -> list[str]:
        """Tokens: words, ``$TICKER`` (cashtag/exchange/RIC, normalised) and ``$`` (money)."""
        out: list[str] = []
        vocab = self._vocab
        if "\u2019" in text:
            text = text.replace("\u2019", "'")
        for word, tag, money, ric, amp in _TOKEN_RE.findall(text):
            if word:
                if "'" in word and word.endswith("'s") and word not in vocab:
                    word = word[:-2]
                elif (
                    out
                    and out[-1] in _EXCHANGES
                    and _EXCH_TICKER_RE.match(word)
                    and (word in self._company or self.keep_unknown_cashtags)
                ):
                    word = "$" + word  # NYSE: T, (NASDAQ:AAPL) count like cashtags
                out.append(word)
            elif tag:
                ticker = normalise_ticker(tag)
                if ticker in self._company or (self.keep_unknown_cashtags and tag.isupper()):
                    out.append("$" + ticker)
                elif tag.isupper():
                    out.append(_MONEY)
            elif money:
                out.append(_MONEY)
            elif ric:
                out.append("$" + ric if ric in self._company else _MONEY)
            elif amp:
                out.append(amp)
        return out

    @staticmethod
    def _has_context(toks: list[str], start: int, end: int) -> bool:
        lo, hi = max(0, start - CONTEXT_WINDOW), min(len(toks), end + CONTEXT_WINDOW)
        for j in range(lo, hi):
            if start <= j < end:
                continue
            t = toks[j]
            if t[0] == "$" or t.lower() in CONTEXT_WORDS:
                return True
        return False

    def _vetoed(self, toks: list[str], start: int, end: int, alias: str) -> bool:
        prev = NEGATIVE_PREV.get(alias)
        if prev and start > 0 and toks[start - 1].lower() in prev:
            return True
        nxt = NEGATIVE_NEXT.get(alias)
        return bool(nxt and end < len(toks) and toks[end].lower() in nxt)

    def _match_name(self, toks: list[str], i: int, cands: list[_Alias]) -> tuple[str, int] | None:
        n = len(toks)
        for alias_toks, ticker, needs_context, alias in cands:
            end = i + len(alias_toks)
            if end > n or (end > i + 1 and tuple(toks[i:end]) != alias_toks):
                continue
            if self._vetoed(toks, i, end, alias):
                continue
            if needs_context and not self._has_context(toks, i, end):
                continue
            return ticker, end
        return None

    def _is_shouting(self, toks: list[str]) -> bool:
        words = [t for t in toks if t[0].isalpha()]
        caps = sum(1 for t in words if t.isupper() and len(t) > 1)
        return len(words) >= 4 and caps * 2 > len(words)

    def _mentions(self, toks: list[str]) -> list[tuple[str, bool]]:
        """(ticker, explicit) for each mention in order; explicit = cashtag/exchange/RIC."""
        out: list[tuple[str, bool]] = []
        first, bare = self._first, self._bare
        shouting: bool | None = None
        i, n = 0, len(toks)
        while i < n:
            tok = toks[i]
            if tok[0] == "$":
                if len(tok) > 1:
                    out.append((tok[1:], True))
                i += 1
                continue
            cands = first.get(tok)
            if cands is not None:
                hit = self._match_name(toks, i, cands)
                if hit is not None:
                    out.append((hit[0], False))
                    i = hit[1]
                    continue
            if tok in bare:
                if shouting is None:
                    shouting = self._is_shouting(toks)
                if not shouting and (len(tok) > 2 or self._has_context(toks, i, i + 1)):
                    out.append((tok, False))
            i += 1
        return out

    def resolve(self, text: str, hints: Sequence[str] = ()) -> tuple[str, ...]:
        """Tickers mentioned in ``text`` (then valid ``hints``), deduplicated, in order."""
        if "&" in text:
            text = html.unescape(text)
        mentions = self._mentions(self._tokens(text)) if text else []
        tagged: dict[str, str] = {}
        for ticker, explicit in mentions:
            if explicit:
                tagged.setdefault(self.company(ticker), ticker)
        out: dict[str, None] = {}
        for ticker, explicit in mentions:
            out[ticker if explicit else tagged.get(self.company(ticker), ticker)] = None
        companies = {self.company(t) for t in out}
        for hint in hints:
            ticker = normalise_ticker(hint)
            if not _TICKER_RE.match(ticker) or self.company(ticker) in companies:
                continue
            if ticker in self._company or self.keep_unknown_cashtags:
                out[ticker] = None
                companies.add(self.company(ticker))
        return tuple(out)


@cache
def _default() -> EntityResolver:
    return EntityResolver(load_aliases())
