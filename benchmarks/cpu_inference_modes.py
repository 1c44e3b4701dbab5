"""CPU inference: torch's intra-op threads on one batch vs a pool of single-threaded workers.

Same texts, same model, same ``predict`` calls of 64 texts (what the worker sends); modes:

- ``intra-op``: ``cpu_workers=1``, each call one batch of 64 on torch's OpenMP threads;
- ``pool/B``: one single-threaded worker per core, each call split by length into batches of
  ``B`` rows (the default: B = 8).

Each mode is measured quiet and beside a background process that keeps ``--load`` of one core
busy in short bursts (what the Kafka client, the broker and database writes do next to the
model in a worker). Modes are interleaved, ``--repeat`` rounds, medians reported, and ratios are
taken against intra-op in the same condition (this machine is shared and noisy). Run:

    python benchmarks/cpu_inference_modes.py [--n 640] [--repeat 5] [--load 0.25] [--json F]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import time
from pathlib import Path
from typing import Any

from newsrisk.benchmarking.pipeline import load_texts
from newsrisk.classifiers import load_classifier


def _busy(stop: Any, duty: float, period_s: float = 0.01) -> None:
    """Keep ``duty`` of one core busy in bursts of ``duty * period_s``."""
    while not stop.is_set():
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < duty * period_s:
            sum(range(200))
        time.sleep(period_s * (1 - duty))


def _rate(clf: Any, texts: list[str], call: int = 64) -> float:
    t0 = time.perf_counter()
    for i in range(0, len(texts), call):
        clf.predict(texts[i:i + call])
    return len(texts) / (time.perf_counter() - t0)


def run(n: int, repeat: int, load: float, sizes: list[int]) -> dict[str, Any]:
    texts = [r["text"] for r in load_texts(n)]
    modes: dict[str, Any] = {"intra-op": load_classifier(None, cpu_workers=1)}
    for b in sizes:
        clf = load_classifier(None)
        clf.cpu_batch = b  # type: ignore[attr-defined]
        modes[f"pool/{b}"] = clf
    for clf in modes.values():
        clf.predict(texts[:64])  # warm-up
    rates: dict[str, list[float]] = {}
    for rnd in range(repeat):
        for cond in ("quiet", "busy"):
            stop = mp.Event()
            proc = mp.Process(target=_busy, args=(stop, load)) if cond == "busy" else None
            if proc:
                proc.start()
            try:
                for name, clf in modes.items():
                    rates.setdefault(f"{name} {cond}", []).append(_rate(clf, texts))
            finally:
                if proc:
                    stop.set()
                    proc.join()
        print(f"round {rnd + 1}/{repeat} done", flush=True)
    med = {k: statistics.median(v) for k, v in rates.items()}
    return {
        "docs_per_s": {k: round(v, 1) for k, v in med.items()},
        "vs_intra_op": {k: round(v / med[f"intra-op {k.rsplit(' ', 1)[1]}"], 2) for k, v in med.items()},
        "n": n, "repeat": repeat, "load": load,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=640, help="texts per measurement (bundled sample)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--load", type=float, default=0.25, help="background load, fraction of a core")
    ap.add_argument("--sizes", default="8,16,32", help="pool batch sizes to compare")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    res = run(args.n, args.repeat, args.load, [int(x) for x in args.sizes.split(",")])
    print(f"{'mode':<22}{'docs/s':>10}{'vs intra-op':>14}")
    for k, v in res["docs_per_s"].items():
        print(f"{k:<22}{v:>10.1f}{res['vs_intra_op'][k]:>14.2f}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
