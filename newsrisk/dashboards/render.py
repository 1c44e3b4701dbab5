"""Render the dashboard builders to stable, provisioning-ready JSON and compare with a directory."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.cog.encoder import JSONEncoder

from newsrisk.dashboards import drilldown, overview, pipeline
from newsrisk.dashboards.spec import Annotation

# file name -> (builder, Prometheus annotations in the order the builder adds them)
DASHBOARDS: dict[str, tuple[Callable[[], gd.Dashboard], tuple[Annotation, ...]]] = {
    "newsrisk-overview.json": (overview.build, (overview.SPIKE_ANNOTATION,)),
    "newsrisk-drilldown.json": (drilldown.build, ()),
    "newsrisk-pipeline.json": (pipeline.build, ()),
}

# Queries that return series only while something happens (expr -> when); tested separately.
CONDITIONAL_QUERIES: dict[str, str] = {
    a.expr: a.conditional for _, anns in DASHBOARDS.values() for a in anns if a.conditional
}


def render(name: str) -> dict[str, Any]:
    """The dashboard ``name`` (a key of ``DASHBOARDS``) as a JSON-ready dict."""
    build, annotations = DASHBOARDS[name]
    data: dict[str, Any] = json.loads(json.dumps(build().build(), cls=JSONEncoder))
    next_id = 1
    for panel in data.get("panels", []):
        panel["id"] = next_id
        next_id += 1
        for inner in panel.get("panels", []):
            inner["id"] = next_id
            next_id += 1
    for var in data.get("templating", {}).get("list", []):
        var.pop("id", None)  # the SDK's all-zero placeholder; Grafana keys variables by name
    listed = data.setdefault("annotations", {}).setdefault("list", [])
    for entry, ann in zip(listed, annotations, strict=True):
        entry.update(ann.extras())
    return data


def render_all() -> dict[str, str]:
    """``{file name: JSON text}`` of every dashboard, formatted as committed."""
    return {name: json.dumps(render(name), indent=2, sort_keys=True) + "\n" for name in DASHBOARDS}


def export(directory: str | Path) -> list[Path]:
    """Write every dashboard's JSON into ``directory`` (created if needed)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_all().items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_files(directory: str | Path) -> list[str]:
    """Names of dashboards whose JSON in ``directory`` is missing or differs from the code."""
    out = Path(directory)
    stale = []
    for name, text in render_all().items():
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale
