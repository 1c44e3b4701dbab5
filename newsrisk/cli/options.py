"""Options shared by several subcommands, mapped onto ``Settings``."""

from __future__ import annotations

import argparse

from newsrisk.config import Settings, load_settings


def add_common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("settings (also NEWSRISK_<NAME> env vars or --config FILE)")
    g.add_argument("--config", help="JSON or YAML settings file")
    g.add_argument("--broker", help="Kafka bootstrap, e.g. kafka://127.0.0.1:9092")
    g.add_argument("--database-url", help="SQLAlchemy URL (default sqlite:///newsrisk.db)")
    g.add_argument("--model", help="classifier: local dir or Hugging Face id (default: shipped)")
    g.add_argument("--device", choices=["cpu", "cuda"], help="classifier device (default: auto)")
    g.add_argument("--windows", help="event-time windows, e.g. '5m:5m,1h:15m' (size:step)")
    g.add_argument("--metrics-port", type=int, help="Prometheus exporter port (default 9108)")
    g.add_argument("--partitions", type=int, help="partitions of the topics it creates")
    g.add_argument("--max-batch", type=int, help="classifier batch size (default 64)")


FLAGS = ("broker", "database_url", "model", "device", "windows", "metrics_port", "partitions",
         "max_batch")


def settings_from(args: argparse.Namespace, **extra: object) -> Settings:
    """Settings from --config/env, then CLI flags, then ``extra`` (set by the command itself)."""
    values = {k: getattr(args, k, None) for k in FLAGS}
    values.update({k: v for k, v in extra.items() if v is not None})
    try:
        return load_settings(getattr(args, "config", None), **values)
    except (ValueError, FileNotFoundError) as exc:
        from newsrisk.cli.main import CommandError

        raise CommandError(f"bad settings: {exc}") from exc
