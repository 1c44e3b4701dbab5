"""The ``newsrisk`` command: one entry point, one module per subcommand.

Each module ``newsrisk/cli/cmd_<name>.py`` exposes ``register(subparsers)``, which adds its parser
and sets ``func=run`` where ``run(args) -> int`` returns the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import newsrisk
from newsrisk.cli import __path__ as _cli_path


class CommandError(Exception):
    """A failure the user can act on; its message is printed as one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsrisk",
        description="Real-time financial news risk monitor: ingest news into Kafka, score it with "
        "transformer classifiers, aggregate negative sentiment per topic and entity, and alert "
        "on anomalous spikes.",
    )
    parser.add_argument("--version", action="version", version=f"newsrisk {newsrisk.__version__}")
    parser.add_argument(
        "--log-level", default="INFO", help="log level for structured logs (default INFO)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(_cli_path), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"newsrisk.cli.{info.name}")
            module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from newsrisk.logs import setup_logging

    setup_logging(args.log_level)
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"newsrisk {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"newsrisk {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # Run the package's module, not this ``__main__`` copy: the commands import CommandError from
    # ``newsrisk.cli.main``, and a second copy of the class would escape ``except`` as a traceback.
    from newsrisk.cli.main import main as package_main

    sys.exit(package_main())
