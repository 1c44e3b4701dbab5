"""Training the lexical expert (:mod:`newsrisk.classifiers.lexical`) and choosing its weight.

The vocabulary (n-grams seen in at least ``min_df`` training texts) and its idf come from the
union of both heads' training texts; each head is a multinomial logistic regression on its own
labelled texts.  scikit-learn is needed here only; inference is numpy + scipy.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newsrisk.classifiers.data import (
    NEWS_WRITTEN,
    read_tfns,
    read_tfnt,
    read_topic_classes,
    read_written,
)
from newsrisk.classifiers.lexical import (
    LexicalHead,
    LexicalModel,
    char_ngrams,
    normalise,
    word_ngrams,
)
from newsrisk.records import SENTIMENT_LABELS

WEIGHT_GRID = (0.0, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class LexicalConfig:
    min_df: int = 2
    c: float = 10.0  # inverse L2 strength of the logistic regressions
    max_iter: int = 2000
    synthetic: int = 6000  # synthetic news sentences added to the sentiment head's training texts
    synthetic_seed: int = 1
    synthetic_version: int = 1  # templates of synthetic_news (see AdaptConfig.synthetic_version)
    # written news sentences for the sentiment head (see AdaptConfig.written; "" = none)
    written: str = NEWS_WRITTEN


def _vocab(docs: Sequence[list[str]], min_df: int) -> tuple[dict[str, int], np.ndarray]:
    df = Counter(g for doc in docs for g in set(doc))
    kept = sorted(g for g, n in df.items() if n >= min_df)
    n_docs = len(docs)
    idf = np.array([math.log((1 + n_docs) / (1 + df[g])) + 1.0 for g in kept])
    return {g: i for i, g in enumerate(kept)}, idf


def fit_lexical(
    heads: dict[str, tuple[Sequence[str], Sequence[int], list[str]]],
    cfg: LexicalConfig = LexicalConfig(),
    progress: Callable[[str], None] = lambda _msg: None,
) -> LexicalModel:
    """``heads``: name -> (texts, label indices, label names).  Weights start at 0 (no effect)."""
    from sklearn.linear_model import LogisticRegression

    texts = [normalise(t) for spec in heads.values() for t in spec[0]]
    word_vocab, idf_word = _vocab([word_ngrams(t) for t in texts], cfg.min_df)
    char_vocab, idf_char = _vocab([char_ngrams(t) for t in texts], cfg.min_df)
    progress(f"vocabulary: {len(word_vocab):,} word and {len(char_vocab):,} character n-grams")
    model = LexicalModel(word_vocab, char_vocab, idf_word, idf_char, {})
    for name, (head_texts, labels, names) in heads.items():
        x = model.features(head_texts)
        y = np.asarray(labels)
        if len(set(y.tolist())) < 2:
            raise ValueError(f"the {name} training texts carry fewer than two labels; "
                             "a lexical head needs examples of at least two classes")
        lr = LogisticRegression(C=cfg.c, max_iter=cfg.max_iter).fit(x, y)
        coef = np.zeros((len(names), x.shape[1]), np.float32)
        intercept = np.full(len(names), -30.0)  # a class absent from training stays impossible
        if len(lr.classes_) == 2:  # sklearn keeps one row: the log-odds of the second class
            coef[lr.classes_[1]], intercept[lr.classes_] = lr.coef_[0], (0.0, lr.intercept_[0])
        else:
            coef[lr.classes_], intercept[lr.classes_] = lr.coef_, lr.intercept_
        model.heads[name] = LexicalHead(list(names), coef, intercept, 0.0)
        progress(f"{name}: logistic regression on {len(y):,} texts, {len(lr.classes_)} classes")
    return model


def _accuracy(log_p: np.ndarray, y: np.ndarray) -> float:
    return float((log_p.argmax(1) == y).mean())


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(1, keepdims=True)
    return z - np.log(np.exp(z).sum(1, keepdims=True))


def nll(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood of ``y`` under softmax(``logits``)."""
    return float(-_log_softmax(logits)[np.arange(len(y)), y].mean())


