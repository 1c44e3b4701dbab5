"""``newsrisk backtest``: the live core offline over an archive, scored against price drops."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from newsrisk.cli.main import CommandError
from newsrisk.cli.options import add_common, settings_from
from newsrisk.cli.progress import Progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backtest", help="replay an archive through the core and score alerts against drops",
        description="Run the same scoring, windows and detector as the live worker over a "
        "JSONL(.gz) archive (raw schema v1 or stocknet tweets), then score entity alerts "
        "against ground truth: a close-to-close drop of at least --drop (Adj Close of "
        "PRICES/<TICKER>.csv) within --horizon trading days after the alert. Compares with a "
        "baseline that alerts on mention-volume spikes. Predictions are cached under "
        "<data_dir>/cache, so re-runs (and --grid) do not classify again.",
    )
    p.add_argument("--input", required=True, help="JSONL(.gz) archive")
    p.add_argument("--prices", required=True, help="directory of <TICKER>.csv daily prices")
    p.add_argument("--from", dest="start", help="first published_at to use (ISO 8601)")
    p.add_argument("--to", dest="end", help="published_at to stop before (ISO 8601)")
    p.add_argument("--horizon", type=int, default=5, help="trading days after an alert (5)")
    p.add_argument("--drop", type=float, default=0.05, help="drop threshold, 0.05 = 5%%")
    p.add_argument("--grid", action="store_true",
                   help="sweep detector thresholds and the baseline's k (PR curve)")
    p.add_argument("--detector-config",
                   help="JSON file of DetectorConfig fields, merged onto the product's detector "
                   "defaults as the worker does (default: those defaults)")
    p.add_argument("--baseline-k", type=float, default=5.0,
                   help="baseline: count > median + k*MAD-sigma of the last 30 days (5)")
    p.add_argument("--baseline-min-count", type=int, default=5,
                   help="baseline: minimum mentions in a window (5)")
    p.add_argument("--no-cache", action="store_true", help="classify without the cache")
    p.add_argument("--report", help="write REPORT/index.html (self-contained)")
    p.add_argument("--json", dest="json_path", help="write the metrics as JSON here")
    add_common(p)
    p.set_defaults(func=run)


def _time(value: str | None, flag: str) -> datetime | None:
    from newsrisk.records import parse_time

    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise CommandError(f"{flag} {value!r} is not an ISO 8601 time; e.g. 2015-10-01") from exc


def run(args: argparse.Namespace) -> int:
    from newsrisk.backtest.adapters import convert
    from newsrisk.backtest.baseline import VolumeRule
    from newsrisk.backtest.cache import CachingClassifier, newsrisk_model_identity
    from newsrisk.backtest.report import write_report
    from newsrisk.backtest.run import BacktestOptions, run_backtest, write_json
    from newsrisk.core.components import build_classifier, detector_config
    from newsrisk.core.scoring import ClassifierLike
    from newsrisk.ingest.sources import read_source

    settings = settings_from(args, detector_config=args.detector_config)
    prices = Path(args.prices)
    if not prices.is_dir() or not any(prices.glob("*.csv")):
        raise CommandError(f"--prices {prices} has no <TICKER>.csv files; point it at a price dir")
    # the live worker's detector: the product defaults, with the settings' detector config on top
    try:
        detector = detector_config(settings)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise CommandError(f"bad --detector-config: {exc}") from exc
    opts = BacktestOptions(
        prices=prices, horizon_days=args.horizon, drop_threshold=args.drop,
        start=_time(args.start, "--from"), end=_time(args.end, "--to"), grid=args.grid,
        baseline=VolumeRule(args.baseline_k, args.baseline_min_count, detector.cooldown_windows),
        detector=detector,
    )
    try:
        payloads = convert(read_source(args.input), opts.start, opts.end)
    except (FileNotFoundError, ValueError) as exc:
        raise CommandError(f"{exc}; give a JSONL(.gz) archive with --input") from exc
    cache_dir = Path(settings.data_dir) / "cache"
    identity = newsrisk_model_identity(settings.model, settings.quantize, settings.lexical)
    classifier: ClassifierLike
    if args.no_cache:
        classifier = build_classifier(settings)
    elif identity is not None:  # loads the model only when a text is not in the cache
        classifier = CachingClassifier(lambda: build_classifier(settings), cache_dir, identity,
                                       settings.device or "cpu")
    else:
        classifier = CachingClassifier(build_classifier(settings), cache_dir)
    try:
        with Progress("backtest", "rec") as bar:
            result = run_backtest(payloads, settings, opts, classifier=classifier,
                                  progress=bar.update, status=bar.set_postfix_str)
    except ValueError as exc:
        raise CommandError(f"{exc}; check --input and --from/--to") from exc
    finally:
        if isinstance(classifier, CachingClassifier):
            classifier.close()
    data = result.to_dict(opts)
    if args.json_path:
        write_json(Path(args.json_path), data)
    if args.report:
        window = max(settings.window_specs, key=lambda w: w.size_s).name
        path = write_report(Path(args.report), {k: v for k, v in data.items()
                                                if k not in ("grid", "alert_list")},
                            result.evaluation, result.baseline, result.topic_alerts,
                            result.run.frames, window, result.grid)
        print(f"report: {path}")
    _print(data)
    return 0


def _print(d: dict[str, Any]) -> None:
    def f(v: object) -> str:
        return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)

    print(f"period {d['period']['from']} .. {d['period']['to']}: {d['articles_in']} records, "
          f"{d['articles_scored']} scored")
    print(f"detector: {d['alerts']} entity alerts (+{d['alerts_unpriced']} unpriced, "
          f"{d['topic_alerts']} topic), precision {f(d['precision'])}, recall {f(d['recall'])} "
          f"of {d['events']} drops, median lead {f(d['median_lead_hours'])} h, "
          f"{f(d['alerts_per_day'])} alerts/day")
    print(f"baseline: {d['baseline_alerts']} alerts, precision {f(d['baseline_precision'])}, "
          f"recall {f(d['baseline_recall'])}, median lead {f(d['baseline_median_lead_hours'])} h")
