"""``newsrisk broker``: start the embedded Kafka-compatible broker (Tansu) on loopback."""

from __future__ import annotations

import argparse
import signal
import sys

from newsrisk.cli.main import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("broker", help="start the embedded Kafka-compatible broker",
                       description="Start Tansu (memory storage by default: data is lost when it "
                       "stops; use --storage s3://BUCKET/ with AWS_ENDPOINT, AWS_ACCESS_KEY_ID, "
                       "AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION (and AWS_ALLOW_HTTP=true for http) "
                       "set to keep it in an S3-compatible store).")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default loopback)")
    p.add_argument("--port", type=int, default=9092)
    p.add_argument("--storage", default="memory://tansu/", help="Tansu storage engine URL")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from newsrisk.streams.broker import BrokerError, start_broker

    try:
        broker = start_broker(args.host, args.port, args.storage)
    except BrokerError as exc:
        raise CommandError(f"{exc}; is port {args.port} already in use?") from exc
    print(f"broker ready at {broker.url} (storage {args.storage}); Ctrl-C stops it", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        broker.process.wait()
    finally:
        broker.stop()
    return 0 if broker.process.returncode in (0, -15) else 1