def ece(logits: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error of the top class (equal-width confidence bins)."""
    p = np.exp(_log_softmax(logits))
    conf, right = p.max(1), p.argmax(1) == y
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            total += m.mean() * abs(right[m].mean() - conf[m].mean())
    return float(total)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The T in [0.25, 5] that minimises the NLL of softmax(logits / T)."""
    from scipy.optimize import minimize_scalar

    res = minimize_scalar(lambda t: nll(logits / t, y), bounds=(0.25, 5.0), method="bounded")
    return float(res.x)


def choose_weight(
    probs: np.ndarray, log_lexical: np.ndarray, y: np.ndarray, grid: Sequence[float] = WEIGHT_GRID,
    seed: int = 0,
) -> dict[str, float]:
    """The blend weight with the best accuracy on ``y`` (ties: the smaller weight), the honest
    estimate of what picking it this way is worth (the weight picked on one random half, scored on
    the other, both ways: ``cross_fitted``), and the temperature that calibrates the blend (NLL)."""
    log_m = np.log(np.clip(probs, 1e-9, 1.0))
    y = np.asarray(y)

    def pick(rows: np.ndarray) -> float:
        return max(grid, key=lambda w: (_accuracy(log_m[rows] + w * log_lexical[rows], y[rows]), -w))

    order = np.random.default_rng(seed).permutation(len(y))
    halves = (order[: len(y) // 2], order[len(y) // 2 :])
    correct = 0
    for fit, test in (halves, halves[::-1]):
        w = pick(fit)
        correct += int(((log_m[test] + w * log_lexical[test]).argmax(1) == y[test]).sum())
    best = pick(np.arange(len(y)))
    blend = log_m + best * log_lexical
    temperature = fit_temperature(blend, y)
    return {
        "weight": float(best),
        "temperature": temperature,
        "model_accuracy": _accuracy(log_m, y),
        "lexical_accuracy": _accuracy(log_lexical, y),
        "blend_accuracy": _accuracy(blend, y),
        "cross_fitted_accuracy": correct / len(y),
        "model_ece": ece(log_m, y),
        "blend_ece_before_temperature": ece(blend, y),
        "blend_ece": ece(blend / temperature, y),
        "model_nll": nll(log_m, y),
        "blend_nll": nll(blend / temperature, y),
    }


def attach_lexical(
    data_dir: Path, model_dir: Path, cfg: LexicalConfig = LexicalConfig(), device: str = "cpu",
    progress: Callable[[str], None] = lambda _msg: None,
    variants: Sequence[str] = ("fp32", "int8"),
) -> dict[str, Any]:
    """Train the lexical expert on TFNS/TFNT train (+ synthetic and written news sentences for
    sentiment), choose each head's weight against the fp32 encoder on TFNS/TFNT valid (the int8
    variant keeps it), fit each variant's temperature, and save it into ``model_dir``; returns
    the choice figures (also written to ``lexical_metrics.json``)."""
    from newsrisk.classifiers.inference import MultiTaskClassifier
    from newsrisk.classifiers.loading import load_classifier

    topics = read_topic_classes(data_dir)
    sets = {"sentiment": (read_tfns, "sentiment", list(SENTIMENT_LABELS), 0),
            "topic": (read_tfnt, "topic", topics, 1)}
    spec = {}
    for head, (reader, attr, names, _) in sets.items():
        train = reader(data_dir, "train")
        spec[head] = ([e.text for e in train], [getattr(e, attr) for e in train], names)
    # news sentences for the sentiment head: the synthetic ones, then the written ones
    extra = [(e.text, e.sentiment) for e in read_written(cfg.written)]
    if cfg.synthetic:
        from newsrisk.classifiers.synthetic_news import generate

        extra = generate(cfg.synthetic, cfg.synthetic_seed, cfg.synthetic_version) + extra
    if extra:
        texts, labels, names = spec["sentiment"]
        spec["sentiment"] = (texts + [t for t, _ in extra], labels + [y for _, y in extra], names)
    model = fit_lexical(spec, cfg, progress)
    report: dict[str, Any] = {"config": asdict(cfg), "chosen_on": "TFNS valid / TFNT valid",
                              "heads": {head: {} for head in sets}}
    valid = {head: reader(data_dir, "valid") for head, (reader, *_rest) in sets.items()}
    for variant in variants:
        clf = load_classifier(str(model_dir), device="cpu" if variant == "int8" else device,
                              quantize=variant == "int8", lexical=False)
        if not isinstance(clf, MultiTaskClassifier):
            raise ValueError(f"{model_dir} is not a newsrisk two-headed model")
        for head, (_, attr, _, column) in sets.items():
            texts = [e.text for e in valid[head]]
            probs = clf.model_probs(texts)[column]
            y = np.array([getattr(e, attr) for e in valid[head]])
            # the int8 variant is the same model quantised: it keeps the fp32 blend weight
            # (one more choice on the same valid set would only fit its noise); its temperature
            # is its own
            fp32_weight = model.heads[head].weights.get("fp32")
            grid = WEIGHT_GRID if variant == "fp32" or fp32_weight is None else (fp32_weight,)
            choice = choose_weight(probs, model.log_probs(texts)[head], y, grid)
            model.heads[head].weights[variant] = choice["weight"]
            model.heads[head].temperatures[variant] = choice["temperature"]
            report["heads"][head][variant] = choice
            progress(f"{head} ({variant}): weight {choice['weight']:g}, valid accuracy "
                     f"{choice['model_accuracy']:.4f} -> {choice['blend_accuracy']:.4f} "
                     f"(cross-fitted {choice['cross_fitted_accuracy']:.4f}); temperature "
                     f"{choice['temperature']:.2f}, calibration error {choice['model_ece']:.3f} -> "
                     f"{choice['blend_ece']:.3f}")
    for head in model.heads.values():
        head.weight, head.temperature = head.weights["fp32"], head.temperatures["fp32"]
    model.save(model_dir)
    (model_dir / "lexical_metrics.json").write_text(json.dumps(report, indent=2) + "\n",
                                                    encoding="utf-8")
    return report
