"""Readers for the training and evaluation corpora (paths are always arguments).

* TFNS (Twitter Financial News Sentiment): ``sentiment/tfns/sent_{train,valid}.csv``,
  ``text,label`` with 0 = Bearish, 1 = Bullish, 2 = Neutral.  MIT: may train a shipped model.
* TFNT (Twitter Financial News Topic): ``topic/tfnt/topic_{train,valid}.csv`` + ``classes.txt``.
  MIT.
* Financial PhraseBank: ``sentiment/fpb/Sentences_<agree>.txt``, ``sentence@label``.
  CC BY-NC-SA: **evaluation only**, never train a shipped model on it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from newsrisk.records import SENTIMENT_LABELS

# TFNS label index -> index in SENTIMENT_LABELS (negative, neutral, positive)
TFNS_TO_SENTIMENT = {0: 0, 1: 2, 2: 1}
REPO_ROOT = Path(__file__).resolve().parents[2]
# Our own hand-labelled news headlines (MIT), in the repository, not in the shared data root.
NEWS_DEV_FILE = REPO_ROOT / "data" / "headlines" / "dev.csv"
NEWS_TEST_FILE = NEWS_DEV_FILE.with_name("test.csv")  # written after 1.3.0 was frozen
# Our own written company-news sentences (MIT): train is adaptation data, valid chooses runs.
# Configs name the train file relative to the repository root (see read_written).
NEWS_WRITTEN = "data/news_written/train.csv"
NEWS_WRITTEN_TRAIN = REPO_ROOT / NEWS_WRITTEN
NEWS_SETS = {"news_dev": NEWS_DEV_FILE, "news_test": NEWS_TEST_FILE,
             "news_written": NEWS_WRITTEN_TRAIN.with_name("valid.csv")}
# the evaluation sets of ``newsrisk evaluate`` (readers in newsrisk.classifiers.evaluate)
EVAL_SETS = ("tfns", "tfnt", "fpb_50", "fpb_all", *NEWS_SETS)
FPB_FILES = {"fpb_50": "Sentences_50Agree.txt", "fpb_all": "Sentences_AllAgree.txt"}

_URL = re.compile(r"https?://\S+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    sentiment: int = -100  # index into SENTIMENT_LABELS, -100 when unlabelled
    topic: int = -100  # index into the topic classes, -100 when unlabelled


def clean_text(text: str) -> str:
    """Normalisation shared by training and inference: drop URLs, collapse whitespace."""
    text = _URL.sub("", text.replace("&amp;", "&"))
    return _SPACE.sub(" ", text).strip()


def _read_csv(path: Path) -> list[tuple[str, int]]:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found")
    with path.open(newline="", encoding="utf-8") as fh:
        return [(row["text"], int(row["label"])) for row in csv.DictReader(fh)]


def read_topic_classes(data_dir: Path) -> list[str]:
    path = data_dir / "topic" / "tfnt" / "classes.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_tfns(data_dir: Path, split: str) -> list[Example]:
    rows = _read_csv(data_dir / "sentiment" / "tfns" / f"sent_{split}.csv")
    return [Example(text, sentiment=TFNS_TO_SENTIMENT[label]) for text, label in rows]


def read_tfnt(data_dir: Path, split: str) -> list[Example]:
    rows = _read_csv(data_dir / "topic" / "tfnt" / f"topic_{split}.csv")
    return [Example(text, topic=label) for text, label in rows]


def read_fpb(data_dir: Path, name: str) -> list[Example]:
    """Financial PhraseBank (evaluation only).  ``name`` is ``fpb_50`` or ``fpb_all``."""
    path = data_dir / "sentiment" / "fpb" / FPB_FILES[name]
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found")
    out = []
    for line in path.read_text(encoding="latin-1").splitlines():
        text, sep, label = line.strip().rpartition("@")
        if sep and label in SENTIMENT_LABELS:
            out.append(Example(text, sentiment=SENTIMENT_LABELS.index(label)))
    return out


def read_headlines(path: Path) -> list[Example]:
    """Hand-labelled news headlines, ``text,label`` with label negative / neutral / positive
    (the repository's ``data/headlines/dev.csv``: our own, MIT)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    bad = [r.get("label") for r in rows if r.get("label") not in SENTIMENT_LABELS]
    if bad:
        raise ValueError(f"{path}: labels must be one of {', '.join(SENTIMENT_LABELS)}; "
                         f"found {bad[0]!r}")
    return [Example(r["text"], sentiment=SENTIMENT_LABELS.index(r["label"])) for r in rows]


def read_written(path: str) -> list[Example]:
    """The written news sentences a config names (``""``: none); a relative path is taken from
    the repository root, so a saved config reproduces from any working directory."""
    if not path:
        return []
    file = Path(path)
    if not file.is_absolute():
        file = REPO_ROOT / file
    if not file.is_file():
        raise FileNotFoundError(f"written news sentences {file} not found: run from a checkout of "
                                "the repository (data/news_written/), pass --written CSV, or "
                                "--written '' to train without them")
    return read_headlines(file)
