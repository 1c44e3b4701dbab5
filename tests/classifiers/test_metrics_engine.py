from __future__ import annotations

import pytest

from newsrisk.classifiers.data import clean_text
from newsrisk.classifiers.engine import length_batches, pad
from newsrisk.classifiers.inference import sentiment_index
from newsrisk.classifiers.metrics import classification_report


def test_report_counts_and_f1() -> None:
    rep = classification_report([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], ["a", "b", "c"])
    assert rep["accuracy"] == pytest.approx(4 / 6)
    assert rep["confusion_matrix"] == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert rep["per_class"]["c"]["precision"] == 1.0
    assert rep["per_class"]["c"]["recall"] == pytest.approx(2 / 3)
    assert 0 < rep["macro_f1"] <= 1 and 0 < rep["weighted_f1"] <= 1


def test_length_batches_cover_every_index_once() -> None:
    lengths = [5, 30, 7, 7, 12, 3, 64, 1]
    batches = list(length_batches(lengths, max_batch=3))
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(len(b) <= 3 for b in batches)
    assert batches[0][0] == 6  # longest first


def test_pad_builds_mask() -> None:
    ids, mask = pad([[1, 2, 3], [4]], pad_id=0)
    assert ids.tolist() == [[1, 2, 3], [4, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]


def test_clean_text_drops_urls() -> None:
    assert clean_text("Stocks  fall https://t.co/abc &amp; more") == "Stocks fall & more"


def test_finbert_label_order_is_mapped() -> None:
    assert sentiment_index({0: "positive", 1: "negative", 2: "neutral"}) == [2, 0, 1]
    assert sentiment_index({0: "Bearish", 1: "Bullish", 2: "Neutral"}) == [0, 2, 1]
    with pytest.raises(ValueError):
        sentiment_index({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
