#!/usr/bin/env bash
# Creates .venv with the pinned CPU torch first (so nothing pulls the CUDA build), then newsrisk.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -d .venv ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q "torch==2.13.0"
python -m pip install -q -e ".[test]"
python -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"
