from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsrisk.classifiers import load_classifier
from newsrisk.classifiers.data import read_fpb, read_tfns
from newsrisk.classifiers.evaluate import evaluate
from newsrisk.classifiers.inference import SequenceClassifier
from newsrisk.cli.main import main

TOPICS = [f"Topic {i}" for i in range(20)]


def test_readers_map_labels(tiny_data: Path) -> None:
    tfns = read_tfns(tiny_data, "train")
    assert [e.sentiment for e in tfns[:3]] == [0, 2, 1]  # bearish, bullish, neutral
    fpb = read_fpb(tiny_data, "fpb_all")
    assert [e.sentiment for e in fpb[:3]] == [2, 0, 1]


def test_train_cli_saves_a_loadable_reproducible_model(
    tiny_data: Path, tiny_base: Path, tmp_path: Path
) -> None:
    out = tmp_path / "model"
    args = ["train", "--data", str(tiny_data), "--out", str(out), "--base", str(tiny_base),
            "--epochs", "1", "--batch-size", "8", "--seed", "3", "--device", "cpu"]
    assert main(args) == 0
    cfg = json.loads((out / "train_config.json").read_text())
    assert cfg["seed"] == 3 and cfg["epochs"] == 1
    history = json.loads((out / "train_metrics.json").read_text())
    assert history[0]["epoch"] == 1 and "accuracy" in history[0]["tfns"]
    clf = load_classifier(str(out), device="cpu")
    (p,) = clf.predict(["Shares fall"])
    assert {t.label for t in p.topics} <= set(TOPICS)
    # same seed, same config file -> same weights
    out2 = tmp_path / "model2"
    assert main(["train", "--data", str(tiny_data), "--out", str(out2), "--config",
                 str(out / "train_config.json"), "--device", "cpu"]) == 0
    (p2,) = load_classifier(str(out2), device="cpu").predict(["Shares fall"])
    assert p2.sentiment.negative == pytest.approx(p.sentiment.negative, abs=1e-4)


def test_evaluate_cli_writes_all_sets(tiny_data: Path, tiny_base: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    assert main(["train", "--data", str(tiny_data), "--out", str(out), "--base", str(tiny_base),
                 "--epochs", "1", "--device", "cpu"]) == 0
    report = tmp_path / "eval.json"
    assert main(["evaluate", "--data", str(tiny_data), "--model", str(out),
                 "--json", str(report), "--device", "cpu"]) == 0
    result = json.loads(report.read_text())
    for key in ("tfns", "tfnt", "fpb_50", "fpb_all"):
        assert 0.0 <= result[key]["accuracy"] <= 1.0 and "macro_f1" in result[key]
        assert "confusion_matrix" in result[key] and "per_class" in result[key]


def test_evaluate_cli_skips_headline_sets_an_install_lacks(
    tiny_data: Path, tiny_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A wheel install (the Docker image) has no data/headlines/: the default run scores the rest
    and says what it skipped; asking for such a set by name is a clear error."""
    from newsrisk.classifiers import data

    monkeypatch.setitem(data.NEWS_SETS, "news_test", tmp_path / "absent.csv")
    out = tmp_path / "model"
    assert main(["train", "--data", str(tiny_data), "--out", str(out), "--base", str(tiny_base),
                 "--epochs", "1", "--device", "cpu", "--no-lexical"]) == 0
    report = tmp_path / "eval.json"
    assert main(["evaluate", "--data", str(tiny_data), "--model", str(out),
                 "--json", str(report), "--device", "cpu"]) == 0
    result = json.loads(report.read_text())
    assert "news_test" not in result and "accuracy" in result["news_dev"]
    assert "news_test skipped" in capsys.readouterr().out
    assert main(["evaluate", "--data", str(tiny_data), "--model", str(out), "--json",
                 str(report), "--device", "cpu", "--sets", "news_test"]) != 0


def test_hf_sequence_classifier_maps_labels(tiny_finbert: Path, tiny_data: Path) -> None:
    clf = load_classifier(str(tiny_finbert), device="cpu")
    assert isinstance(clf, SequenceClassifier)
    preds = clf.predict(["Profit rose", "Sales fell"])
    assert all(p.topics == () for p in preds)
    logits_order = clf.perm.tolist()
    assert logits_order == [1, 2, 0]  # negative <- column 1, neutral <- 2, positive <- 0
    result = evaluate(clf, tiny_data)
    assert "skipped" in result["tfnt"] and "accuracy" in result["fpb_all"]
