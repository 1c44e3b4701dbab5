"""``newsrisk bench``: pipeline throughput and latency vs the bare classifier and a naive agent."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="measure throughput and end-to-end latency",
                       description="Runs the bare classifier, the pipeline through the embedded "
                       "broker and a naive one-call-per-message Faust agent in one run and "
                       "prints a table of docs/s and latency percentiles.")
    p.add_argument("--json", dest="json_path", help="write the figures here")
    p.add_argument("--records", type=int, default=900, help="records for the pipeline")
    p.add_argument("--naive-records", type=int, default=300, help="records for the naive agent")
    p.add_argument("--batch", type=int, default=64, help="classifier batch size")
    p.add_argument("--workdir", default=".newsrisk/bench")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from newsrisk.benchmarking.pipeline import run as run_bench
    from newsrisk.benchmarking.pipeline import table

    res = run_bench(args.records, args.naive_records, args.batch, Path(args.workdir),
                    progress=lambda m: print(f"... {m}", flush=True))
    print(table(res))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(res, indent=2))
    return 0
