"""Lexical expert alone on a stream of distinct texts: texts/s, cold word cache at the start.

``classifier_throughput.py`` repeats its texts to fill large batches, which keeps the expert's
word cache warm; a live feed brings new words (tickers, URLs, names) all the time. This reads the
first ``--n`` texts of a CSV (``text`` column) or JSONL(.gz) (``text`` field) in batches. Run:

    python benchmarks/lexical_stream.py --texts DATA/stream/stocknet/tweets.jsonl.gz [--n 20000]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from pathlib import Path

from newsrisk.classifiers.lexical import load_lexical
from newsrisk.classifiers.loading import SHIPPED_MODEL_DIR
from newsrisk.ingest.sources import read_csv, read_jsonl


def _texts(path: Path) -> Iterator[str]:
    if path.suffix == ".csv" or path.name.endswith(".csv.gz"):
        yield from (row.get("text", "") for row in read_csv(path))  # empty fields are dropped
    else:
        yield from (json.loads(line)["text"] for line in read_jsonl(path))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", type=Path, required=True)
    ap.add_argument("--model", type=Path, default=SHIPPED_MODEL_DIR, help="newsrisk model dir")
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=512)
    args = ap.parse_args()
    texts = []
    for text in _texts(args.texts):
        texts.append(text)
        if len(texts) >= args.n:
            break
    model = load_lexical(args.model)
    start = time.perf_counter()
    for i in range(0, len(texts), args.batch):
        model.log_probs(texts[i : i + args.batch])
    rate = len(texts) / (time.perf_counter() - start)
    print(json.dumps({"texts": len(texts), "batch": args.batch, "texts_per_s": round(rate, 1)}))


if __name__ == "__main__":
    main()
