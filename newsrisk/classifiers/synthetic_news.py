"""Synthetic, labelled financial-news sentences: the news-register lessons tweets rarely teach.

TFNS (tweets) labels ``$XYZ up 5%`` bullish but says little about the sober register of wire
copy and company releases, where sentiment is *compositional*: a metric (good when it rises, like
sales, or bad, like a loss or costs) times a direction (rose, narrowed, ...), a comparison of two
amounts, or a corporate event (a contract won, a profit warning, job cuts).  This module writes
such sentences from templates of our own (MIT, shipped with the training code): deterministic for
a seed, balanced over the three labels, varied in subject, metric, verb, amount, period and
sentence frame.  Factual sentences with no direction (a total without a comparison, a date, a
location) are neutral, so the lesson is "direction × polarity", not "numbers are positive".

It is *augmentation*, not an evaluation set: the hand-written ``data/headlines/dev.csv`` (other
wording, written apart from these templates) and TFNS valid are what choices are made on; the
Financial PhraseBank stays a held-out check.
"""

from __future__ import annotations

import random

NEGATIVE, NEUTRAL, POSITIVE = 0, 1, 2

SUBJECTS = ["The company", "The group", "The firm", "The bank", "The retailer", "The insurer",
            "The airline", "The carmaker", "The chipmaker", "The utility", "The brewer",
            "The miner", "The drugmaker", "The software maker", "The steelmaker", "The lender",
            "The telecom operator", "The paper maker", "The engineering group", "The shipping line",
            "The food producer", "The media group", "The construction company", "The subsidiary"]
NAMES = ["Nordvik", "Alder Systems", "Brightwell", "Castellan", "Dunmore Holdings", "Elmira",
         "Fairhaven", "Graniteworks", "Halvorsen", "Ironbridge", "Juniper Foods", "Kestrel Air",
         "Lumen Metals", "Meridian Bank", "Northgate", "Oakfield Pharma", "Pellinen", "Quarry Lane",
         "Redstone Energy", "Solberg", "Tamarack", "Uplands Retail", "Vantor", "Westbrook Paper",
         "Yarrow Telecom", "Zenith Motors", "Apple", "Microsoft", "Nokia", "Siemens", "Boeing",
         "Walmart", "Volvo", "Unilever", "Toyota", "Shell", "Pfizer", "Intel", "Stora Enso"]

# metric -> +1 when a rise is good news, -1 when a rise is bad news
METRICS: dict[str, int] = {
    "net sales": 1, "revenue": 1, "sales": 1, "operating profit": 1, "net profit": 1,
    "profit before taxes": 1, "pre-tax profit": 1, "earnings per share": 1, "EBITDA": 1,
    "operating income": 1, "net income": 1, "order intake": 1, "orders received": 1,
    "the order backlog": 1, "gross margin": 1, "the operating margin": 1, "market share": 1,
    "cash flow from operations": 1, "free cash flow": 1, "comparable store sales": 1,
    "passenger traffic": 1, "deliveries": 1, "subscriber numbers": 1, "production volumes": 1,
    "bookings": 1, "return on equity": 1, "profit for the period": 1, "the dividend": 1,
    "net interest income": 1, "occupancy": 1, "export sales": 1, "profitability": 1,
    "operating loss": -1, "net loss": -1, "pre-tax loss": -1, "the loss": -1, "costs": -1,
    "operating expenses": -1, "net debt": -1, "loan loss provisions": -1, "impairment charges": -1,
    "customer churn": -1, "credit losses": -1, "the cost-to-income ratio": -1, "personnel costs": -1,
    "inventories of unsold goods": -1, "bad loans": -1, "the number of complaints": -1,
    "credit card delinquencies": -1, "non-performing loans": -1, "write-offs": -1,
    "claims costs": -1, "leverage": -1, "payment arrears": -1, "default rates": -1,
    "the jobless rate": -1, "assets under management": 1, "the order book": 1,
    "average revenue per user": 1, "capacity utilisation": 1,
}
UP = ["rose", "increased", "grew", "climbed", "went up", "jumped", "advanced", "was up", "surged",
      "rose sharply", "increased slightly", "edged up", "soared", "doubled", "picked up"]
DOWN = ["fell", "decreased", "declined", "dropped", "went down", "was down", "slipped", "slumped",
        "fell sharply", "decreased slightly", "edged down", "plunged", "tumbled", "halved", "eased"]
