"""Rerun: python benchmarks/pipeline_bench.py [--json FILE] (same as `newsrisk bench`)."""

import sys

from newsrisk.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
