"""Cost of the backtest core over an archive: classification (cached), windows, detector replay.

The first run fills the prediction cache (``.newsrisk/cache/``); later runs show the cost of
everything else. Run:

    python benchmarks/backtest_core.py --input ../shared/data/stream/stocknet/tweets.jsonl.gz \
        [--limit N] [--max-batch 128]
"""

from __future__ import annotations

import argparse
import resource
import time
from itertools import islice
from pathlib import Path

from tqdm import tqdm

from newsrisk.backtest.adapters import convert
from newsrisk.backtest.cache import CachingClassifier
from newsrisk.backtest.core import alerts_from_windows, run_core
from newsrisk.config import load_settings
from newsrisk.core.components import (
    build_classifier,
    build_detector,
    build_resolver,
    build_scoring_stage,
)
from newsrisk.core.pipeline import _chunks
from newsrisk.core.scoring import Incoming
from newsrisk.ingest.sources import read_source


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--input", required=True)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--max-batch", type=int, default=128)
    ap.add_argument(
        "--score-only",
        action="store_true",
        help="only validate, de-duplicate and classify (fills the cache)",
    )
    args = ap.parse_args()
    settings = load_settings(max_batch=args.max_batch)
    t0 = time.perf_counter()
    clf = CachingClassifier(build_classifier(settings), Path(settings.data_dir) / "cache")
    print(f"classifier + cache loaded in {time.perf_counter() - t0:.1f}s ({clf.size} cached)")
    payloads = islice(convert(read_source(args.input)), args.limit)
    t0 = time.perf_counter()
    if args.score_only:
        stage = build_scoring_stage(settings, clf, build_resolver())
        n = 0
        with tqdm(unit="rec", mininterval=10) as bar:
            for chunk in _chunks(payloads, settings.max_batch):
                stage.classify(stage.triage([Incoming(p) for p in chunk]).accepted)
                n += len(chunk)
                bar.update(len(chunk))
        clf.close()
        print(
            f"scored {n} records in {time.perf_counter() - t0:.1f}s "
            f"({clf.misses} classified, {clf.hits} cache hits)"
        )
        return
    with tqdm(unit="rec", mininterval=5) as bar:
        run = run_core(payloads, settings, classifier=clf, progress=bar.update)
    core_s = time.perf_counter() - t0
    clf.close()
    t0 = time.perf_counter()
    replayed = alerts_from_windows(run.windows, build_detector(settings))
    replay_s = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"core: {core_s:.1f}s for {run.summary.articles_in} records "
        f"({clf.misses} classified, {clf.hits} cache hits); {len(run.windows)} windows, "
        f"{len(run.alerts)} alerts; detector replay {replay_s:.1f}s -> {len(replayed)} alerts "
        f"(identical: {[a.id for a in replayed] == [a.id for a in run.alerts]}); "
        f"max RSS {rss_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