# verbs that carry the evaluation themselves, whatever the metric
BETTER = ["improved", "strengthened", "improved markedly", "recovered"]
WORSE = ["deteriorated", "weakened", "worsened", "came under pressure"]
UP_NOUN = ["a rise", "an increase", "growth", "a jump", "a gain"]
DOWN_NOUN = ["a fall", "a decrease", "a decline", "a drop", "a slump"]
PERIODS = ["in the first quarter", "in the second quarter", "in the third quarter",
           "in the fourth quarter", "in January-June", "in January-September", "in 2022",
           "in the review period", "in the first half of the year", "last year", "in the quarter",
           "in the financial year", "in the period under review", "in March"]
COMPARE = ["from a year earlier", "year on year", "compared with the same period last year",
           "from the previous quarter", "compared to the corresponding period a year ago",
           "from the year-ago quarter", ""]
CURRENCIES = ["EUR {x} mn", "EUR {x} million", "$ {x} million", "{x} million dollars",
              "{x} million euros", "SEK {x} mn", "GBP {x} million", "$ {x} billion"]

POS_EVENTS = [
    "{s} won a {m} order to supply {thing} to {buyer}",
    "{s} has been awarded a {m} contract by {buyer}",
    "{s} signed a {m} deal to deliver {thing} to {buyer}",
    "{s} raised its full-year {outlook}",
    "{s} upgraded its {outlook} for {year}",
    "{s} beat analysts' expectations for the quarter",
    "{s} reported record {metric_pos} {period}",
    "Analysts upgraded {s2} to buy from hold",
    "{s} received regulatory approval for its new {product}",
    "{s} proposed a higher dividend for {year}",
    "{s} announced a share buyback of up to {m}",
    "{s} returned to profit {period}",
    "{s} swung to a profit {period} after a loss a year earlier",
    "{s}'s credit rating was upgraded by Moody's",
    "{s} expects its {metric_pos} to grow in {year}",
    "{s} said demand for its {product} remained strong",
    "Shares in {s2} rose {pct} after the results",
    "{s} secured long-term financing on favourable terms",
    "{s} exceeded its savings target {period}",
    "The agreement is expected to boost {s2}'s earnings from {year}",
    "{s} completed the turnaround of its loss-making unit",
    "The regulator approved {s2}'s acquisition of {s3}",
    "{s}'s order book reached a record level",
    "The late-stage trial of {s2}'s {product} met its main goal",
    "{s} won the court case against {s3}",
    "{s} settled the dispute on favourable terms",
    "Demand for {s2}'s {product} exceeded expectations",
]
NEG_EVENTS = [
    "{s} cut its full-year {outlook}",
    "{s} lowered its {outlook} for {year}",
    "{s} issued a profit warning",
    "{s} missed analysts' expectations for the quarter",
    "{s} will cut {n} jobs",
    "{s} plans to lay off {n} employees",
    "{s} will close its plant in {place}, affecting {n} workers",
    "{s} started negotiations on temporary layoffs",
    "Analysts downgraded {s2} to sell from hold",
    "{s} recalled {n} vehicles over a safety defect",
    "{s} was fined {m} by the regulator",
    "{s} faces a lawsuit from shareholders",
    "{s} filed for bankruptcy protection",
    "{s} suspended its dividend",
    "{s} swung to a loss {period} after a profit a year earlier",
    "{s} booked an impairment of {m}",
    "{s}'s credit rating was cut by Standard & Poor's",
    "{s} expects its {metric_pos} to decline in {year}",
    "{s} said demand for its {product} weakened",
    "Shares in {s2} fell {pct} after the results",
    "A strike halted production at {s2}",
    "{s} lost a major customer",
    "{s} is under investigation for accounting irregularities",
    "{s} posted a loss {period}",
    "{s} warned that its {metric_pos} will fall short of the target",
    "The late-stage trial of {s2}'s {product} failed to meet its main goal",
    "The merger of {s2} and {s3} was blocked by the regulator",
    "{s} will restate its financial results for {year}",
    "A fire damaged {s2}'s plant in {place}",
    "The chief executive of {s2} resigned amid an investigation",
    "{s} set aside more money for bad loans",
    "{s} lost the court case against {s3}",
    "{s} defaulted on its bonds",
    "{s} halted production at its plant in {place}",
]
NEU_FACTS = [
    "{s} will publish its interim report on {date}",
    "{s} will hold its annual general meeting on {date}",
    "{s} is headquartered in {place}",
    "{s} employs about {n} people",
    "{s} has operations in {k} countries",
    "{s}'s {metric_any} {period} totalled {m}",
    "{metric_any_cap} {period} amounted to {m}",
    "{s} reported {metric_any} of {m} {period}",
    "The value of the contract is {m}",
    "The terms of the deal were not disclosed",
    "The transaction is expected to be completed {period2}",
    "{s} appointed a new chief financial officer",
    "{s} supplies {thing} to {buyer}",
    "The new plant will be located in {place}",
    "{s} will present its results in a webcast at {hour}",
    "{s}'s shares are listed on the {exchange}",
    "{s} kept its outlook for {year} unchanged",
    "{metric_any_cap} was unchanged at {m}",
    "{s} reiterated its guidance for {year}",
    "The deal is subject to approval by the competition authorities",
    "{s} and {s3} signed a cooperation agreement",
    "The agreement covers the delivery of {thing}",
    "{s} said it will announce its strategy in {month}",
    "{s}'s financial year ends in {month}",
    "{s} has {n} shareholders",
    "{s} makes {thing}",
    "Trading in {s2}'s new shares is expected to begin on {date}",
    "The board of {s2} has seven members",
    "{s} will change its name to {s3}",
    "{s}'s {metric_any} is expected to be announced on {date}",
    "{s} is evaluating options for its {product} business",
    "The offer period runs until {date}",
    "{macro} figures will be published on {date}",
    "Markets in {place} were closed for a public holiday",
    "The index is reviewed twice a year",
    "{s2}'s shares were little changed",
    "The central bank left its key rate unchanged",
    "{s} has been a customer of {s3} since {year}",
]
THINGS = ["cranes", "paper machines", "network equipment", "engines", "software licences",
          "steel pipes", "packaging materials", "wind turbines", "rail cars", "medical devices",
          "IT services", "elevators", "trucks", "chemicals", "ships"]
