"""Precision/recall floors on the hand-labelled sample (see benchmarks/entities_eval.py).

The sample (295 texts, 300 gold tickers): 135 written headlines/tweets with hard negatives,
55 stocknet tweets and 105 TFNS headlines labelled by hand. At the time of writing the resolver
scores P=0.993, R=0.983 overall (2 FP, 5 FN) and R=0.92 on the TFNS headlines. The floors leave
room for about a dozen extra errors overall, so a table or policy change that costs real
precision or recall fails, while relabelling one or two texts does not.
"""

from __future__ import annotations

import time
from pathlib import Path

from newsrisk.entities import EntityResolver
from newsrisk.entities.evaluation import load_sample, score

DEFAULT_SAMPLE = Path(__file__).with_name("labelled_sample.jsonl")

PRECISION_FLOOR = 0.97
RECALL_FLOOR = 0.95
TFNS_RECALL_FLOOR = 0.85


def test_sample_is_big_enough() -> None:
    rows = load_sample(DEFAULT_SAMPLE)
    assert len(rows) >= 200
    assert sum(1 for r in rows if not r["tickers"]) >= 40  # negatives


def test_precision_recall_floors() -> None:
    result = score(EntityResolver.from_default(), load_sample(DEFAULT_SAMPLE))
    overall = result["all"]
    assert overall["precision"] >= PRECISION_FLOOR, result["errors"]
    assert overall["recall"] >= RECALL_FLOOR, result["errors"]
    assert result["tfns"]["recall"] >= TFNS_RECALL_FLOOR, result["errors"]


def test_throughput_smoke() -> None:
    # The benchmark measures ~25k texts/s on one core; this only catches a gross regression
    # (e.g. a regex that backtracks) on a loaded CI machine.
    r = EntityResolver.from_default()
    texts = [row["text"] for row in load_sample(DEFAULT_SAMPLE)] * 10
    t0 = time.perf_counter()
    for t in texts:
        r.resolve(t)
    assert len(texts) / (time.perf_counter() - t0) > 3000
