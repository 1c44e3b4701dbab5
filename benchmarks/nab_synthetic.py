"""Generality check of the ``newsrisk nab`` detector on synthetic NAB-style series.

Series of kinds realTweets lacks (measurements in arbitrary units and offsets, drops, vanished
cycles, drifts, random walks, heavy tails; plus count bursts), labelled NAB's way, scored with
NAB's standard profile. Two corpora: the series as generated, and the measurements quantised to
non-negative integers (a gauge reporting whole units, which ``auto`` must not take for counts).
The default model (``auto``) is compared in the same run with each core alone: ``counts`` (the
detector before real-valued series had their own model) and ``values``.

    python benchmarks/nab_synthetic.py [--seeds 10] [--step-minutes 5] [--rows 4032] [--json F]
        [--weekly] [--models auto] [--set values.weekday=false ...]

``--step-minutes 60 --rows 1500`` (hourly, two months) and ``--step-minutes 1440 --rows 400``
(daily) check that nothing is tied to 5-minute windows.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict

from nab_eval import parse_set

from newsrisk.detection.config import SeriesConfig
from newsrisk.detection.nab_scoring import score_series
from newsrisk.detection.series import SeriesDetector
from newsrisk.detection.synthetic import KINDS, Series, corpus, quantised

MODELS = ("auto", "counts", "values")


def run(model: str, series: list[Series], base: dict | None = None) -> dict:
    files, windows = {}, {}
    for s in series:
        det = SeriesDetector(SeriesConfig.from_dict({**(base or {}), "model": model}))
        ts = s.stamps()
        files[s.name] = (
            ts,
            [det.update(t.timestamp(), v) for t, v in zip(ts, s.values, strict=True)],
        )
        windows[s.name] = s.windows()
    res = score_series(files, windows)
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for name, d in res["files"].items():
        kind = name.rsplit("_", 1)[0]
        by_kind[kind][0] += d["detected"]
        by_kind[kind][1] += d["windows"]
        by_kind[kind][2] += d["fp_rows"]
    return {
        "score": round(res["score"], 2),
        "threshold": res["threshold"],
        "detected": sum(v[0] for v in by_kind.values()),
        "windows": res["windows"],
        "fp_rows": res["fp_rows"],
        "by_kind": {
            k: {"detected": v[0], "windows": v[1], "fp_rows": v[2]} for k, v in by_kind.items()
        },
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10, help="series per kind")
    ap.add_argument("--step-minutes", type=int, default=5, help="minutes between rows")
    ap.add_argument("--rows", type=int, default=288 * 14, help="rows per series")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument(
        "--set", action="append", default=[], help="config override, as in nab_eval.py"
    )
    ap.add_argument(
        "--weekly", action="store_true", help="weekends differ (level, daily cycle, counts)"
    )
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated subset")
    a = ap.parse_args()
    base = parse_set(a.set)
    models = [m for m in a.models.split(",") if m]
    generated = corpus(range(a.seeds), a.step_minutes, a.rows, a.weekly)
    corpora = {
        "generated": generated,
        "integer_gauges": [quantised(s) for s in generated if not s.name.startswith("counts")],
    }
    out: dict[str, dict] = {}
    for name, series in corpora.items():
        res = out[name] = {model: run(model, series, base) for model in models}
        print(
            f"\n{name}: {len(series)} series ({a.seeds} per kind, {a.rows} rows every "
            f"{a.step_minutes} min), NAB standard profile"
        )
        for model, r in res.items():
            print(
                f"  {model:7s} score {r['score']:6.2f}  detected {r['detected']}/{r['windows']}"
                f"  fp rows {r['fp_rows']}"
            )
        print(f"  {'kind':18s} " + "  ".join(f"{m:>16s}" for m in res))
        for kind in KINDS:
            if kind not in next(iter(res.values()))["by_kind"]:
                continue
            cells = []
            for r in res.values():
                d = r["by_kind"][kind]
                cells.append(f"{d['detected']:>3d}/{d['windows']:<3d} fp {d['fp_rows']:<4d}")
            print(f"  {kind:18s} " + "  ".join(f"{c:>16s}" for c in cells))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(
                {"seeds": a.seeds, "step_minutes": a.step_minutes, "rows": a.rows, **out},
                fh,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