BUYERS = ["a German utility", "a US retailer", "the Finnish Defence Forces", "a Chinese carmaker",
          "a customer in Brazil", "Network Rail", "a Swedish hospital district", "an oil major",
          "a city in Poland", "a telecom operator in India"]
PRODUCTS = ["products", "services", "drug", "software", "vehicles", "equipment", "devices"]
PLACES = ["Helsinki", "Oulu", "Ohio", "Gothenburg", "Bavaria", "Shanghai", "Manchester",
          "Texas", "Lyon", "Tallinn", "Sao Paulo", "Pune"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
OUTLOOKS = ["profit forecast", "sales outlook", "earnings guidance", "revenue forecast",
            "outlook", "guidance"]
NOT_MONEY = {"market share", "comparable store sales", "passenger traffic", "deliveries",
             "subscriber numbers", "production volumes", "return on equity", "occupancy",
             "the operating margin", "gross margin", "profitability", "customer churn",
             "the cost-to-income ratio", "the number of complaints", "default rates",
             "the jobless rate", "capacity utilisation", "leverage", "credit card delinquencies"}
GOOD_METRICS = [m for m, sign in METRICS.items() if sign > 0]
# the metrics of neutral "totalled X" facts: the first 32 of METRICS (all good-when-rising ones,
# in their original order; the list is part of what a seed generates, so it stays fixed)
FACT_METRICS = list(METRICS)[:32]
MACRO = ["Inflation", "Retail sales", "Unemployment", "Industrial production", "GDP", "Housing starts"]
EXCHANGES = ["Helsinki stock exchange", "New York Stock Exchange", "Nasdaq", "London Stock Exchange"]


# --- version 2 (an experiment, not shipped; see the model card): business-development events,
# profit/loss swings with amounts, and the wire-copy wrapping of a subject ("Swedish engineering
# group X said on Tuesday it ..."). Written after reading FPB errors, so FPB is not a clean check
# of it. Version 1 stays as it was: the 1.3.0 and 1.4.0 recipes reproduce.
POS_EVENTS_2 = [
    "{s} signed agreements with {k} new customers",
    "{s} won new customers in {place}",
    "{s} received a major order from {buyer}",
    "{s} was selected as the supplier of {thing} for {buyer}",
    "{s} has been chosen to deliver {thing} to {buyer}",
    "The acquisition will strengthen {s2}'s position in {place}",
    "The deal strengthens {s2}'s market position",
    "The agreement strengthens {s2}'s long-term partnership with {s3}",
    "The measures are expected to generate annual cost savings of {m}",
    "The restructuring is expected to cut {s2}'s annual costs by {m}",
    "The new line will increase {s2}'s production capacity by {pct}",
    "{s} opened a new plant in {place} to meet growing demand",
    "{s} expanded its operations to {place}",
    "The acquisition will broaden {s2}'s customer base",
    "{profit_cap} totalled {m}, up from a loss of {m2} {period}",
    "{s} returned to a net profit of {m} {period}",
    "{s} posted a net profit of {m}, compared with a net loss of {m2} a year earlier",
    "The board proposes a dividend of {d2} per share, up from {d1}",
    "The new system will make {s2}'s production more efficient",
]
NEG_EVENTS_2 = [
    "{s} lost a major order from {buyer}",
    "{buyer} cancelled its order with {s2}",
    "{s} failed to win the tender to supply {thing} to {buyer}",
    "{buyer} terminated its contract with {s2}",
    "{s} will scale down its operations in {place}",
    "{s} postponed the start-up of its new plant in {place}",
    "The acquisition will weaken {s2}'s balance sheet",
    "{s} lost customers in {place} to cheaper rivals",
    "The delay is expected to raise {s2}'s costs by {m}",
    "{profit_cap} turned to a loss of {m}, from a profit of {m2} {period}",
    "{s} posted a net loss of {m}, compared with a net profit of {m2} a year earlier",
    "The board proposes a dividend of {d1} per share, down from {d2}",
    "{s} expects weaker demand to cut its production by {pct}",
]
NEU_FACTS_2 = [
    "{s} will deliver {thing} to {buyer}",
    "The order includes {thing} and maintenance services",
    "{s} signed a framework agreement with {buyer}",
    "{profit_cap} totalled {m} {period}",
    "The board proposes a dividend of {d1} per share",
    "{s} opened an office in {place}",
    "The plant in {place} employs {n} people",
    "{s} is part of the {s3} group",
    "{s} will merge its two subsidiaries in {place}",
    "The agreement was signed on {date}",
]
PROFITS = ["operating profit", "net profit", "pre-tax profit", "profit before taxes",
           "earnings per share", "net income", "profit for the period"]
NATIONS = ["Finnish", "Swedish", "German", "US", "British", "French", "Norwegian", "Dutch",
           "Japanese", "Indian"]
INDUSTRIES = ["engineering group", "software maker", "steel maker", "paper company",
              "telecom equipment maker", "retailer", "bank", "construction group", "shipping company",
              "chemicals company", "food company", "IT services provider", "electronics maker"]
WHEN = ["today", "on Tuesday", "on Friday", "on 12 March", "yesterday", "in a statement",
        "in a stock exchange release"]


def _amount(rng: random.Random) -> float:
    return round(rng.uniform(1.0, 900.0), rng.choice([0, 1, 1, 2]))


def _money(rng: random.Random) -> str:
    value = _amount(rng)  # drawn before the currency: the order is part of what a seed generates
    return rng.choice(CURRENCIES).format(x=f"{value:g}")


def _pct(rng: random.Random) -> str:
    value = round(rng.uniform(0.5, 45.0), rng.choice([0, 1]))
    return rng.choice(["{v}%", "{v} %", "{v} percent", "{v} per cent"]).format(v=f"{value:g}")


class _Writer:
    def __init__(self, rng: random.Random, version: int = 1):
        self.rng = rng
        self.version = version
        v2 = version >= 2
        self.neutral = NEU_FACTS + NEU_FACTS_2 if v2 else NEU_FACTS
        self.positive = POS_EVENTS + POS_EVENTS_2 if v2 else POS_EVENTS
        self.negative = NEG_EVENTS + NEG_EVENTS_2 if v2 else NEG_EVENTS

    def pick(self, seq: list[str]) -> str:
        return self.rng.choice(seq)

    def subject(self) -> str:
        return self.pick(SUBJECTS) if self.rng.random() < 0.55 else self.pick(NAMES)

    def fill(self, template: str) -> str:
        r = self.rng
        s = self.subject()
        metric_any = self.pick(FACT_METRICS).removeprefix("the ")
        values = {
            "s": s, "s2": self.pick(NAMES), "s3": self.pick(NAMES), "m": _money(r),
            "n": f"{r.choice([12, 40, 85, 120, 300, 450, 800, 1200, 2500, 6000]):,}",
            "k": str(r.randint(3, 60)), "pct": _pct(r), "thing": self.pick(THINGS),
            "buyer": self.pick(BUYERS), "product": self.pick(PRODUCTS), "place": self.pick(PLACES),
            "year": str(r.randint(2008, 2025)), "period": self.pick(PERIODS),
            "period2": self.pick(["by the end of the year", "in the first quarter of next year",
                                  "during the spring", "in the coming weeks"]),
            "metric_pos": self.pick(GOOD_METRICS), "metric_any": metric_any,
            "metric_any_cap": metric_any[0].upper() + metric_any[1:],
            "date": f"{r.randint(1, 28)} {self.pick(MONTHS)}", "month": self.pick(MONTHS),
            "hour": f"{r.randint(8, 16)}:00", "outlook": self.pick(OUTLOOKS),
            "exchange": self.pick(EXCHANGES), "macro": self.pick(MACRO),
        }
        if self.version >= 2:
            lo, hi = sorted(round(r.uniform(0.02, 2.5), 2) for _ in range(2))
            hi = hi if hi > lo else lo + 0.05
            profit = self.pick(PROFITS)
            values.update({
                "m2": _money(r), "profit_cap": profit[0].upper() + profit[1:],
                "d1": f"EUR {lo:.2f}", "d2": f"EUR {hi:.2f}",
            })
            if s in NAMES and r.random() < 0.3:  # wire copy: "Swedish steel maker X"
                values["s"] = f"{self.pick(NATIONS)} {self.pick(INDUSTRIES)} {s}"
            if template.startswith("{s} ") and r.random() < 0.25:
                template = "{s} said " + self.pick(WHEN) + " it " + template[4:]
        return template.format(**values)

    # --- direction x polarity -------------------------------------------------------------------
    def movement(self) -> tuple[str, int]:
        r = self.rng
        metric = self.pick(list(METRICS))
        polarity = METRICS[metric]
        up = r.random() < 0.5
        label = POSITIVE if (polarity > 0) == up else NEGATIVE
        metric_cap = metric[0].upper() + metric[1:]
        s = self.subject()
        own = metric.removeprefix("the ")  # "its margin", not "its the margin"
        frame = r.choice([1, 4, 6]) if metric in NOT_MONEY else r.randrange(7)
        if r.random() < 0.12:  # verbs that evaluate by themselves
            good = r.random() < 0.5
            verb = self.pick(BETTER if good else WORSE)
            return f"{s}'s {own} {verb} {self.pick(PERIODS)}", POSITIVE if good else NEGATIVE
        verb = self.pick(UP if up else DOWN)
        if metric in {"operating loss", "net loss", "pre-tax loss", "the loss"} and r.random() < 0.4:
            verb = "widened" if up else "narrowed"
        a, b = sorted((_amount(r), _amount(r)))
        if a == b:
            b = a + 1
        new, old = (b, a) if up else (a, b)
        unit = self.pick(CURRENCIES)
        new_s, old_s = unit.format(x=f"{new:g}"), unit.format(x=f"{old:g}")
        period, compare = self.pick(PERIODS), self.pick(COMPARE)
        if frame == 0:
            text = f"{metric_cap} {verb} to {new_s} from {old_s} {period}"
        elif frame == 1:
            text = f"{s}'s {own} {verb} by {_pct(r)} {compare}"
        elif frame == 2:
            text = f"{period[0].upper() + period[1:]}, {metric} {verb} {_pct(r)} to {new_s}"
        elif frame == 3:  # amounts compared, no verb
            text = (f"{metric_cap} {period} totalled {new_s}, compared with {old_s} "
                    f"{self.pick(['a year earlier', 'in the previous year', 'in 2021'])}")
        elif frame == 4:
            noun = self.pick(UP_NOUN if up else DOWN_NOUN)
            text = f"{s} reported {noun} of {_pct(r)} in {metric} {period}"
        elif frame == 5:
            word = "up" if up else "down"
            text = f"{s}'s {own} was {new_s}, {word} from {old_s}"
        else:
            text = f"{metric_cap} {verb} {period} {compare}"
        return " ".join(text.split()), label

    def sentence(self, label: int) -> str:
        if label == NEUTRAL:
            return self.fill(self.pick(self.neutral))
        if self.rng.random() < 0.6:
            while True:
                text, got = self.movement()
                if got == label:
                    return text
        return self.fill(self.pick(self.positive if label == POSITIVE else self.negative))


VERSIONS = (1, 2)


def generate(n: int, seed: int = 0, version: int = 1) -> list[tuple[str, int]]:
    """``n`` (text, sentiment index) pairs, the three labels in equal shares, deterministic for
    ``(n, seed, version)``; version 1 is what models 1.3.0 and 1.4.0 were adapted with."""
    if version not in VERSIONS:
        raise ValueError(f"unknown synthetic news version {version}; choose from {VERSIONS}")
    rng = random.Random(seed)
    writer = _Writer(rng, version)
    out: list[tuple[str, int]] = []
    seen: set[str] = set()
    attempts = 0
    while len(out) < n and attempts < 50 * n:
        attempts += 1
        label = (NEGATIVE, NEUTRAL, POSITIVE)[len(out) % 3]
        text = writer.sentence(label)
        if rng.random() < 0.5:
            text += "."
        if text not in seen:
            seen.add(text)
            out.append((text, label))
    return out
