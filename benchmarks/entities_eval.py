"""Precision/recall/F1 and throughput of the entity resolver on the labelled sample.

    python benchmarks/entities_eval.py [--sample PATH] [--json OUT] [--errors]

Gold labels (``tests/entities/labelled_sample.jsonl``, one ``{"text", "tickers", "source"}`` per
line) list every cashtag and every company of the shipped table that the text names, as the
ticker the resolver's convention gives (names -> current ticker unless the text cashtags another
ticker of the same company). Scores are micro-averaged over (text, ticker) pairs; hints are not
used. Throughput is single-core texts/s over the sample texts repeated.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from newsrisk.entities import EntityResolver
from newsrisk.entities.evaluation import load_sample, score

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLE = ROOT / "tests" / "entities" / "labelled_sample.jsonl"


def throughput(resolver: EntityResolver, texts: Sequence[str], min_seconds: float = 1.0) -> float:
    """Texts per second on one core (best of three timed rounds)."""
    best = 0.0
    for _ in range(3):
        n, t0 = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - t0) < min_seconds / 3:
            for text in texts:
                resolver.resolve(text)
            n += len(texts)
        best = max(best, n / elapsed)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("--errors", action="store_true", help="print texts with misses/spurious")
    args = ap.parse_args(argv)

    rows = load_sample(args.sample)
    t0 = time.perf_counter()
    resolver = EntityResolver.from_default()
    load_s = time.perf_counter() - t0
    result = score(resolver, rows)
    result["throughput_texts_per_s"] = round(throughput(resolver, [r["text"] for r in rows]))
    result["load_seconds"] = round(load_s, 4)

    for key in ["all"] + sorted(
        k for k in result if k not in ("all", "errors") and isinstance(result[k], dict)
    ):
        m = result[key]
        print(
            f"{key:10s} texts={m['texts']:4d} tp={m['tp']:4d} fp={m['fp']:3d} fn={m['fn']:3d} "
            f"P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f}"
        )
    print(
        f"throughput {result['throughput_texts_per_s']:,} texts/s (one core); "
        f"table load {load_s * 1000:.0f} ms"
    )
    if args.errors:
        for e in result["errors"]:
            print(f"  missed={e['missed']} spurious={e['spurious']} :: {e['text'][:110]!r}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
