"""Drill-down: a topic or entity, its windows against the baseline, the articles behind a spike.

Alert rules link here with ``/d/newsrisk-drilldown?var-key_kind=…&var-key=…``.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.models.dashboard import VariableOption

from newsrisk.dashboards.common import (
    ALERT_LEVEL_MAPPING,
    GREEN_RED,
    TAGS,
    UID_DRILLDOWN,
    UID_OVERVIEW,
    api_url_variable,
    datasource_variable,
    link,
    query_variable,
    row,
    stat,
    table,
    target,
    thresholds,
    timeseries,
)

SEL = 'key_kind="$key_kind", key="$key", window="$window"'


def _key_kind_variable() -> gd.CustomVariable:
    return (
        gd.CustomVariable("key_kind").label("Kind").values("topic,entity")
        .current(VariableOption(selected=True, text="topic", value="topic"))
    )


def _gauge(metric: str) -> str:
    return f"max({metric}{{{SEL}}})"


def build() -> gd.Dashboard:
    evidence = table(
        "Articles behind the latest alert",
        "Top evidence articles of the key's open alert (rank 1..3, from the worker). Click the "
        "alert for all its articles and the explanation in the newsrisk API.",
        target('max by (alert_id, rank, title, window) (newsrisk_alert_evidence_info'
               '{key_kind="$key_kind", key="$key"})', instant=True, table=True),
        hide=["Time", "Value"],
        rename={"alert_id": "alert", "title": "article title"},
        links={"alert": [link("Alert ${__data.fields.alert_id} with all its articles",
                              "${api_url}/alerts/${__data.fields.alert_id}", new_tab=True)]},
    ).span(24).height(7)
    return (
        gd.Dashboard("newsrisk / Drill-down").uid(UID_DRILLDOWN).tags(TAGS)
        .description("One topic or entity: event-time windows against the detector's baseline, "
                     "anomaly score, alert state and the articles behind a spike.")
        .time("now-7d", "now").refresh("1m").timezone("browser")
        .with_variable(datasource_variable())
        .with_variable(_key_kind_variable())
        .with_variable(query_variable(
            "key", "Topic / entity",
            'label_values(newsrisk_window_articles{key_kind="$key_kind"}, key)'))
        .with_variable(query_variable(
            "window", "Window",
            'label_values(newsrisk_window_articles{key_kind="$key_kind", key="$key"}, window)',
            current="1h"))
        .with_variable(api_url_variable())
        .link(link("Overview", f"/d/{UID_OVERVIEW}").keep_time(True))
        .link(link("Entity in the API", "${api_url}/entities/${key}", new_tab=True))
        .link(link("Topics in the API", "${api_url}/topics", new_tab=True))
        .with_row(row("Last closed $window window of $key_kind $key"))
        .with_panel(stat("Articles", "Articles in the last closed window.",
                         target(_gauge("newsrisk_window_articles"))).span(4).height(4))
        .with_panel(stat("Negative", "Negative articles in the last closed window.",
                         target(_gauge("newsrisk_window_negative_articles"))).span(4).height(4))
        .with_panel(stat("Expected negative", "Negatives the baseline expected in the window.",
                         target(_gauge("newsrisk_window_expected_negative_articles")))
                    .decimals(1).span(4).height(4))
        .with_panel(stat("Negative share", "Share of negative articles in the window.",
                         target(_gauge("newsrisk_window_negative_ratio")), unit="percentunit")
                    .span(4).height(4))
        .with_panel(stat("Anomaly score", "Detector anomaly score (0..1; warning 0.6, "
                         "critical 0.75 by default).",
                         target(_gauge("newsrisk_anomaly_score")), unit="percentunit",
                         steps=GREEN_RED).span(4).height(4))
        .with_panel(stat("Alert", "Alert state the detector holds for the key.",
                         target(_gauge("newsrisk_alert_level")),
                         steps=thresholds((None, "green"), (1, "orange"), (2, "red")),
                         mappings=ALERT_LEVEL_MAPPING).span(4).height(4))
        .with_row(row("Windows against baseline"))
        .with_panel(timeseries(
            "Negative articles vs baseline",
            "Negative articles per closed window and the number the baseline expected.",
            target(_gauge("newsrisk_window_negative_articles"), "negative"),
            target(_gauge("newsrisk_window_expected_negative_articles"), "expected (baseline)",
                   ref="B"),
            target(_gauge("newsrisk_window_articles"), "all articles", ref="C"),
        ).span(12).height(9))
        .with_panel(timeseries(
            "Anomaly score and alert level",
            "Anomaly score of each closed window (left) and the alert level 0/1/2.",
            target(_gauge("newsrisk_anomaly_score"), "anomaly score"),
            target(_gauge("newsrisk_alert_level") + " / 2", "alert level / 2", ref="B"),
            unit="percentunit").min(0).max(1).thresholds(GREEN_RED).span(12).height(9))
        .with_panel(timeseries(
            "Negative share and mean sentiment",
            "Negative share (0..1) and mean signed sentiment P(pos)-P(neg) (-1..1) per window.",
            target(_gauge("newsrisk_window_negative_ratio"), "negative share"),
            target(_gauge("newsrisk_window_mean_sentiment"), "mean sentiment", ref="B"),
        ).min(-1).max(1).span(24).height(8))
        .with_row(row("Articles behind the spike"))
        .with_panel(evidence)
    )
