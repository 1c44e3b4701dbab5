"""Small value types the dashboards share: Prometheus annotations and conditional queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grafana_foundation_sdk.builders import dashboard as gd

from newsrisk.dashboards.common import DATASOURCE


@dataclass(frozen=True, slots=True)
class Annotation:
    """A Prometheus annotation. ``conditional`` says when (only) it returns series, if it may
    legitimately return none; the dashboard test checks such queries separately."""

    name: str
    expr: str
    title: str
    tags: tuple[str, ...]
    color: str
    conditional: str = ""
    step: str = "60s"

    def builder(self) -> gd.AnnotationQuery:
        return (
            gd.AnnotationQuery().name(self.name).datasource(DATASOURCE).enable(True)
            .icon_color(self.color).expr(self.expr)
        )

    def extras(self) -> dict[str, Any]:
        """Prometheus-annotation fields the SDK does not model."""
        return {
            "step": self.step, "titleFormat": self.title, "tagKeys": ",".join(self.tags),
            "textFormat": "", "useValueForTime": False,
        }
