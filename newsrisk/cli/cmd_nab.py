"""``newsrisk nab``: run the spike detector over NAB-style CSVs and, optionally, score it."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from newsrisk.cli.main import CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "nab",
        help="run the anomaly detector over Numenta Anomaly Benchmark CSVs (and score it)",
        description="Run the streaming spike detector causally over every `timestamp,value` CSV "
        "under --data, in path order, with one configuration for all series, and write "
        "OUT/<same relative path> with columns timestamp,value,anomaly_score. With --score, "
        "also compute the NAB score (standard profile, one threshold for the whole set).",
    )
    p.add_argument("--data", required=True, type=Path, help="directory of timestamp,value CSVs")
    p.add_argument("--out", required=True, type=Path, help="directory for the results CSVs")
    p.add_argument(
        "--config", type=Path, help="JSON file with a SeriesConfig (default: built-in defaults)"
    )
    p.add_argument(
        "--score",
        nargs="?",
        const="auto",
        metavar="WINDOWS_JSON",
        help="score the results with NAB; WINDOWS_JSON defaults to the combined_windows*.json "
        "next to --data",
    )
    p.add_argument(
        "--profile",
        default="standard",
        choices=["standard", "reward_low_FP_rate", "reward_low_FN_rate"],
        help="NAB application profile (default standard)",
    )
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=run)


def _windows_json(data: Path, given: str) -> Path:
    if given != "auto":
        path = Path(given)
        if not path.is_file():
            raise CommandError(f"windows file {path} not found; pass a combined_windows*.json")
        return path
    for folder in (data, data.parent):
        found = sorted(folder.glob("combined_windows*.json"))
        if found:
            return found[0]
    raise CommandError(
        f"no combined_windows*.json in {data} or {data.parent}; pass it with --score FILE"
    )


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from newsrisk.detection.config import SeriesConfig
    from newsrisk.detection.nab_run import run_directory, series_files
    from newsrisk.detection.nab_scoring import score_nab

    if not args.data.is_dir():
        raise CommandError(f"--data {args.data} is not a directory; point it at a folder of CSVs")
    if not series_files(args.data):
        raise CommandError(f"no CSV files under {args.data}; expected timestamp,value CSVs")
    config = None
    if args.config:
        try:
            config = SeriesConfig.from_dict(json.loads(args.config.read_text()))
        except (OSError, ValueError, TypeError) as exc:
            raise CommandError(f"cannot load --config {args.config}: {exc}; fix the JSON") from exc
    windows = _windows_json(args.data, args.score) if args.score else None

    def wrap(files: list[Path]):  # type: ignore[no-untyped-def]
        return iter(tqdm(files, desc="nab", unit="file", disable=args.no_progress))

    models: dict[str, str] = {}
    try:
        written = run_directory(args.data, args.out, config, wrap, models)
    except ValueError as exc:
        raise CommandError(f"{exc}; fix or remove that file") from exc
    used = Counter(models.values())
    print(
        f"wrote {len(written)} result files under {args.out} (read as counts: "
        f"{used['counts']}, as measurements: {used['values']})"
    )
    if windows is not None:
        try:
            result = score_nab(args.out, windows, profile=args.profile)
        except ValueError as exc:
            raise CommandError(f"cannot score: {exc}") from exc
        for key, d in sorted(result["files"].items()):
            print(
                f"  {key}: raw {d['raw']:+.3f}, {d['detected']}/{d['windows']} windows, "
                f"{d['fp_rows']} false-positive rows"
            )
        print(
            f"NAB {result['profile']} score: {result['score']:.2f} "
            f"(raw {result['raw']:.3f}, null {result['null']:.1f}, "
            f"perfect {result['perfect']:.1f}, "
            f"threshold {result['threshold']:.6g}, {result['windows'] - result['missed_windows']}"
            f"/{result['windows']} windows detected, {result['fp_rows']} false-positive rows)"
        )
    return 0
