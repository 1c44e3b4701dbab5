from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from newsrisk.classifiers import SHIPPED_MODEL_DIR, explain_negative, load_classifier
from newsrisk.classifiers.inference import MultiTaskClassifier, available_cpus
from newsrisk.classifiers.model import ModelMeta

NEGATIVE = "Shares plunge after the company cuts its outlook and warns of losses"
POSITIVE = "Shares soar after the company beats estimates and raises its dividend"


def test_shipped_files_present() -> None:
    for name in ("model.safetensors", "config.json", "tokenizer.json", "newsrisk_model.json",
                 "train_config.json", "MODEL_CARD.md"):
        assert (SHIPPED_MODEL_DIR / name).is_file(), name
    meta = ModelMeta.read(SHIPPED_MODEL_DIR)
    assert len(meta.topic_labels) == 20 and "Fed | Central Banks" in meta.topic_labels


def test_predict_shapes_and_probabilities(shipped: MultiTaskClassifier) -> None:
    texts = [NEGATIVE, POSITIVE, "Fed holds rates steady", "", "x " * 400]
    preds = shipped.predict(texts)
    assert len(preds) == len(texts)
    for p in preds:
        s = p.sentiment
        assert s.negative + s.neutral + s.positive == pytest.approx(1.0, abs=1e-4)
        assert s.label == max(s.probs, key=s.probs.__getitem__)
        assert len(p.topics) >= 3
        assert [t.score for t in p.topics] == sorted((t.score for t in p.topics), reverse=True)
        assert all(t.label in shipped.topic_labels for t in p.topics)
    assert shipped.predict([]) == []
    assert shipped.device == "cpu" and shipped.name and shipped.version


def test_obvious_headlines(shipped: MultiTaskClassifier) -> None:
    neg, pos = shipped.predict([NEGATIVE, POSITIVE])
    assert neg.sentiment.label == "negative"
    assert pos.sentiment.label == "positive"
    assert neg.sentiment.score < 0 < pos.sentiment.score


def test_news_register_holds_up(shipped: MultiTaskClassifier) -> None:
    """The model must hold up on company news, not only tweets: the hand-labelled headline set
    (not used for training) and the direction x metric-polarity reading it was adapted for."""
    from newsrisk.classifiers.data import NEWS_DEV_FILE, read_headlines
    from newsrisk.records import SENTIMENT_LABELS

    dev = read_headlines(NEWS_DEV_FILE)
    preds = shipped.predict([e.text for e in dev])
    hits = [SENTIMENT_LABELS[e.sentiment] == p.sentiment.label for e, p in zip(dev, preds, strict=True)]
    assert sum(hits) / len(hits) >= 0.9
    probe = {"Net sales increased to EUR 41.2 mn from EUR 36.7 mn": "positive",
             "Net sales decreased to EUR 36.7 mn from EUR 41.2 mn": "negative",
             "Operating costs rose 14% compared with the previous year": "negative",
             "The company will publish its annual report on 12 March": "neutral"}
    labels = [p.sentiment.label for p in shipped.predict(list(probe))]
    assert labels == list(probe.values())


def test_batching_does_not_change_results(shipped: MultiTaskClassifier) -> None:
    texts = [NEGATIVE, POSITIVE, "Oil prices steady", "Bank names new CEO"] * 3
    small = MultiTaskClassifier(shipped.model, shipped.tokenizer, shipped.topic_labels, "x", "1",
                                max_batch=2, lexical=shipped.lexical).predict(texts)
    for a, b in zip(shipped.predict(texts), small, strict=True):
        assert a.sentiment.negative == pytest.approx(b.sentiment.negative, abs=1e-4)


def test_cpu_worker_pool_matches_intra_op(shipped: MultiTaskClassifier) -> None:
    """The pool of single-threaded CPU workers (short batches split by length) gives the same
    probabilities, in input order, as one batch on torch's intra-op threads."""
    texts = [NEGATIVE, POSITIVE, "Oil prices steady", "Bank names new CEO", "",
             "Fed holds rates steady as inflation cools and job growth slows " * 3,
             "x " * 300, "Profit warning", "$AAPL up 3% after earnings"] * 2

    def build(workers: int) -> MultiTaskClassifier:
        return MultiTaskClassifier(shipped.model, shipped.tokenizer, shipped.topic_labels, "x",
                                   "1", max_batch=64, lexical=shipped.lexical, cpu_workers=workers)

    pooled, intra = build(2), build(1)
    pooled.cpu_batch = 3
    assert pooled.workers() is not None and intra.workers() is None
    for a, b in zip(pooled.probs(texts), intra.probs(texts), strict=True):
        assert np.abs(a - b).max() < 1e-5
    assert any(t.name.startswith("newsrisk-infer") for t in threading.enumerate())
    labels = [p.sentiment.label for p in pooled.predict(texts)]
    assert labels[0] == "negative" and labels[1] == "positive" and labels[:9] == labels[9:]


@pytest.mark.parametrize(("files", "cap"), [
    ({"cpu.max": "150000 100000\n"}, 2),  # cgroup v2, --cpus 1.5
    ({"cpu.max": "max 100000\n"}, None),  # v2, no quota
    ({"cpu/cpu.cfs_quota_us": "50000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 1),  # v1
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({}, None),  # no cgroup files
])
def test_available_cpus_honours_a_cgroup_quota(tmp_path: Path, files: dict[str, str],
                                                cap: int | None) -> None:
    """A container's CPU limit caps the default number of CPU workers (torch sees host cores)."""
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    affinity = len(os.sched_getaffinity(0))
    assert available_cpus(tmp_path) == (min(affinity, cap) if cap else affinity)


def test_explain_returns_words_from_text(shipped: MultiTaskClassifier) -> None:
    out = explain_negative(shipped, NEGATIVE, top_k=3)
    assert 1 <= len(out) <= 3
    for item in out:
        assert item["phrase"] in NEGATIVE and item["weight"] > 0
    assert [i["weight"] for i in out] == sorted((i["weight"] for i in out), reverse=True)


def test_quantized_variant_predicts() -> None:
    clf = load_classifier(device="cpu", quantize=True)
    (p,) = clf.predict([NEGATIVE])
    assert clf.version.endswith("+int8")
    assert p.sentiment.label == "negative"


def test_classify_cli_over_stdin() -> None:
    lines = [json.dumps({"id": f"a{i}", "text": t, "tickers": ["XYZ"]})
             for i, t in enumerate([NEGATIVE, POSITIVE] * 10)]
    lines.insert(3, "{broken")
    proc = subprocess.run(
        [sys.executable, "-m", "newsrisk.cli.main", "classify", "--chunk", "16"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120, check=True,
    )
    rows = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(rows) == 21
    assert rows[3]["error"].startswith("malformed JSON")
    good = [r for r in rows if "error" not in r]
    assert [r["id"] for r in good] == [f"a{i}" for i in range(20)]
    first = good[0]
    assert first["sentiment"]["label"] == "negative"
    assert set(first["sentiment"]["probs"]) == {"negative", "neutral", "positive"}
    probs = first["sentiment"]["probs"]
    assert first["sentiment"]["score"] == pytest.approx(probs["positive"] - probs["negative"])
    assert len(first["topics"]) >= 3 and first["entities"] == ["XYZ"]
