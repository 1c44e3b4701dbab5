"""Throughput of the classifier: sentences/s against batch size, bare model vs ``predict``.

``bare``: pre-tokenised, length-bucketed, padded batches through the model only (the ceiling);
on the CPU through the classifier's pool of single-threaded workers, as ``predict`` runs them.
``predict``: the classifier's own ``predict`` on raw texts (tokenisation and, for a model that
ships one, the lexical expert included): what the pipeline's classifier stage gets.
``lexical``: the lexical expert alone (n-gram counting + linear heads), when the model has one.
Run:

    python benchmarks/classifier_throughput.py --texts DATA/sentiment/tfns/sent_valid.csv \
        [--model DIR] [--device cpu|cuda] [--quantize] [--encoder-only] [--batches 1,8,32,64,128]
        [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import torch

from newsrisk.classifiers import load_classifier
from newsrisk.classifiers.engine import length_batches, pad, tokenize


def _texts(path: Path, n: int) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    return (texts * (n // max(len(texts), 1) + 1))[:n]


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def bare(clf: object, texts: list[str], batch: int) -> float:
    ids = tokenize(clf.tokenizer, texts, clf.max_length)  # type: ignore[attr-defined]
    pool = clf.workers()  # type: ignore[attr-defined]
    if pool is not None:
        # CPU worker pool: the texts split by length into the workers' short batches, as one
        # predict call over them does (padded ahead of time, so only the model is timed)
        size = min(batch, clf.cpu_batch)  # type: ignore[attr-defined]
        padded = [pad([ids[i] for i in b], clf.pad_id)  # type: ignore[attr-defined]
                  for b in length_batches([len(x) for x in ids], size)]

        def run(inputs: tuple[torch.Tensor, torch.Tensor]) -> None:
            with torch.inference_mode():
                clf._forward(*inputs)  # type: ignore[attr-defined]

        start_t = time.perf_counter()
        list(pool.map(run, padded))
        return len(texts) / (time.perf_counter() - start_t)
    batches = [
        pad([ids[i] for i in b], clf.pad_id)  # type: ignore[attr-defined]
        for b in length_batches([len(x) for x in ids], batch)
    ]
    device = clf.device  # type: ignore[attr-defined]
    with torch.inference_mode():
        _sync(device)
        start = time.perf_counter()
        for input_ids, mask in batches:
            clf._forward(input_ids.to(device), mask.to(device))  # type: ignore[attr-defined]
        _sync(device)
    return len(texts) / (time.perf_counter() - start)


def lexical(clf: object, texts: list[str]) -> float:
    start = time.perf_counter()
    clf.lexical.log_probs(texts)  # type: ignore[attr-defined]
    return len(texts) / (time.perf_counter() - start)


def end_to_end(clf: object, texts: list[str]) -> float:
    start = time.perf_counter()
    clf.predict(texts)  # type: ignore[attr-defined]
    _sync(clf.device)  # type: ignore[attr-defined]
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", type=Path, required=True, help="CSV with a text column")
    ap.add_argument("--model", help="model dir or HF id (default: the shipped model)")
    ap.add_argument("--device", default=None)
    ap.add_argument("--quantize", action="store_true")
    ap.add_argument(
        "--encoder-only",
        action="store_true",
        help="without the shipped model's lexical expert (NEWSRISK_LEXICAL=false, for GPU workers)",
    )
    ap.add_argument("--n", type=int, default=2048, help="sentences per measurement")
    ap.add_argument("--batches", default="1,8,16,32,64,128")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = default)")
    ap.add_argument("--repeat", type=int, default=3, help="best of N (interleaved) runs")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    texts = _texts(args.texts, args.n)
    rows = []
    for batch in [int(b) for b in args.batches.split(",")]:
        clf = load_classifier(
            args.model, args.device, args.quantize, max_batch=batch, lexical=not args.encoder_only
        )
        n = min(len(texts), max(64, batch * 8)) if batch < 8 else len(texts)
        clf.predict(texts[: batch * 2])  # warm-up
        b = e = lex = 0.0
        has_lexical = getattr(clf, "lexical", None) is not None
        for _ in range(args.repeat):  # interleaved, best of N: robust to a shared machine
            b = max(b, bare(clf, texts[:n], batch))
            e = max(e, end_to_end(clf, texts[:n]))
            lex = max(lex, lexical(clf, texts[:n])) if has_lexical else 0.0
        rows.append(
            {
                "device": clf.device,
                "quantize": args.quantize,
                "batch": batch,
                "threads": torch.get_num_threads(),
                "cpu_workers": clf.cpu_workers if clf.workers() else 1,  # type: ignore[attr-defined]
                "bare_per_s": round(b, 1),
                "predict_per_s": round(e, 1),
                "lexical_per_s": round(lex, 1) if has_lexical else None,
                "ratio": round(e / b, 3),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
