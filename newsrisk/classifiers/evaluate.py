"""Evaluation on TFNS valid, TFNT valid, Financial PhraseBank and our headline dev set, and the
FinBERT protocol."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

from newsrisk.classifiers.data import (
    EVAL_SETS,
    NEWS_SETS,
    Example,
    read_fpb,
    read_headlines,
    read_tfns,
    read_tfnt,
    read_topic_classes,
)
from newsrisk.classifiers.inference import Classifier
from newsrisk.classifiers.metrics import classification_report
from newsrisk.records import SENTIMENT_LABELS


def load_suite(data_dir: Path, name: str) -> tuple[list[Example], str]:
    """The examples of one evaluation set and the head it scores (sentiment or topic)."""
    if name == "tfns":
        return read_tfns(data_dir, "valid"), "sentiment"
    if name == "tfnt":
        return read_tfnt(data_dir, "valid"), "topic"
    if name in ("fpb_50", "fpb_all"):
        return read_fpb(data_dir, name), "sentiment"
    if name in NEWS_SETS:  # in the repository: our hand-labelled headlines
        return read_headlines(NEWS_SETS[name]), "sentiment"
    raise ValueError(f"unknown evaluation set {name!r}; choose from {', '.join(EVAL_SETS)}")


def evaluate_examples(
    classifier: Classifier, examples: list[Example], head: str, topic_labels: list[str]
) -> dict[str, Any]:
    preds = classifier.predict([e.text for e in examples])
    if head == "sentiment":
        y_true = [e.sentiment for e in examples]
        y_pred = [SENTIMENT_LABELS.index(p.sentiment.label) for p in preds]
        return classification_report(y_true, y_pred, SENTIMENT_LABELS)
    if not preds or not preds[0].topics:
        raise ValueError(f"{classifier.name} has no topic head")
    index = {label: i for i, label in enumerate(topic_labels)}
    y_pred = [index[p.topics[0].label] for p in preds]
    return classification_report([e.topic for e in examples], y_pred, topic_labels)


def evaluate(
    classifier: Classifier, data_dir: Path, suites: tuple[str, ...] = EVAL_SETS
) -> dict[str, Any]:
    """Metrics per evaluation set; topic sets are skipped for a sentiment-only classifier."""
    topics = read_topic_classes(data_dir)
    out: dict[str, Any] = {}
    for name in suites:
        examples, head = load_suite(data_dir, name)
        try:
            out[name] = evaluate_examples(classifier, examples, head, topics)
        except ValueError as exc:
            out[name] = {"skipped": str(exc)}
    return out


def finbert_protocol(
    data_dir: Path, cfg: Any, device: str = "cpu", test_share: float = 0.2,
    with_topics: bool = True,
) -> dict[str, Any]:
    """FinBERT's set-up: the same recipe trained on a random 80% of FPB 50Agree (+ TFNT topics
    unless ``with_topics`` is False, which is ~5x cheaper), tested on the other 20%.
    For comparison only: that model is never saved nor shipped."""
    from newsrisk.classifiers.train import train

    fpb = read_fpb(data_dir, "fpb_50")
    rng = random.Random(cfg.seed)
    rng.shuffle(fpb)
    cut = int(len(fpb) * (1 - test_share))
    train_set, test_set = fpb[:cut], fpb[cut:]
    cfg = dataclasses.replace(cfg, teachers=[])
    result = train(
        data_dir, Path("unused"), cfg, device=device,
        train_examples=train_set + (read_tfnt(data_dir, "train") if with_topics else []),
        eval_sets={"fpb_50_test": (test_set, "sentiment")}, save=False,
    )
    last = result["history"][-1]["fpb_50_test"]
    return {"protocol": "train on random 80% of FPB 50Agree, test on the other 20%",
            "seed": cfg.seed, "with_topics": with_topics, "n_train": len(train_set),
            "n_test": len(test_set), **last}
