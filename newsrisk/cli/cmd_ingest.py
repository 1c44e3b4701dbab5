"""``newsrisk ingest``: files (JSONL/CSV) and RSS/Atom feeds into the raw topic."""

from __future__ import annotations

import argparse

from newsrisk.cli.main import CommandError
from newsrisk.cli.options import add_common, settings_from
from newsrisk.cli.progress import Progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="send news files or feeds to the raw topic",
                       description="Send JSONL(.gz), CSV or RSS/Atom (file or URL) to news.raw. "
                       "--speed paces by event time (e.g. 3600 = an hour of news per second).")
    p.add_argument("inputs", nargs="*", help="files or feed URLs (default: the bundled sample)")
    p.add_argument("--speed", type=float, help="event-time speed factor (default: as fast as "
                   "possible)")
    p.add_argument("--limit", type=int, help="send at most this many records")
    p.add_argument("--topic", help="target topic (default news.raw)")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from newsrisk.ingest.producer import produce
    from newsrisk.ingest.sources import bundled_sample, read_source
    from newsrisk.streams.security import kafka_python_kwargs

    settings = settings_from(args)
    inputs = args.inputs or [str(bundled_sample())]
    total_sent = total_failed = 0
    for spec in inputs:
        try:
            payloads = read_source(spec)
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        with Progress(f"ingest {spec}", "rec") as bar:
            try:
                rep = produce(payloads, args.topic or settings.topic_raw,
                              kafka_python_kwargs(settings), speed=args.speed, limit=args.limit,
                              progress=bar.update)
            except RuntimeError as exc:
                raise CommandError(f"{exc}; is the broker at {settings.broker} up?") from exc
        total_sent += rep.sent
        total_failed += rep.failed
    print(f"sent {total_sent} records, {total_failed} failed")
    return 1 if total_failed else 0
