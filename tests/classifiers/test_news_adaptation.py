"""The synthetic news sentences, the headline dev set and ``newsrisk train --adapt-from``."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from newsrisk.classifiers import load_classifier
from newsrisk.classifiers.data import (
    NEWS_DEV_FILE,
    NEWS_SETS,
    NEWS_TEST_FILE,
    NEWS_WRITTEN,
    NEWS_WRITTEN_TRAIN,
    read_headlines,
    read_written,
)
from newsrisk.classifiers.synthetic_news import METRICS, NEGATIVE, NEUTRAL, POSITIVE, generate
from newsrisk.cli.main import main


def test_generate_is_deterministic_balanced_and_unique() -> None:
    a, b = generate(900, seed=5), generate(900, seed=5)
    assert a == b and generate(900, seed=6) != a
    assert Counter(label for _, label in a) == {NEGATIVE: 300, NEUTRAL: 300, POSITIVE: 300}
    assert len({text for text, _ in a}) == len(a)


def test_version_1_is_unchanged_and_version_2_adds_business_news() -> None:
    """Version 1 is what models 1.3.0 and 1.4.0 were adapted with: its sentences must never
    change (the recipes reproduce their weights byte for byte); version 2 adds events."""
    v1 = generate(900, seed=5)
    assert hashlib.sha256(repr(v1).encode()).hexdigest()[:16] == "7f3843dbd9beba87"
    assert generate(900, seed=5, version=1) == v1
    v2 = generate(3000, seed=5, version=2)
    assert v2 != generate(3000, seed=5) and v2 == generate(3000, seed=5, version=2)
    assert Counter(label for _, label in v2) == {NEGATIVE: 1000, NEUTRAL: 1000, POSITIVE: 1000}
    by_text = dict(v2)
    swings = [(t, lab) for t, lab in by_text.items() if "up from a loss of" in t
              or "turned to a loss of" in t]
    assert swings and all(
        lab == (POSITIVE if "up from a loss" in t else NEGATIVE) for t, lab in swings
    )
    assert any(" said " in t and " it " in t for t in by_text)  # wire-copy wrapping
    assert any("new customers" in t and lab == POSITIVE for t, lab in by_text.items())
    assert any("will deliver" in t and lab == NEUTRAL for t, lab in by_text.items())
    with pytest.raises(ValueError, match="unknown synthetic news version 3"):
        generate(10, version=3)


_MOVE = re.compile(r"^(?P<metric>[A-Z][\w\- ]+?) (?:in [\w\- ]+ )?(?:[a-z ]+ to|totalled) "
                   r"(?P<new>.+?)(?:,)? (?:from|compared with) (?P<old>.+)$")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def test_labels_follow_direction_times_metric_polarity() -> None:
    """Where a sentence states both amounts, its label must be the metric's polarity times the
    direction of the change, whatever the verb: the lesson the set exists to teach."""
    checked = 0
    for text, label in generate(6000, seed=2):
        m = _MOVE.match(text)
        if not m:
            continue
        metric = m["metric"].lower()
        polarity = METRICS.get(metric, METRICS.get("the " + metric))
        numbers = [_NUMBER.findall(m[k]) for k in ("new", "old")]
        if polarity is None or not all(numbers):
            continue
        new, old = (float(n[0]) for n in numbers)
        if new == old:
            continue
        up = new > old
        assert label == (POSITIVE if (polarity > 0) == up else NEGATIVE), text
        checked += 1
    assert checked > 150
    # both polarities are taught in both directions
    texts = [t for t, _ in generate(3000, seed=3)]
    assert any("loss narrowed" in t for t in texts) and any("loss widened" in t for t in texts)


def test_headline_dev_set_parses_and_rejects_bad_labels(tmp_path: Path) -> None:
    dev, test = read_headlines(NEWS_DEV_FILE), read_headlines(NEWS_TEST_FILE)
    for rows in (dev, test):
        counts = Counter(e.sentiment for e in rows)
        assert len(rows) >= 140 and min(counts.values()) >= 45
    assert not {e.text for e in dev} & {e.text for e in test}
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nShares rose,bullish\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bullish"):
        read_headlines(bad)


def test_written_news_is_balanced_and_disjoint_from_every_check_set() -> None:
    train, valid = read_headlines(NEWS_WRITTEN_TRAIN), read_headlines(NEWS_SETS["news_written"])
    assert len(train) >= 2000 and len(valid) >= 350
    for rows in (train, valid):
        shares = Counter(e.sentiment for e in rows)
        assert min(shares.values()) / len(rows) >= 0.2  # every label well represented

    def key(text: str) -> str:
        return re.sub(r"\W+", " ", text.lower()).strip()

    seen = {key(e.text) for e in train}
    assert len(seen) == len(train)  # no duplicates inside train
    for other in (valid, read_headlines(NEWS_DEV_FILE), read_headlines(NEWS_TEST_FILE)):
        assert not seen & {key(e.text) for e in other}
    # a config names the file relative to the repository root, from any working directory
    assert NEWS_WRITTEN == "data/news_written/train.csv"
    assert [e.text for e in read_written(NEWS_WRITTEN)] == [e.text for e in train]
    assert read_written("") == []


def test_adapt_cli_saves_a_reproducible_model_with_its_recipe(
    tiny_data: Path, tiny_base: Path, tmp_path: Path
) -> None:
    start = tmp_path / "start"
    assert main(["train", "--data", str(tiny_data), "--out", str(start), "--base", str(tiny_base),
                 "--epochs", "1", "--device", "cpu", "--no-lexical"]) == 0
    dev = tmp_path / "dev.csv"
    dev.write_text("text,label\nProfit rose 20%,positive\nSales fell,negative\n"
                   "The AGM is on 3 May,neutral\n", encoding="utf-8")
    written = tmp_path / "written.csv"
    written.write_text("text,label\nThe loss narrowed to EUR 1 mn,positive\n"
                       "Orders fell 12%,negative\n", encoding="utf-8")
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert main(["train", "--data", str(tiny_data), "--out", str(out), "--adapt-from",
                     str(start), "--synthetic", "60", "--batch-size", "16", "--seed", "4",
                     "--news-dev", str(dev), "--written", str(written), "--device", "cpu",
                     "--no-lexical"]) == 0
        outs.append(out)
    cfg = json.loads((outs[0] / "adapt_config.json").read_text())
    assert cfg["init"] == str(start) and cfg["synthetic"] == 60 and cfg["seed"] == 4
    assert cfg["written"] == str(written)
    assert (outs[0] / "train_config.json").is_file()  # the starting recipe travels along
    history = json.loads((outs[0] / "adapt_metrics.json").read_text())
    assert {"tfns", "tfnt", "news_dev"} <= set(history[-1])
    texts = ["Operating loss narrowed to EUR 2 mn", "Shares fall"]

    def probs(model: Path) -> list[float]:
        preds = load_classifier(str(model), device="cpu").predict(texts)
        return [v for p in preds for v in (p.sentiment.negative, p.sentiment.positive)]

    assert probs(outs[0]) == pytest.approx(probs(outs[1]), abs=1e-4)  # same seed, same model
    assert probs(outs[0]) != pytest.approx(probs(start), abs=1e-4)  # it did train


def test_adapt_cli_rejects_a_directory_without_a_model(tiny_data: Path, tmp_path: Path) -> None:
    assert main(["train", "--data", str(tiny_data), "--out", str(tmp_path / "o"),
                 "--adapt-from", str(tmp_path)]) != 0
