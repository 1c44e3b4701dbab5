"""Do two devices give the same classifications? (live on a GPU must match a backtest on a CPU)

Loads the model on each device, scores the same texts, and prints the share of equal sentiment
labels and top topics and the largest probability differences. Run:

    python benchmarks/device_agreement.py --texts DATA/sentiment/tfns/sent_valid.csv \
        [--model DIR] [--devices cpu,cuda]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np

from newsrisk.classifiers import load_classifier


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", type=Path, required=True, help="CSV with a text column")
    ap.add_argument("--model", help="model dir or HF id (default: the shipped model)")
    ap.add_argument("--devices", default="cpu,cuda", help="two devices, comma-separated")
    args = ap.parse_args()
    with args.texts.open(newline="", encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    first, second = args.devices.split(",")
    probs = {}
    for device in (first, second):
        clf = load_classifier(args.model, device, cpu_workers=1)
        start = time.perf_counter()
        sent, topic = clf.probs(texts)  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - start
        probs[device] = (np.asarray(sent), None if topic is None else np.asarray(topic))
        print(f"{device}: {clf.version}, {len(texts) / elapsed:.0f} texts/s", flush=True)
    (s1, t1), (s2, t2) = probs[first], probs[second]
    result = {
        "texts": len(texts),
        "sentiment_label_agreement": float((s1.argmax(1) == s2.argmax(1)).mean()),
        "sentiment_max_abs_prob_diff": float(np.abs(s1 - s2).max()),
    }
    if t1 is not None and t2 is not None:
        result["topic_top1_agreement"] = float((t1.argmax(1) == t2.argmax(1)).mean())
        result["topic_max_abs_prob_diff"] = float(np.abs(t1 - t2).max())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
