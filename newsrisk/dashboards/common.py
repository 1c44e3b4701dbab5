"""Shared pieces of the newsrisk dashboards: datasource, variables, panel and query helpers.

Every dashboard reads one Prometheus datasource through the ``datasource`` template variable, so
the JSON imports into any Grafana; the provisioned datasource (``deploy/grafana/provisioning``)
is the default. Queries prefer the recording rules of ``deploy/prometheus/rules``.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.builders import prometheus as gp
from grafana_foundation_sdk.builders import stat as st
from grafana_foundation_sdk.builders import table as tb
from grafana_foundation_sdk.builders import timeseries as ts
from grafana_foundation_sdk.builders.common import (
    ReduceDataOptions,
    StackingConfig,
    TableSortByFieldState,
    VizLegendOptions,
)
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models.dashboard import (
    DataSourceRef,
    DataTransformerConfig,
    DynamicConfigValue,
    Threshold,
    ThresholdsMode,
    ValueMap,
    ValueMappingResult,
    VariableHide,
    VariableOption,
    VariableRefresh,
    VariableSort,
)

DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
WORKER_JOB = "newsrisk-worker"
API_URL_DEFAULT = "http://localhost:6066"
TAGS = ["newsrisk"]
UID_OVERVIEW = "newsrisk-overview"
UID_DRILLDOWN = "newsrisk-drilldown"
UID_PIPELINE = "newsrisk-pipeline"
DRILLDOWN_URL = f"/d/{UID_DRILLDOWN}"


# --- variables ---------------------------------------------------------------------------------
def datasource_variable() -> gd.DatasourceVariable:
    return gd.DatasourceVariable("datasource").label("Prometheus").type("prometheus")


def query_variable(name: str, label: str, query: str, *, current: str | None = None,
                   include_all: bool = False) -> gd.QueryVariable:
    var = (
        gd.QueryVariable(name).label(label).datasource(DATASOURCE)
        .query({"query": query, "refId": f"{name}-var"})
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED).sort(VariableSort.ALPHABETICAL_ASC)
        .include_all(include_all)
    )
    if current is not None:
        var = var.current(VariableOption(selected=True, text=current, value=current))
    return var


def api_url_variable() -> gd.TextBoxVariable:
    """Base URL of the worker's HTTP API (``/alerts``, ``/entities/{ticker}``, ``/topics``)."""
    return (
        gd.TextBoxVariable("api_url").label("newsrisk API").default_value(API_URL_DEFAULT)
        .description("Base URL of a newsrisk worker's HTTP API, as the browser reaches it.")
    )


def window_variable() -> gd.QueryVariable:
    return query_variable("window", "Window", "label_values(newsrisk_window_articles, window)",
                          current="1h")


def hidden(var: gd.QueryVariable) -> gd.QueryVariable:
    return var.hide(VariableHide.HIDE_VARIABLE)


# --- queries -----------------------------------------------------------------------------------
def target(expr: str, legend: str = "", *, ref: str = "A", instant: bool = False,
           table: bool = False) -> gp.Dataquery:
    q = gp.Dataquery().expr(expr).ref_id(ref).datasource(DATASOURCE)
    if legend:
        q = q.legend_format(legend)
    q = q.instant() if instant else q.range()
    if table:
        q = q.format(gp.prometheus.PromQueryFormat.TABLE)
    return q


# --- panels ------------------------------------------------------------------------------------
def link(title: str, url: str, *, new_tab: bool = False) -> gd.DashboardLink:
    return gd.DashboardLink(title).url(url).target_blank(new_tab)


def thresholds(*steps: tuple[float | None, str]) -> gd.ThresholdsConfig:
    return gd.ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE).steps(
        [Threshold(value=v, color=c) for v, c in steps]
    )


GREEN_RED = thresholds((None, "green"), (0.6, "orange"), (0.75, "red"))
ALERT_LEVEL_MAPPING = [ValueMap(options={
    "0": ValueMappingResult(text="none", color="green", index=0),
    "1": ValueMappingResult(text="warning", color="orange", index=1),
    "2": ValueMappingResult(text="critical", color="red", index=2),
})]


def timeseries(title: str, description: str, *targets: gp.Dataquery, unit: str = "short",
               stacked: bool = False, bars: bool = False) -> ts.Panel:
    panel = (
        ts.Panel().title(title).description(description).datasource(DATASOURCE).unit(unit)
        .line_width(1).fill_opacity(10 if not bars else 80).span_nulls(True)
        .legend(VizLegendOptions().display_mode(cm.LegendDisplayMode.TABLE)
                .placement(cm.LegendPlacement.RIGHT).show_legend(True)
                .calcs(["lastNotNull", "max"]))
    )
    if bars:
        panel = panel.draw_style(cm.GraphDrawStyle.BARS)
    if stacked:
        panel = panel.stacking(StackingConfig().mode(cm.StackingMode.NORMAL))
    for t in targets:
        panel = panel.with_target(t)
    return panel


def stat(title: str, description: str, tgt: gp.Dataquery, *, unit: str = "short",
         steps: gd.ThresholdsConfig | None = None,
         mappings: list[ValueMap] | None = None) -> st.Panel:
    panel = (
        st.Panel().title(title).description(description).datasource(DATASOURCE).unit(unit)
        .with_target(tgt).graph_mode(cm.BigValueGraphMode.AREA)
        .reduce_options(ReduceDataOptions().calcs(["lastNotNull"]))
    )
    if steps is not None:
        panel = panel.thresholds(steps)
    if mappings:
        panel = panel.mappings(mappings)
    return panel


def table(title: str, description: str, tgt: gp.Dataquery, *, hide: list[str],
          rename: dict[str, str], links: dict[str, list[gd.DashboardLink]] | None = None,
          sort_by: str | None = None) -> tb.Panel:
    """A table of an instant query, ``Time``/``Value``-like columns in ``hide`` removed."""
    organize = DataTransformerConfig(id_val="organize", options={
        "excludeByName": {name: True for name in hide},
        "renameByName": rename,
    })
    panel = (
        tb.Panel().title(title).description(description).datasource(DATASOURCE)
        .with_target(tgt).with_transformation(organize)
    )
    if sort_by:
        panel = panel.sort_by([TableSortByFieldState().display_name(sort_by).desc(True)])
    for field, field_links in (links or {}).items():
        panel = panel.override_by_name(field, [
            DynamicConfigValue(id_val="links", value=[lk.build() for lk in field_links]),
        ])
    return panel


def row(title: str) -> gd.Row:
    return gd.Row(title)
