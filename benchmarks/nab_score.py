"""Print the NAB (standard profile) score of the default detector on NAB realTweets.

    python benchmarks/nab_score.py [--data ../shared/data/anomaly/nab/realTweets] [--out DIR]

Equivalent to ``newsrisk nab --data ../shared/data/anomaly/nab/realTweets --out DIR --score``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from newsrisk.cli.main import main as newsrisk_main

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "anomaly" / "nab" / "realTweets"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=None, help="results folder (default: temporary)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        return newsrisk_main(["nab", "--data", str(args.data), "--out", str(out), "--score"])


if __name__ == "__main__":
    sys.exit(main())
