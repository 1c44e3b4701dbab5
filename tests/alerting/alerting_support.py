"""Helpers of the alerting tests: the repo's deploy/ paths and binary lookup.

Tests needing ``promtool``, ``amtool``, ``prometheus`` or ``prometheus-alertmanager`` skip when
the binary is missing, unless ``NEWSRISK_REQUIRE_BINARIES=1`` (set in CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
PROMETHEUS_DIR = DEPLOY / "prometheus"
ALERTMANAGER_DIR = DEPLOY / "alertmanager"
DATA = Path(__file__).resolve().parent / "data"
INSTALL = "apt-get install prometheus prometheus-alertmanager"


def require_binary(*names: str) -> str:
    """Path of the first of ``names`` on PATH; skip (or fail in CI) when none is."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    reason = f"{' / '.join(names)} not installed ({INSTALL})"
    if os.environ.get("NEWSRISK_REQUIRE_BINARIES") == "1":
        pytest.fail(f"{reason}, and NEWSRISK_REQUIRE_BINARIES=1")
    pytest.skip(reason)


def run_tool(
    *argv: str, cwd: Path | None = None, check: bool = True, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run a command, failing the test with its output when it exits non-zero."""
    proc = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        pytest.fail(
            f"{' '.join(argv)} exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc
