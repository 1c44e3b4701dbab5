"""The lexical expert: TF-IDF word and character n-grams into one linear layer per head.

The transformer reads meaning; this reads surface forms (tickers, rare words, phrasings) that a
small encoder trained on a few thousand tweets smooths over.  The two are combined as a product
of experts, per head: ``log p = log p_model + w * log p_lexical`` (renormalised), with ``w`` stored
next to the coefficients.  It needs no torch and costs well under a millisecond per text.

On disk, in the model directory:

* ``lexical.json``: format version, the n-gram settings, both vocabularies (index order) and, per
  head, its labels and its blend weight and temperature for each encoder variant (``fp32``; ``int8``, the
  dynamically quantized CPU variant, whose probabilities differ slightly),
* ``lexical.safetensors``: ``idf.word``, ``idf.char`` and ``<head>.coef`` / ``<head>.intercept``.

Both are plain data (no pickle): loading runs no code from the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from newsrisk.classifiers.data import clean_text

LEXICAL_JSON = "lexical.json"
LEXICAL_WEIGHTS = "lexical.safetensors"
FORMAT = 1
MAX_CHARS = 1000  # the encoder reads 128 tokens; the lexical expert reads about as much text
CHAR_RANGE = (2, 5)
CHAR_CACHE_WORDS = 200_000  # words whose character n-gram indices are kept
_WORD = re.compile(r"(?u)\b\w\w+\b")


def normalise(text: str) -> str:
    return clean_text(text).lower()[:MAX_CHARS]


def word_ngrams(text: str) -> list[str]:
    """Words of two or more word characters, and adjacent word pairs."""
    words = _WORD.findall(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def char_ngrams(text: str, lo: int = CHAR_RANGE[0], hi: int = CHAR_RANGE[1]) -> list[str]:
    """Character n-grams inside space-padded words (a word shorter than n counts once)."""
    out: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(lo, hi + 1):
            if size <= n:
                out.append(padded)
                break
            out.extend(padded[i : i + n] for i in range(size - n + 1))
    return out


def _tfidf(grams: Sequence[list[str]], vocab: dict[str, int], idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf (1 + log count) times idf, each row scaled to unit length."""
    return _tfidf_indices([_known(row, vocab) for row in grams], idf)


def _known(grams: list[str], vocab: dict[str, int]) -> list[int]:
    """Vocabulary indices of the n-grams that are in it, repeats kept."""
    return [j for j in map(vocab.get, grams) if j is not None]


def _tfidf_indices(rows: Sequence[list[int]], idf: np.ndarray) -> sparse.csr_matrix:
    """:func:`_tfidf` from each row's feature indices (repeats count), vectorised over rows."""
    n = len(rows)
    lengths = np.fromiter(map(len, rows), np.int64, n)
    cols = np.fromiter(chain.from_iterable(rows), np.int64, int(lengths.sum()))
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    # COO -> CSR sums the repeats: the counts
    x = sparse.csr_matrix((np.ones(len(cols)), (owner, cols)), shape=(n, len(idf)))
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    per_row = np.diff(x.indptr)
    row_of = np.repeat(np.arange(n, dtype=np.int64), per_row)
    norms = np.sqrt(np.bincount(row_of, weights=x.data * x.data, minlength=n))
    norms[norms == 0.0] = 1.0  # a row without known n-grams stays empty
    x.data /= norms[row_of]
    return x


@dataclass
class LexicalHead:
    labels: list[str]
    coef: np.ndarray  # (classes, word features + char features)
    intercept: np.ndarray  # (classes,)
    weight: float  # exponent of this expert in the product, for the variant loaded
    weights: dict[str, float] = field(default_factory=dict)  # per encoder variant, as saved
    temperature: float = 1.0  # the product's log-probabilities are divided by this (calibration)
    temperatures: dict[str, float] = field(default_factory=dict)

    def log_probs(self, x: sparse.csr_matrix) -> np.ndarray:
        logits = np.asarray(x @ self.coef.T, dtype=np.float64) + self.intercept
        logits -= logits.max(1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(1, keepdims=True))


