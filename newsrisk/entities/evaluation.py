"""Micro precision/recall/F1 of a resolver against labelled texts (used by tests and benchmarks).

A labelled file is JSON lines ``{"text": ..., "tickers": [...], "source": ...}``; gold tickers
follow the resolver's conventions (see ``benchmarks/entities_eval.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol


class ResolverLike(Protocol):
    def resolve(self, text: str, hints: Sequence[str] = ()) -> tuple[str, ...]: ...


def load_sample(path: Path) -> list[dict[str, Any]]:
    """Rows of a labelled JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _metrics(tp: int, fp: int, fn: int, n: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "texts": n,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
    }


def score(resolver: ResolverLike, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``{"all": metrics, <source>: metrics, ..., "errors": [...]}`` over (text, ticker) pairs."""
    counts: dict[str, list[int]] = {}
    errors = []
    for row in rows:
        gold, pred = set(row["tickers"]), set(resolver.resolve(row["text"]))
        tp, fp, fn = len(gold & pred), len(pred - gold), len(gold - pred)
        for key in ("all", row.get("source", "?")):
            c = counts.setdefault(key, [0, 0, 0, 0])
            c[0] += tp
            c[1] += fp
            c[2] += fn
            c[3] += 1
        if fp or fn:
            errors.append(
                {
                    "text": row["text"],
                    "missed": sorted(gold - pred),
                    "spurious": sorted(pred - gold),
                }
            )
    out: dict[str, Any] = {key: _metrics(*c) for key, c in counts.items()}
    out["errors"] = errors
    return out
