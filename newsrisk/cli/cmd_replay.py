"""``newsrisk replay``: re-read a topic (from a time or offsets) or an archive into a topic or the
in-process pipeline."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import Any

from newsrisk.cli.main import CommandError
from newsrisk.cli.options import add_common, settings_from
from newsrisk.cli.progress import Progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay", help="re-read a topic or an archive into a topic or the in-process pipeline",
        description="Source: --topic on --broker from --from-time (by record timestamp) or "
        "--from-offset/--to-offset (per partition), or --archive FILE (JSONL(.gz), stocknet "
        "lines converted). Target: --to-topic (produced, paced by --speed in event time) or "
        "--pipeline (the same core as the worker, in process; with --database-url the results "
        "are stored there).",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--topic", help="source topic")
    src.add_argument("--archive", help="source JSONL(.gz) archive")
    p.add_argument("--from-time", help="start at the first record at/after this ISO 8601 time "
                   "(record timestamp for a topic, published_at for an archive)")
    p.add_argument("--to-time", help="archive only: stop before this published_at")
    p.add_argument("--from-offset", type=int, help="topic: first offset of every partition")
    p.add_argument("--to-offset", type=int, help="topic: stop before this offset")
    dst = p.add_mutually_exclusive_group(required=True)
    dst.add_argument("--to-topic", help="produce the records to this topic")
    dst.add_argument("--pipeline", action="store_true", help="run the in-process pipeline")
    p.add_argument("--speed", type=float, help="event-time speed factor, > 0 (default: as fast "
                   "as possible)")
    p.add_argument("--json", dest="json_path", help="--pipeline: write the summary here")
    add_common(p)
    p.set_defaults(func=run)


def _time(value: str | None, flag: str) -> Any:
    from newsrisk.records import parse_time

    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise CommandError(f"{flag} {value!r} is not ISO 8601; e.g. 2015-10-01T00:00Z") from exc


def run(args: argparse.Namespace) -> int:
    from kafka.errors import KafkaError

    from newsrisk.replay.seek import TopicNotFound

    settings = settings_from(args)
    from_time = _time(args.from_time, "--from-time")
    if args.topic and args.to_time:
        raise CommandError("--to-time works with --archive; use --to-offset for a topic")
    if args.archive and (args.from_offset is not None or args.to_offset is not None):
        raise CommandError("--from-offset/--to-offset work with --topic; use --from-time")
    if args.speed is not None and not args.speed > 0:
        raise CommandError(f"--speed {args.speed:g} must be > 0 (leave it out for full speed)")
    if args.json_path and not args.pipeline:
        raise CommandError("--json works with --pipeline (the summary it writes)")
    try:
        return _run(args, settings, from_time)
    except KafkaError as exc:
        raise CommandError(f"Kafka error: {exc}; is the broker at {settings.broker} up?") from exc
    except (TopicNotFound, FileNotFoundError) as exc:
        raise CommandError(f"{exc}; check --topic/--archive") from exc
    except TimeoutError as exc:
        raise CommandError(f"{exc}; is the broker at {settings.broker} up?") from exc


def _run(args: argparse.Namespace, settings: Any, from_time: Any) -> int:
    from newsrisk.replay.source import plan, read_archive, read_topic
    from newsrisk.streams.security import kafka_python_kwargs

    consumer = None
    total: int | None = None
    items: Iterator[Any]
    if args.topic:
        from kafka import KafkaConsumer

        consumer = KafkaConsumer(enable_auto_commit=False, fetch_max_wait_ms=100,
                                 **kafka_python_kwargs(settings))
        ranges = plan(consumer, args.topic, from_time, args.from_offset, args.to_offset)
        total = sum(r.size for r in ranges)
        print("replaying " + ", ".join(f"[{r.partition}] {r.start}..{r.end}" for r in ranges))
        items = read_topic(consumer, args.topic, ranges)
    else:
        items = read_archive(args.archive, from_time, _time(args.to_time, "--to-time"))
    try:
        with Progress("replay", "rec", total=total) as bar:
            if args.to_topic:
                return _to_topic(items, args, settings, bar)
            return _to_pipeline(items, args, settings, bar)
    finally:
        if consumer is not None:
            consumer.close()


def _to_topic(items: Iterator[Any], args: argparse.Namespace, settings: Any, bar: Progress) -> int:
    from newsrisk.ingest.producer import produce
    from newsrisk.streams.security import kafka_python_kwargs

    try:
        rep = produce((i.payload for i in items), args.to_topic, kafka_python_kwargs(settings),
                      speed=args.speed, progress=bar.update)
    except RuntimeError as exc:
        raise CommandError(f"{exc}; is the broker at {settings.broker} up?") from exc
    bar.close()
    print(f"replayed {rep.sent} records to {args.to_topic}, {rep.failed} failed")
    return 1 if rep.failed else 0


def _to_pipeline(items: Iterator[Any], args: argparse.Namespace, settings: Any,
                 bar: Progress) -> int:
    from newsrisk.core.pipeline import Pipeline
    from newsrisk.replay.pacing import paced

    pipe = Pipeline(settings)
    if args.database_url:
        from newsrisk.storage.store import Store

        store = Store(settings.database_url)
        pipe.listeners.append(lambda r: store.write(r.scored, r.windows, r.alerts, r.deadletters))
    pipe.run(paced(items, args.speed), flush=True, progress=bar.update)
    bar.close()
    summary = pipe.summary.to_dict()
    print(json.dumps(summary, indent=2))
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=2)
    return 0
