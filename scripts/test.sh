#!/usr/bin/env bash
# The test suite: lint, then unit and integration tests (real broker, Prometheus, PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${VIRTUAL_ENV:-}" ] || . .venv/bin/activate
ruff check newsrisk tests benchmarks scripts
python -m pytest -q -p no:cacheprovider "$@"
