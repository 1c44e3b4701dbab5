"""``newsrisk worker``: run a stream worker (scale out by starting more with the same app id)."""

from __future__ import annotations

import argparse

from newsrisk.cli.main import CommandError
from newsrisk.cli.options import add_common, settings_from


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("worker", help="run a stream worker against a Kafka broker",
                       description="Consume news.raw, score, aggregate, detect and alert. Start "
                       "several with the same --app-id to share the partitions.")
    add_common(p)
    p.add_argument("--app-id", help="consumer group / app id (default newsrisk)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from newsrisk.streams.broker import BrokerError, wait_for_kafka
    from newsrisk.streams.runner import run_worker

    settings = settings_from(args, app_id=args.app_id)
    try:
        wait_for_kafka(settings.bootstrap_servers, timeout_s=30)
    except BrokerError as exc:
        raise CommandError(f"{exc}; start one with `newsrisk broker` or set --broker") from exc
    run_worker(settings)
    return 0
