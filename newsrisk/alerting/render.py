"""Render deploy/ configs for another place: webhook base URL, timings, `for:` durations.

The committed Alertmanager config sends every receiver to ``<base>/<receiver name>`` with a
default base of ``http://localhost:9095``; :func:`render_alertmanager_config` rewrites that base
(and makes template paths absolute so the copy can live anywhere). Tests and benchmarks also
shorten Alertmanager's grouping timings and the rules' ``for:`` durations.

    python -m newsrisk.alerting.render alertmanager --webhook-base-url https://hooks.example.com/nr
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy"
ALERTMANAGER_CONFIG = DEPLOY_DIR / "alertmanager" / "alertmanager.yml"
PROMETHEUS_CONFIG = DEPLOY_DIR / "prometheus" / "prometheus.yml"
RULES_DIR = DEPLOY_DIR / "prometheus" / "rules"
RULE_FILES = (RULES_DIR / "newsrisk-recording.yml", RULES_DIR / "newsrisk-alerts.yml")
ROUTE_TIMINGS = ("group_wait", "group_interval", "repeat_interval")


def load_yaml(path: str | Path) -> dict[str, Any]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a YAML mapping")
    return data


def write_yaml(data: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _routes(route: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield route
    for child in route.get("routes", []) or []:
        yield from _routes(child)


def render_alertmanager_config(
    webhook_base_url: str,
    source: str | Path = ALERTMANAGER_CONFIG,
    *,
    group_wait: str | None = None,
    group_interval: str | None = None,
    repeat_interval: str | None = None,
) -> dict[str, Any]:
    """The Alertmanager config at ``source`` with webhooks at ``<webhook_base_url>/<receiver>``.

    A timing given here replaces that timing on the root route and on every route setting it.
    """
    source = Path(source)
    config = load_yaml(source)
    base = webhook_base_url.rstrip("/")
    for receiver in config.get("receivers", []):
        for hook in receiver.get("webhook_configs", []) or []:
            hook["url"] = f"{base}/{receiver['name']}"
    config["templates"] = [str((source.parent / t).resolve()) for t in config.get("templates", [])]
    overrides = {
        "group_wait": group_wait, "group_interval": group_interval,
        "repeat_interval": repeat_interval,
    }
    for name, value in overrides.items():
        if value is None:
            continue
        for i, route in enumerate(_routes(config["route"])):
            if i == 0 or name in route:
                route[name] = value
    return config


def render_rule_file(source: str | Path, *, for_: str | None = None) -> dict[str, Any]:
    """The rule file at ``source``, with every alert's ``for:`` set to ``for_`` when given."""
    rules = load_yaml(source)
    if for_ is not None:
        for group in rules.get("groups", []):
            for rule in group.get("rules", []):
                if "alert" in rule:
                    rule["for"] = for_
    return rules


def render_rule_files(
    dest_dir: str | Path, *, for_: str | None = None, sources: tuple[Path, ...] = RULE_FILES
) -> list[Path]:
    """Write rendered copies of ``sources`` into ``dest_dir``; their paths."""
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    return [write_yaml(render_rule_file(s, for_=for_), dest / Path(s).name) for s in sources]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsrisk.alerting.render",
        description="Render newsrisk's Alertmanager config for a given webhook base URL.",
    )
    sub = parser.add_subparsers(dest="what", required=True)
    am = sub.add_parser("alertmanager", help="render deploy/alertmanager/alertmanager.yml")
    am.add_argument("--webhook-base-url", required=True, help="receivers get <base>/<name>")
    am.add_argument("--source", type=Path, default=ALERTMANAGER_CONFIG)
    am.add_argument("-o", "--output", type=Path, help="file to write (default stdout)")
    for name in ROUTE_TIMINGS:
        am.add_argument(f"--{name.replace('_', '-')}", help=f"override {name} on every route")
    args = parser.parse_args(argv)
    try:
        config = render_alertmanager_config(
            args.webhook_base_url, args.source, group_wait=args.group_wait,
            group_interval=args.group_interval, repeat_interval=args.repeat_interval,
        )
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.output:
        write_yaml(config, args.output)
    else:
        sys.stdout.write(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
