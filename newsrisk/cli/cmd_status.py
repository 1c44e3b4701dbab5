"""``newsrisk status``: broker topics and offsets, stored counts, latest alerts."""

from __future__ import annotations

import argparse
import json

from newsrisk.cli.main import CommandError
from newsrisk.cli.options import add_common, settings_from


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="show topics, stored counts and the latest alerts")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--alerts", type=int, default=5, help="latest alerts to show")
    add_common(p)
    p.set_defaults(func=run)


def _topics(settings) -> dict[str, int] | str:  # type: ignore[no-untyped-def]
    from kafka import KafkaConsumer, TopicPartition

    from newsrisk.streams.security import kafka_python_kwargs

    try:
        consumer = KafkaConsumer(request_timeout_ms=5000, **kafka_python_kwargs(settings))
        names = [settings.topic_raw, settings.topic_scored, settings.topic_windows,
                 settings.topic_alerts, settings.topic_deadletter]
        out: dict[str, int] = {}
        existing = consumer.topics()
        for name in names:
            if name not in existing:
                continue
            parts = consumer.partitions_for_topic(name) or set()
            ends = consumer.end_offsets([TopicPartition(name, p) for p in parts])
            out[name] = int(sum(ends.values()))
        consumer.close()
        return out
    except Exception as exc:  # noqa: BLE001 - status reports what it can
        return f"unreachable ({exc.__class__.__name__}: {exc})"


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from newsrisk.storage.store import Store

    settings = settings_from(args)
    try:
        store = Store(settings.database_url, max_retries=1)
        counts = store.counts()
        alerts = store.alerts(limit=args.alerts)
    except SQLAlchemyError as exc:
        raise CommandError(f"cannot read {settings.database_url}: {exc.__class__.__name__}; "
                           "check --database-url") from exc
    topics = _topics(settings)
    if args.json:
        print(json.dumps({"broker": settings.broker, "topics": topics, "stored": counts,
                          "alerts": alerts}, indent=2, default=str))
        return 0
    print(f"broker   {settings.broker}")
    if isinstance(topics, str):
        print(f"topics   {topics}")
    else:
        for name, n in topics.items():
            print(f"  {name:<20} {n:>10} records (end offsets; approximate on Tansu)")
    print(f"database {settings.database_url.split('@')[-1]}")
    for k, v in counts.items():
        print(f"  {k:<20} {v:>10}")
    for a in alerts:
        print(f"* {a['summary']}")
    return 0
