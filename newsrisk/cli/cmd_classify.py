"""``newsrisk classify``: JSON lines in on stdin, one scored JSON line out per input."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from itertools import islice
from typing import Any, TextIO

from newsrisk.cli.main import CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "classify",
        help="score JSON lines from stdin (sentiment, topics)",
        description='Read JSON lines {"id", "text", ...} (or "title" + "text") from stdin and '
        "write one JSON line per input with id, sentiment {label, probs, score = P(pos) - "
        "P(neg)}, topics [{label, score}] best first, and entities.  Malformed lines get an "
        '"error" field instead.',
    )
    p.add_argument("--model", help="model dir or HF id (default: the shipped model)")
    p.add_argument("--device", help="cpu or cuda (default: cuda when available)")
    p.add_argument("--quantize", action="store_true", help="int8 dynamic quantization (CPU)")
    p.add_argument("--no-lexical", action="store_true",
                   help="the encoder alone, without the model's lexical expert")
    p.add_argument("--batch-size", type=int, default=64, help="model batch size (default 64)")
    p.add_argument("--chunk", type=int, default=1024, help="lines read per round (default 1024)")
    p.set_defaults(func=run)


def _parse(line: str) -> tuple[dict[str, Any] | None, str]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"malformed JSON: {exc.msg}"
    if not isinstance(obj, dict):
        return None, "not a JSON object"
    title, text = str(obj.get("title") or ""), str(obj.get("text") or "")
    full = f"{title}. {text}" if title and text and not text.startswith(title) else text or title
    if not full.strip():
        return None, "no text"
    return obj, full


def _entities(obj: dict[str, Any], text: str, resolver: Any) -> list[str]:
    """Tickers the text mentions (cashtags, company names), merged with the supplied ones."""
    hints = obj.get("tickers") or obj.get("entities") or []
    hints = [str(t) for t in hints] if isinstance(hints, list) else []
    return list(resolver.resolve(text, hints))


def _lines(stream: TextIO) -> Iterator[str]:
    return (line for line in stream if line.strip())


def run(args: argparse.Namespace) -> int:
    from newsrisk.classifiers import load_classifier

    try:
        clf = load_classifier(args.model, args.device, args.quantize, max_batch=args.batch_size,
                              lexical=not args.no_lexical)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot load model: {exc}") from exc
    from newsrisk.core.components import build_resolver

    resolver = build_resolver()
    lines = _lines(sys.stdin)
    out = sys.stdout
    while chunk := list(islice(lines, max(args.chunk, 1))):
        parsed = [_parse(line) for line in chunk]
        ok = [(i, text) for i, (obj, text) in enumerate(parsed) if obj is not None]
        preds = iter(clf.predict([text for _, text in ok]))
        for obj, text in parsed:
            if obj is None:
                out.write(json.dumps({"id": None, "error": text}) + "\n")
                continue
            pred = next(preds)
            s = pred.sentiment
            row = {
                "id": obj.get("id"),
                "sentiment": {"label": s.label, "probs": s.probs, "score": s.score},
                "topics": [{"label": t.label, "score": t.score} for t in pred.topics],
                "entities": _entities(obj, text, resolver),
            }
            out.write(json.dumps(row) + "\n")
        out.flush()
    return 0
