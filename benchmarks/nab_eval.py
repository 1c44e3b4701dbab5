"""Development harness: score SeriesConfig variants on NAB realTweets in memory.

python benchmarks/nab_eval.py [--set scoring.scales=1,3,12 --set baseline.level_halflife_s=86400]
python benchmarks/nab_eval.py --aggregate 12 [--set reference_spacing_s=0]   # realTweets hourly
python benchmarks/nab_eval.py --thin 0.9 --seeds 5   # median over 5 binomially thinned copies
python benchmarks/nab_eval.py --shift-hours 3,6,9,12,15,18   # every timestamp (and window) moved:
    # the same series starting at other hours of the day (UTC days, weekdays, warm-up end move)
python benchmarks/nab_eval.py --data NAB/data --windows NAB/labels/combined_windows.json
    # any NAB-style corpus (e.g. the other categories of github.com/numenta/NAB): every CSV under
    # --data with a key in --windows, windows snapped onto rows; per category and overall
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from datetime import timedelta
from pathlib import Path

from newsrisk.detection.config import SeriesConfig
from newsrisk.detection.nab_run import detect_series, read_series, series_files
from newsrisk.detection.nab_scoring import (
    PROFILES,
    _file_detail,
    load_windows,
    match_window_key,
    score_series,
    sweep_rows,
)
from newsrisk.records import parse_time

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "anomaly" / "nab"


def _thin(values: list[float], keep: float, seed: str) -> list[float]:
    """Binomial thinning: every counted item kept with probability ``keep`` (a perturbation)."""
    rng = random.Random(seed)
    return [float(sum(rng.random() < keep for _ in range(int(v)))) for v in values]


def _aggregate(stamps: list[str], values: list[float], k: int) -> tuple[list[str], list[float]]:
    """Sums of ``k`` consecutive rows, stamped with the first: the same series, coarser."""
    n = len(values) - len(values) % k
    return stamps[0:n:k], [sum(values[i : i + k]) for i in range(0, n, k)]


def _snap(windows: list, stamps: list) -> list:
    """Windows moved onto the rows of an aggregated series (a row covers its next k rows), or of
    a series whose label file was written for another version of its rows."""
    out = []
    for start, end in windows:
        first = max((t for t in stamps if t <= start), default=stamps[0])
        out.append((first, max((t for t in stamps if t <= end), default=first)))
    return out


def _run(
    args: tuple[str, dict], thin: float = 1.0, seed: int = 0, aggregate: int = 1, shift_h: float = 0.0
) -> tuple[str, list, list[float]]:
    path, cfg = args
    stamps, values = read_series(path)
    if shift_h:
        moved = (parse_time(s) + timedelta(hours=shift_h) for s in stamps)
        stamps = [t.strftime("%Y-%m-%d %H:%M:%S") for t in moved]
    if thin < 1.0:
        values = _thin(values, thin, f"{seed}:{Path(path).name}")
    if aggregate > 1:
        stamps, values = _aggregate(stamps, values, aggregate)
    return (
        path,
        [parse_time(s) for s in stamps],
        detect_series(stamps, values, SeriesConfig.from_dict(cfg)),
    )


def parse_set(items: list[str]) -> dict:
    cfg = SeriesConfig().to_dict()
    for item in items:
        key, _, value = item.partition("=")
        node = cfg
        *parents, leaf = key.split(".")
        for p in parents:
            node = node[p]
        node[leaf] = (
            json.loads(f"[{value}]")
            if "," in value and not value.startswith("[")
            else json.loads(value)
        )
    return cfg


def evaluate(
    cfg: dict,
    data: Path = DATA / "realTweets",
    windows_json: Path | None = None,
    thin: float = 1.0,
    seed: int = 0,
    aggregate: int = 1,
    shift_h: float = 0.0,
):
    windows = load_windows(windows_json or DATA / "combined_windows_realTweets.json")
    if shift_h:
        d = timedelta(hours=shift_h)
        windows = {k: [(a + d, b + d) for a, b in w] for k, w in windows.items()}
    keys = {
        str(p): match_window_key(p.relative_to(data).as_posix(), windows)
        for p in series_files(data)
    }
    # one process: the machine is shared
    results = [
        _run((f, cfg), thin, seed, aggregate, shift_h) for f, key in keys.items() if key is not None
    ]
    series = {}
    for path, ts, scores in results:
        key = keys[path]
        series[key] = (ts, scores)
        if aggregate > 1 or not {t for w in windows[key] for t in w} <= set(ts):
            windows[key] = _snap(windows[key], ts)
    return series, windows


def heldout_score(series: dict, windows: dict, groups: list[list[str]]) -> float:
    """NAB score when every group is scored at the threshold that is best on the *other* groups.

    The corpus-optimal threshold of NAB is fitted to the very series it scores; this is the
    honest version: each series is judged at a threshold it did not help to choose.
    """
    cost = PROFILES["standard"]
    full = score_series(series, windows)
    raw = 0.0
    for group in groups:
        train = {k: v for k, v in series.items() if k not in group}
        thr = score_series(train, windows)["threshold"]
        for k in group:
            ts, sc = series[k]
            raw += _file_detail(sweep_rows(ts, sc, windows[k], k, cost), thr, cost)["raw"]
    return 100.0 * (raw - full["null"]) / (full["perfect"] - full["null"])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--data", type=Path, default=DATA / "realTweets", help="root of the CSVs")
    ap.add_argument(
        "--windows",
        type=Path,
        default=DATA / "combined_windows_realTweets.json",
        help="NAB combined_windows*.json whose keys are paths relative to --data",
    )
    ap.add_argument("--loo", action="store_true", help="also score each file left out / subsets")
    ap.add_argument("--thin", type=float, default=1.0, help="perturb: keep each count with this p")
    ap.add_argument("--seed", type=int, default=0, help="seed of --thin")
    ap.add_argument(
        "--aggregate", type=int, default=1, help="sum this many rows (3: 15-minute, 12: hourly)"
    )
    ap.add_argument(
        "--seeds",
        type=int,
        default=0,
        help="with --thin: score this many thinned copies (seeds 0..N-1) and print their median",
    )
    ap.add_argument(
        "--shift-hours",
        default="",
        help="comma-separated hours: score copies with every timestamp moved by each, and the mean",
    )
    a = ap.parse_args()
    cfg = parse_set(a.set)
    if a.shift_hours:
        scores = []
        for h in [0.0] + [float(x) for x in a.shift_hours.split(",")]:
            series, windows = evaluate(cfg, a.data, a.windows, aggregate=a.aggregate, shift_h=h)
            scores.append(score_series(series, windows)["score"])
            print(f"  shifted {h:+g} h: {scores[-1]:.2f}", flush=True)
        print(f"SUMMARY shifted mean {statistics.mean(scores):.2f} over {len(scores)} offsets")
        return 0
    if a.seeds:
        scores = []
        for seed in range(a.seeds):
            series, windows = evaluate(cfg, a.data, a.windows, a.thin, seed, a.aggregate)
            scores.append(score_series(series, windows)["score"])
            print(f"  thin {a.thin} seed {seed}: {scores[-1]:.2f}", flush=True)
        print(f"SUMMARY thin {a.thin} median {statistics.median(scores):.2f} over {a.seeds} seeds")
        return 0
    series, windows = evaluate(cfg, a.data, a.windows, a.thin, a.seed, a.aggregate)
    res = score_series(series, windows)
    print(
        f"score {res['score']:.2f} raw {res['raw']:.3f} thr {res['threshold']:.6f} "
        f"fp_rows {res['fp_rows']} missed {res['missed_windows']}/{res['windows']}"
    )
    for k, d in res["files"].items():
        print(
            f"  {k:40s} raw {d['raw']:7.3f} det {d['detected']}/{d['windows']} "
            f"fp {d['fp_rows']:3d} {d['window_scores']}"
        )
    categories = sorted({k.split("/")[0] for k in series})
    if len(categories) > 1:  # each scored alone, at its own optimal threshold
        for c in categories:
            sub = score_series({k: v for k, v in series.items() if k.split("/")[0] == c}, windows)
            print(
                f"  category {c:28s} score {sub['score']:6.2f} fp_rows {sub['fp_rows']:3d} "
                f"missed {sub['missed_windows']}/{sub['windows']}"
            )
    if a.loo:
        keys = sorted(series)
        for k in keys:
            sub = {x: series[x] for x in keys if x != k}
            print(f"  without {k:40s} {score_series(sub, windows)['score']:.2f}")
        halves = [keys[0::2], keys[1::2]]
        for h in halves:
            sub = score_series({x: series[x] for x in h}, windows)["score"]
            print(f"  subset {[x.split('_')[-1][:-4] for x in h]} {sub:.2f}")
        loo = heldout_score(series, windows, [[k] for k in keys])
        half = heldout_score(series, windows, halves)
        print(f"held-out threshold: leave-one-out {loo:.2f} split-half {half:.2f}")
    print(f"SUMMARY score {res['score']:.2f}", end="")
    if a.loo:
        print(f" loo {loo:.2f} half {half:.2f}", end="")
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
