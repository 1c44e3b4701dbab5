"""Overview: negative share and volume per topic, spike annotations, top entities, latest alerts."""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge as bg
from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.models import common as cm

from newsrisk.dashboards.common import (
    DATASOURCE,
    DRILLDOWN_URL,
    GREEN_RED,
    TAGS,
    UID_DRILLDOWN,
    UID_OVERVIEW,
    UID_PIPELINE,
    WORKER_JOB,
    api_url_variable,
    datasource_variable,
    link,
    row,
    stat,
    table,
    target,
    thresholds,
    timeseries,
    window_variable,
)
from newsrisk.dashboards.spec import Annotation

SPIKE_ANNOTATION = Annotation(
    name="Negative-news spikes",
    expr='ALERTS{alertname="NewsriskNegativeSpike", alertstate="firing"}',
    title="{{severity}} spike: {{key_kind}} {{key}} ({{window}})",
    tags=("key_kind", "key", "window", "severity"),
    color="red",
    conditional="returns series only while a NewsriskNegativeSpike alert fires",
)
DRILL_FROM_KEY = f"{DRILLDOWN_URL}?var-key_kind=${{__data.fields.key_kind}}" \
    "&var-key=${__data.fields.key}&${__url_time_range}&${datasource:queryparam}"


def _top_by_score(key_kind: str, title: str) -> bg.Panel:
    expr = (f'topk(10, max by (key) (newsrisk_anomaly_score{{key_kind="{key_kind}",'
            f'window="$window"}}))')
    url = (f"{DRILLDOWN_URL}?var-key_kind={key_kind}&var-key=${{__field.labels.key}}"
           "&${__url_time_range}&${datasource:queryparam}")
    return (
        bg.Panel().title(title).datasource(DATASOURCE)
        .description(f"Detector anomaly score (0..1) of each {key_kind}'s last closed "
                     "event-time window; click a bar for the drill-down.")
        .with_target(target(expr, "{{key}}", instant=True))
        .min(0).max(1).unit("percentunit").thresholds(GREEN_RED)
        .display_mode(cm.BarGaugeDisplayMode.GRADIENT)
        .orientation(cm.VizOrientation.HORIZONTAL)
        .data_links([link("Drill down into ${__field.labels.key}", url)])
        .span(8).height(10)
    )


def build() -> gd.Dashboard:
    alerts_tbl = table(
        "Latest alerts (open)",
        "Alerts the worker's detector holds open, with their top evidence title. Links: the "
        "drill-down dashboard, and the alert with all its articles in the newsrisk API.",
        target('max by (key_kind, key, window, alert_id, title) '
               '(newsrisk_alert_evidence_info{rank="1"}) * on (key_kind, key, window) '
               'group_left() max by (key_kind, key, window) (newsrisk_alert_level)',
               instant=True, table=True),
        hide=["Time"],
        rename={"Value": "level", "title": "top article", "alert_id": "alert"},
        links={
            "key": [link("Drill down into ${__data.fields.key}", DRILL_FROM_KEY)],
            "alert": [link("Alert ${__data.fields.alert_id} in the API",
                           "${api_url}/alerts/${__data.fields.alert_id}", new_tab=True)],
        },
        sort_by="level",
    ).span(24).height(8)
    return (
        gd.Dashboard("newsrisk / Overview").uid(UID_OVERVIEW).tags(TAGS)
        .description("Negative news per topic and entity, spikes and the alerts they raised.")
        .time("now-24h", "now").refresh("30s").timezone("browser")
        .with_variable(datasource_variable()).with_variable(window_variable())
        .with_variable(api_url_variable())
        .link(link("Drill-down", f"/d/{UID_DRILLDOWN}").include_vars(False).keep_time(True))
        .link(link("Pipeline health", f"/d/{UID_PIPELINE}").keep_time(True))
        .link(link("Alerts API", "${api_url}/alerts", new_tab=True))
        .with_row(row("Now"))
        .with_panel(stat("Articles scored / min", "Articles classified per minute, all workers.",
                         target(f'sum(job:newsrisk_articles_scored:rate5m{{job="{WORKER_JOB}"}}) '
                                "* 60 or vector(0)")).span(6).height(4))
        .with_panel(stat("Open alerts", "Keys (topics, entities) with an open detector alert.",
                         target("count(max by (key_kind, key) (newsrisk_alert_level) >= 1) "
                                "or vector(0)"),
                         steps=thresholds((None, "green"), (1, "red"))).span(6).height(4))
        .with_panel(stat("Alerts raised (24h)", "Alerts raised by the detectors in 24 hours.",
                         target("sum(increase(newsrisk_alerts_total[24h])) or vector(0)"),
                         steps=thresholds((None, "green"), (1, "orange"))).span(6).height(4))
        .with_panel(stat("Workers up", "Workers Prometheus scrapes successfully.",
                         target(f'sum(up{{job="{WORKER_JOB}"}}) or vector(0)'),
                         steps=thresholds((None, "red"), (1, "green"))).span(6).height(4))
        .with_row(row("Topics"))
        .with_panel(timeseries(
            "Negative share per topic (5m)",
            "Share of negative articles among those scored in the last 5 minutes, per topic "
            "(arrival time). Red marks: spike alerts.",
            target("topic:newsrisk_negative_articles:ratio_rate5m", "{{topic}}"),
            unit="percentunit").min(0).max(1).span(12).height(9))
        .with_panel(timeseries(
            "Articles per topic / min (5m)", "Articles scored per minute, by primary topic.",
            target("topic:newsrisk_articles:rate5m * 60", "{{topic}}"),
            unit="short", stacked=True).span(12).height(9))
        .with_panel(timeseries(
            "Negative share per topic (last closed $window window)",
            "Share of negative articles in each topic's last closed event-time window.",
            target('max by (key) (newsrisk_window_negative_ratio{key_kind="topic",'
                   'window="$window"})', "{{key}}"),
            unit="percentunit").min(0).max(1).span(12).height(9))
        .with_panel(timeseries(
            "Negative articles per topic (last closed $window window)",
            "Negative articles in each topic's last closed event-time window.",
            target('max by (key) (newsrisk_window_negative_articles{key_kind="topic",'
                   'window="$window"})', "{{key}}"),
            unit="short").span(12).height(9))
        .with_row(row("Anomalies and alerts"))
        .with_panel(_top_by_score("entity", "Top entities by anomaly score ($window)"))
        .with_panel(_top_by_score("topic", "Top topics by anomaly score ($window)"))
        .with_panel(timeseries(
            "Alerts raised per hour", "Alerts raised by the detectors, by key kind and severity.",
            target("sum by (key_kind, severity) (job:newsrisk_alerts:increase1h)",
                   "{{key_kind}} {{severity}}"),
            bars=True).span(8).height(10))
        .with_panel(alerts_tbl)
        .annotation(SPIKE_ANNOTATION.builder())
    )
