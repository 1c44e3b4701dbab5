"""Probe: does a lexical model (TF-IDF word + char n-grams, logistic regression) add to the shipped
transformer?  Product of experts ``log p = log p_model + w log p_lexical``.

The weight ``w`` is chosen on one half of each validation set and scored on the other half (and
vice versa), so the blended figure is not fitted to the rows it is scored on.  The lexical model
trains on the same TFNS / TFNT train splits as the shipped model; FPB is scored zero-shot.

    python benchmarks/lexical_blend_probe.py --data ../shared/data [--model DIR]

Needs scikit-learn (``pip install scikit-learn``); it is a research probe, not a product path.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from newsrisk.classifiers.data import clean_text, read_fpb, read_tfns, read_tfnt
from newsrisk.classifiers.loading import load_classifier

WEIGHTS = (0.0, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)


def _texts(examples: list) -> list[str]:
    return [clean_text(e.text).lower() for e in examples]


def _lexical(train_texts: list[str], labels: np.ndarray):  # noqa: ANN202 - sklearn objects
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    x = hstack([word.fit_transform(train_texts), char.fit_transform(train_texts)]).tocsr()
    model = LogisticRegression(C=10.0, max_iter=2000).fit(x, labels)

    def proba(texts: list[str]) -> np.ndarray:
        return model.predict_proba(hstack([word.transform(texts), char.transform(texts)]).tocsr())

    return proba


def _acc(log_p: np.ndarray, y: np.ndarray) -> float:
    return float((log_p.argmax(1) == y).mean())


def cross_fitted(pm: np.ndarray, pl: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[float, list]:
    """Accuracy when w is picked on one random half and applied to the other (both ways)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    halves = [order[: len(y) // 2], order[len(y) // 2 :]]
    correct, picked = 0, []
    for fit, test in (halves, halves[::-1]):
        best = max(WEIGHTS, key=lambda w: _acc(np.log(pm[fit]) + w * np.log(pl[fit]), y[fit]))
        picked.append(best)
        correct += int(((np.log(pm[test]) + best * np.log(pl[test])).argmax(1) == y[test]).sum())
    return correct / len(y), picked


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--model", default=None)
    a = ap.parse_args()
    clf = load_classifier(a.model, device="cpu")
    runs = [
        (read_tfns, "sentiment", 0, [("tfns valid", read_tfns(a.data, "valid")),
                                     ("fpb_all", read_fpb(a.data, "fpb_all"))]),
        (read_tfnt, "topic", 1, [("tfnt valid", read_tfnt(a.data, "valid"))]),
    ]
    print(f"{'set':12s} {'model':>7s} {'lexical':>8s} " + " ".join(f"w={w:<5g}" for w in WEIGHTS)
          + "  cross-fitted (w picked)")
    for reader, attr, head, targets in runs:
        train = reader(a.data, "train")
        proba = _lexical(_texts(train), np.array([getattr(e, attr) for e in train]))
        for name, examples in targets:
            y = np.array([getattr(e, attr) for e in examples])
            pm = np.clip(clf.probs([e.text for e in examples])[head], 1e-9, 1.0)
            pl = np.clip(proba(_texts(examples)), 1e-9, 1.0)
            grid = " ".join(f"{_acc(np.log(pm) + w * np.log(pl), y):.4f} " for w in WEIGHTS)
            cf, picked = cross_fitted(pm, pl, y)
            print(f"{name:12s} {_acc(np.log(pm), y):7.4f} {_acc(np.log(pl), y):8.4f} {grid} "
                  f"{cf:.4f} {picked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
