"""``newsrisk dashboards``: render the Grafana dashboards (as code) to JSON."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsrisk.cli.main import CommandError

DEFAULT_DIR = "deploy/grafana/dashboards"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dashboards", help="export the Grafana dashboards as JSON",
                       description="Grafana dashboards are generated from Python "
                       "(newsrisk.dashboards); export writes their JSON for file provisioning.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    exp = actions.add_parser("export", help="write the dashboard JSON files into DIR",
                             description="Write newsrisk-{overview,drilldown,pipeline}.json into "
                             "DIR. With --check, write nothing and fail if DIR is stale.")
    exp.add_argument("dir", metavar="DIR", nargs="?", default=DEFAULT_DIR,
                     help=f"output directory (default {DEFAULT_DIR})")
    exp.add_argument("--check", action="store_true",
                     help="exit 1 if the JSON in DIR differs from what the code generates")
    exp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from newsrisk.dashboards import export, stale_files

    out = Path(args.dir)
    if args.check:
        stale = stale_files(out)
        if stale:
            raise CommandError(f"stale dashboards in {out}: {', '.join(stale)}; "
                               f"run `newsrisk dashboards export {out}`")
        print(f"dashboards in {out} are up to date")
        return 0
    if out.exists() and not out.is_dir():
        raise CommandError(f"{out} is not a directory; pass a directory to write into")
    for path in export(out):
        print(path)
    return 0
