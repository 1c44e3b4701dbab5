"""Pipeline health: throughput, lag, latency, batches, inference, dead letters, model version."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as gd

from newsrisk.dashboards.common import (
    TAGS,
    UID_OVERVIEW,
    UID_PIPELINE,
    WORKER_JOB,
    datasource_variable,
    link,
    row,
    stat,
    table,
    target,
    thresholds,
    timeseries,
)

JOB = f'job="{WORKER_JOB}"'


def build() -> gd.Dashboard:
    model = table(
        "Model in use", "Classifier per worker: name, version and device (cpu / cuda).",
        target("max by (instance, name, version, device) (newsrisk_model_info)",
               instant=True, table=True),
        hide=["Time", "Value"], rename={},
    ).span(12).height(6)
    return (
        gd.Dashboard("newsrisk / Pipeline health").uid(UID_PIPELINE).tags(TAGS)
        .description("Workers: throughput, consumer lag, latency, classifier batches and "
                     "inference time, dead letters and the model in use.")
        .time("now-6h", "now").refresh("30s").timezone("browser")
        .with_variable(datasource_variable())
        .link(link("Overview", f"/d/{UID_OVERVIEW}").keep_time(True))
        .with_row(row("Workers"))
        .with_panel(stat("Workers up", "Worker targets Prometheus scrapes successfully.",
                         target(f"sum(up{{{JOB}}}) or vector(0)"),
                         steps=thresholds((None, "red"), (1, "green"))).span(4).height(6))
        .with_panel(stat("Consumer lag", "Messages on the input topic not yet consumed.",
                         target(f"sum(job:newsrisk_consumer_lag_messages:sum{{{JOB}}})"),
                         steps=thresholds((None, "green"), (5000, "orange"))).span(4).height(6))
        .with_panel(stat("Event-time delay", "Wall clock minus the event-time watermark: how "
                         "far behind the news the windows are (large during a replay).",
                         target("time() - max(newsrisk_event_time_watermark_seconds)"),
                         unit="s").span(4).height(6))
        .with_panel(model)
        .with_row(row("Throughput"))
        .with_panel(timeseries(
            "Records / s", "Records consumed, scored, dropped as duplicates and dead-lettered.",
            target(f"job:newsrisk_articles_received:rate5m{{{JOB}}}", "received"),
            target(f"job:newsrisk_articles_scored:rate5m{{{JOB}}}", "scored", ref="B"),
            target(f"job:newsrisk_articles_duplicate:rate5m{{{JOB}}}", "duplicate", ref="C"),
            target(f"job:newsrisk_articles_deadlettered:rate5m{{{JOB}}}", "dead-lettered",
                   ref="D"),
            unit="reqps").span(12).height(8))
        .with_panel(timeseries(
            "Consumer lag", "Messages waiting on the input topic, per worker and in all.",
            target(f"job:newsrisk_consumer_lag_messages:sum{{{JOB}}}", "all workers"),
            target(f"max by (instance) (newsrisk_consumer_lag_messages{{{JOB}}})",
                   "{{instance}}", ref="B"),
        ).span(12).height(8))
        .with_row(row("Latency and classifier"))
        .with_panel(timeseries(
            "End-to-end latency p50 / p99",
            "ingested_to_scored: time from ingestion to scoring; published_to_scored also "
            "counts the delay of the source (large during a replay).",
            target("span_quantile:newsrisk_article_latency_seconds:histogram_quantile",
                   "{{span}} p{{quantile}}"),
            unit="s").span(12).height(8))
        .with_panel(timeseries(
            "Inference time per batch p50 / p99", "Wall time of one classifier batch.",
            target("quantile:newsrisk_classifier_inference_duration_seconds:histogram_quantile",
                   "p{{quantile}}"),
            unit="s").span(12).height(8))
        .with_panel(timeseries(
            "Batch size", "Mean articles per classifier batch, and p50 / p99.",
            target(f"job:newsrisk_classifier_batch_articles:mean_rate5m{{{JOB}}}", "mean"),
            target("histogram_quantile(0.5, sum by (le) "
                   "(rate(newsrisk_classifier_batch_articles_bucket[$__rate_interval])))",
                   "p50", ref="B"),
            target("histogram_quantile(0.99, sum by (le) "
                   "(rate(newsrisk_classifier_batch_articles_bucket[$__rate_interval])))",
                   "p99", ref="C"),
        ).span(12).height(8))
        .with_panel(timeseries(
            "Windows closed / s", "Event-time windows closed, by window and key kind.",
            target("sum by (window, key_kind) "
                   "(rate(newsrisk_windows_closed_total[$__rate_interval]))",
                   "{{key_kind}} {{window}}"),
            unit="reqps").span(12).height(8))
        .with_row(row("Dead letters and errors"))
        .with_panel(timeseries(
            "Dead letters / s by reason", "Records sent to the dead-letter topic, by reason.",
            target(f"job_reason:newsrisk_articles_deadlettered:rate5m{{{JOB}}}", "{{reason}}"),
            unit="reqps", stacked=True).span(8).height(8))
        .with_panel(table(
            "Dead letters by reason (range)", "Dead letters in the dashboard's time range.",
            target("sort_desc(sum by (reason) "
                   "(increase(newsrisk_articles_deadlettered_total[$__range])))",
                   instant=True, table=True),
            hide=["Time"], rename={"Value": "dead letters"}, sort_by="dead letters",
        ).span(8).height(8))
        .with_panel(timeseries(
            "Duplicates and DB write errors / s",
            "Duplicates dropped by match kind; failed (retried) database writes by table.",
            target("sum by (reason) (rate(newsrisk_articles_duplicate_total[$__rate_interval]))",
                   "duplicate {{reason}}"),
            target("sum by (table) (rate(newsrisk_sink_write_errors_total[$__rate_interval])) "
                   'or label_replace(vector(0), "table", "none", "", "")',
                   "write errors {{table}}", ref="B"),
            unit="reqps").span(8).height(8))
    )
