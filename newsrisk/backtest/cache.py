"""A classifier wrapper that remembers predictions on disk, keyed by model and text.

Backtests re-run the same texts many times (threshold grids, new detector versions), and
classification is the slow part. Predictions are appended to
``<data_dir>/cache/predictions-<model>-<version>.jsonl`` (one ``{"k": hash, ...}`` a line,
flushed after every batch so an interrupted run keeps what it paid for); the key is a hash of the
model name, model version and the exact text, so a new model never reads an old model's cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from newsrisk.core.scoring import ClassifierLike
from newsrisk.records import Prediction, Sentiment, TopicScore

META_FILE = "newsrisk_model.json"


def cache_key(name: str, version: str, text: str) -> str:
    raw = f"{name}\x00{version}\x00{text}".encode("utf-8", errors="surrogateescape")
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def cache_path(cache_dir: Path, name: str, version: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{name}-{version}").strip("_")[:120]
    return cache_dir / f"predictions-{slug}.jsonl"


def _encode(key: str, pred: Prediction) -> str:
    s = pred.sentiment
    return json.dumps({"k": key, "l": s.label, "p": [s.negative, s.neutral, s.positive],
                       "t": [[t.label, t.score] for t in pred.topics[:5]]})


def _decode(d: dict[str, Any]) -> Prediction:
    neg, neu, pos = (float(v) for v in d["p"])
    return Prediction(Sentiment(str(d["l"]), neg, neu, pos),
                      tuple(TopicScore(str(lab), float(sc)) for lab, sc in d["t"]))


def newsrisk_model_identity(
    model: str | None, quantize: bool = False, lexical: bool = True
) -> tuple[str, str] | None:
    """(name, version) of the shipped model (``None``) or a newsrisk model dir, without loading
    it (nor torch); None for other models.  Matches the ``version`` that ``load_classifier`` gives
    for the same options."""
    if model is None:
        spec = importlib.util.find_spec("newsrisk.classifiers")
        if spec is None or not spec.submodule_search_locations:
            return None
        meta_path = Path(next(iter(spec.submodule_search_locations))) / "model" / META_FILE
    else:
        meta_path = Path(model) / META_FILE
    try:
        meta = json.loads(meta_path.read_text())
        # the lexical expert's file (newsrisk.classifiers.lexical.LEXICAL_JSON; not imported: torch)
        encoder_only = not lexical and (meta_path.parent / "lexical.json").is_file()
        return str(meta["name"]), (str(meta["version"]) + ("+int8" if quantize else "")
                                   + ("+encoder-only" if encoder_only else ""))
    except (OSError, ValueError, KeyError):
        return None


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-1, 2)
        return fh.read(1) == b"\n"


class CachingClassifier:
    """Looks texts up in the cache and sends only the misses to the wrapped classifier.

    ``inner`` may be a classifier or a function that loads one: then it is loaded on the first
    miss only, and ``identity`` (name, version) must say which model it will be.
    """

    def __init__(self, inner: ClassifierLike | Callable[[], ClassifierLike],
                 cache_dir: Path | str, identity: tuple[str, str] | None = None,
                 device: str = "cpu") -> None:
        if callable(inner) and not hasattr(inner, "predict"):
            if identity is None:
                raise ValueError("a lazily loaded classifier needs its (name, version)")
            self._inner: ClassifierLike | None = None
            self._load_inner = inner
            self.name, self.version = identity
            self.device = device
        else:
            self._inner = inner  # type: ignore[assignment]
            self._load_inner = lambda: inner  # type: ignore[assignment,return-value]
            self.name, self.version, self.device = inner.name, inner.version, inner.device
        self.path = cache_path(Path(cache_dir), self.name, self.version)
        self.hits = 0
        self.misses = 0
        self._memory: dict[str, Prediction] = {}
        self._fh: IO[str] | None = None
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    d = json.loads(line)
                    self._memory[d["k"]] = _decode(d)
                except (ValueError, KeyError, TypeError):
                    continue  # a torn last line of an interrupted run

    @property
    def inner(self) -> ClassifierLike:
        if self._inner is None:
            self._inner = self._load_inner()
            if (self._inner.name, self._inner.version) != (self.name, self.version):
                raise ValueError(f"loaded model {self._inner.name} {self._inner.version} is not "
                                 f"the expected {self.name} {self.version}")
        return self._inner

    @property
    def size(self) -> int:
        """Predictions in the cache."""
        return len(self._memory)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        keys = [cache_key(self.name, self.version, t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._memory))
        self.hits += len(keys) - len(missing)
        if missing:
            index = {k: i for i, k in enumerate(keys)}
            preds = self.inner.predict([texts[index[k]] for k in missing])
            lines = []
            for k, p in zip(missing, preds, strict=True):
                self._memory[k] = p
                lines.append(_encode(k, p))
            self._append(lines)
            self.misses += len(missing)
        return [self._memory[k] for k in keys]

    def _append(self, lines: list[str]) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            torn = self.path.exists() and self.path.stat().st_size > 0 and not _ends_with_newline(
                self.path)
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
            if torn:  # end a torn last line first, so the next prediction stays readable
                self._fh.write("\n")
        self._fh.write("\n".join(lines) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
