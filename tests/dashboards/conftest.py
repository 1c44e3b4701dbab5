"""Fixtures of the dashboard tests: the dashboards' JSON and a live, scraped worker exporter."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dashboard_live as live_stack
import pytest

REPO = Path(__file__).resolve().parents[2]
DASHBOARD_DIR = REPO / "deploy" / "grafana" / "dashboards"
RULES = REPO / "deploy" / "prometheus" / "rules"


def require_binary(name: str) -> str:
    """Path of ``name``; skip without it, or fail when ``NEWSRISK_REQUIRE_BINARIES=1`` (CI)."""
    path = shutil.which(name)
    if path:
        return path
    reason = f"{name} not installed (apt-get install prometheus)"
    if os.environ.get("NEWSRISK_REQUIRE_BINARIES") == "1":
        pytest.fail(f"{reason}, and NEWSRISK_REQUIRE_BINARIES=1")
    pytest.skip(reason)


def load_dashboards() -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(DASHBOARD_DIR.glob("*.json"))}


@pytest.fixture(scope="session")
def live() -> Iterator[live_stack.LiveStack]:
    require_binary("prometheus")
    rules = [str(RULES / "newsrisk-recording.yml"), str(RULES / "newsrisk-alerts.yml")]
    yield from live_stack.start(rules)
