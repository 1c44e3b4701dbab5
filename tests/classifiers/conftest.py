from __future__ import annotations

import csv
from pathlib import Path

import pytest
from transformers import BertConfig, BertForSequenceClassification, BertModel

from newsrisk.classifiers import SHIPPED_MODEL_DIR, load_classifier
from newsrisk.classifiers.inference import MultiTaskClassifier

TOPICS = [f"Topic {i}" for i in range(20)]


@pytest.fixture(scope="session")
def shipped() -> MultiTaskClassifier:
    clf = load_classifier(device="cpu")
    assert isinstance(clf, MultiTaskClassifier)
    return clf


def _tiny_config(**kw: object) -> BertConfig:
    return BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2,
                      num_attention_heads=2, intermediate_size=64, **kw)


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT with the shipped tokenizer: fast to train in tests."""
    from transformers import AutoTokenizer

    out = tmp_path_factory.mktemp("tiny_base")
    BertModel(_tiny_config(), add_pooling_layer=False).save_pretrained(out)
    AutoTokenizer.from_pretrained(SHIPPED_MODEL_DIR).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_finbert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random sequence classifier with FinBERT's label order."""
    from transformers import AutoTokenizer

    out = tmp_path_factory.mktemp("tiny_finbert")
    cfg = _tiny_config(num_labels=3, id2label={0: "positive", 1: "negative", 2: "neutral"},
                       label2id={"positive": 0, "negative": 1, "neutral": 2})
    BertForSequenceClassification(cfg).save_pretrained(out)
    AutoTokenizer.from_pretrained(SHIPPED_MODEL_DIR).save_pretrained(out)
    return out


def _write_csv(path: Path, rows: list[tuple[str, int]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows(rows)


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A miniature data root with the layout of ../shared/data."""
    root = tmp_path_factory.mktemp("data")
    sent = [("$XYZ - shares plunge on weak outlook https://t.co/x", 0),
            ("Company beats estimates, raises guidance", 1),
            ("Company to present at conference", 2)] * 6
    _write_csv(root / "sentiment/tfns/sent_train.csv", sent)
    _write_csv(root / "sentiment/tfns/sent_valid.csv", sent[:6])
    topic = [(f"headline about topic {i}", i) for i in range(20)] * 2
    _write_csv(root / "topic/tfnt/topic_train.csv", topic)
    _write_csv(root / "topic/tfnt/topic_valid.csv", topic[:20])
    (root / "topic/tfnt/classes.txt").write_text("\n".join(TOPICS), encoding="utf-8")
    fpb = root / "sentiment/fpb"
    fpb.mkdir(parents=True)
    lines = ["Profit rose 20 % .@positive", "Sales fell sharply .@negative",
             "The company is based in Espoo .@neutral"] * 4
    for name in ("Sentences_50Agree.txt", "Sentences_AllAgree.txt"):
        (fpb / name).write_text("\n".join(lines) + "\n", encoding="latin-1")
    return root
