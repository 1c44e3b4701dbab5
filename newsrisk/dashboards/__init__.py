"""Grafana dashboards as code (grafana-foundation-sdk), rendered to JSON for file provisioning.

``render_all()`` gives ``{file name: JSON text}``; ``newsrisk dashboards export DIR`` writes them
(the committed copies live in ``deploy/grafana/dashboards``).
"""

from newsrisk.dashboards.render import (
    CONDITIONAL_QUERIES,
    DASHBOARDS,
    export,
    render,
    render_all,
    stale_files,
)

__all__ = ["CONDITIONAL_QUERIES", "DASHBOARDS", "export", "render", "render_all", "stale_files"]