@dataclass
class LexicalModel:
    word_vocab: dict[str, int]
    char_vocab: dict[str, int]
    idf_word: np.ndarray
    idf_char: np.ndarray
    heads: dict[str, LexicalHead]

    _char_cache: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        norm = [normalise(t) for t in texts]
        word = _tfidf([word_ngrams(t) for t in norm], self.word_vocab, self.idf_word)
        char = _tfidf_indices([self._char_indices(t) for t in norm], self.idf_char)
        return sparse.hstack([word, char], format="csr")

    def _char_indices(self, text: str) -> list[int]:
        """Indices of the text's known character n-grams, built word by word from a cache (news
        repeats its words: most are looked up once, not once per text)."""
        cache, vocab = self._char_cache, self.char_vocab
        out: list[int] = []
        for word in text.split():
            hit = cache.get(word)
            if hit is None:
                if len(cache) >= CHAR_CACHE_WORDS:
                    cache.clear()  # bounded: an unbounded stream of new words must not grow it
                hit = _known(char_ngrams(word), vocab)
                cache[word] = hit
            out.extend(hit)
        return out

    def log_probs(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        x = self.features(texts)
        return {name: head.log_probs(x) for name, head in self.heads.items()}

    def blend(self, head: str, probs: np.ndarray, log_lexical: np.ndarray) -> np.ndarray:
        """Product of experts: ``probs`` (the model's, rows sum to 1) times p_lexical ** w, to the
        power 1/T (a product of experts is sharper than either; T restores calibration and never
        changes the winning class)."""
        h = self.heads[head]
        logits = np.log(np.clip(probs.astype(np.float64), 1e-9, 1.0))
        logits += h.weight * log_lexical
        logits /= h.temperature
        logits -= logits.max(1, keepdims=True)
        out = np.exp(logits)
        return (out / out.sum(1, keepdims=True)).astype(np.float32)

    def save(self, model_dir: Path) -> None:
        from safetensors.numpy import save_file

        meta: dict[str, Any] = {
            "format": FORMAT,
            "max_chars": MAX_CHARS,
            "char_range": list(CHAR_RANGE),
            "word_vocab": sorted(self.word_vocab, key=self.word_vocab.__getitem__),
            "char_vocab": sorted(self.char_vocab, key=self.char_vocab.__getitem__),
            "heads": {k: {"labels": h.labels, "weights": h.weights or {"fp32": h.weight},
                          "temperatures": h.temperatures or {"fp32": h.temperature}}
                      for k, h in self.heads.items()},
        }
        (model_dir / LEXICAL_JSON).write_text(json.dumps(meta, ensure_ascii=False) + "\n",
                                              encoding="utf-8")
        arrays = {"idf.word": self.idf_word.astype(np.float32),
                  "idf.char": self.idf_char.astype(np.float32)}
        for name, head in self.heads.items():
            arrays[f"{name}.coef"] = head.coef.astype(np.float16)
            arrays[f"{name}.intercept"] = head.intercept.astype(np.float32)
        save_file(arrays, str(model_dir / LEXICAL_WEIGHTS))


def has_lexical(model_dir: Path) -> bool:
    return (model_dir / LEXICAL_JSON).is_file() and (model_dir / LEXICAL_WEIGHTS).is_file()


def load_lexical(model_dir: Path, variant: str = "fp32") -> LexicalModel:
    """The lexical expert of ``model_dir`` with the blend weights chosen for the encoder
    ``variant`` ("fp32", or "int8" for the quantized CPU variant; fp32's when it has none)."""
    from safetensors.numpy import load_file

    meta = json.loads((model_dir / LEXICAL_JSON).read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT or tuple(meta.get("char_range", ())) != CHAR_RANGE \
            or meta.get("max_chars") != MAX_CHARS:
        raise ValueError(f"{model_dir / LEXICAL_JSON}: written by another newsrisk version "
                         f"(format {meta.get('format')}); retrain it with `newsrisk train --lexical-only`")
    arrays = load_file(str(model_dir / LEXICAL_WEIGHTS))
    heads = {}
    for name, h in meta["heads"].items():
        weights = {k: float(v) for k, v in h["weights"].items()}
        temps = {k: float(v) for k, v in h.get("temperatures", {"fp32": 1.0}).items()}
        heads[name] = LexicalHead(list(h["labels"]), arrays[f"{name}.coef"].astype(np.float32),
                                  arrays[f"{name}.intercept"].astype(np.float64),
                                  weights.get(variant, weights["fp32"]), weights,
                                  temps.get(variant, temps["fp32"]), temps)
    model = LexicalModel(
        {g: i for i, g in enumerate(meta["word_vocab"])},
        {g: i for i, g in enumerate(meta["char_vocab"])},
        arrays["idf.word"].astype(np.float64), arrays["idf.char"].astype(np.float64), heads,
    )
    for kind, vocab, idf in (("word", model.word_vocab, model.idf_word),
                             ("char", model.char_vocab, model.idf_char)):
        if len(vocab) != len(idf):
            raise ValueError(f"{model_dir}: {len(vocab)} {kind} n-grams in {LEXICAL_JSON} but "
                             f"{len(idf)} idf values, expected one each; the files do not belong "
                             "together: retrain with `newsrisk train --lexical-only`")
    n_features = len(model.idf_word) + len(model.idf_char)
    for name, head in heads.items():
        if head.coef.shape != (len(head.labels), n_features):
            raise ValueError(f"{model_dir / LEXICAL_WEIGHTS}: head {name!r} has shape "
                             f"{head.coef.shape}, expected ({len(head.labels)}, {n_features})")
    return model
