"""A live worker exporter fed with real data, scraped by a real Prometheus (for the dashboard test).

The in-process ``Pipeline`` (the worker's core) runs over ~300 records of the bundled stocknet
sample plus a few malformed lines, and every batch is carried into a ``PipelineMetrics`` on a
fresh registry served over HTTP, while Prometheus (with the repo's recording and alerting rules)
scrapes it every second. 300 records span ~31 hours of event time, so 1h and 1d windows close.

The detector needs a long warm-up (hundreds of windows) before it may alert, so this short
sample raises no alert by itself; one spike is added with ``newsrisk.alerting.simulate``, on the
entity with the highest real anomaly score and with real titles, so that the alert panels
(evidence, latest alerts, alerts raised) have series to show.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, start_http_server

from newsrisk.alerting.promstack import free_port, query, run_prometheus, wait_for_targets_up
from newsrisk.alerting.simulate import inject_spike
from newsrisk.config import Settings
from newsrisk.core.pipeline import Pipeline
from newsrisk.core.scoring import Incoming
from newsrisk.ingest.sources import bundled_sample, read_source
from newsrisk.metrics.exporter import PipelineMetrics
from newsrisk.metrics.observe import observe_result
from newsrisk.records import ScoredArticle

N_RECORDS = 300
MALFORMED = (b"{not json", b"[1, 2, 3]", b'{"schema_version": 1, "id": "x"}')
BATCH = 32


@dataclass(frozen=True)
class LiveStack:
    prometheus_url: str
    metrics: PipelineMetrics
    spike_key: str  # the entity carrying the injected spike
    window: str


def records() -> list[object]:
    """The first ``N_RECORDS`` sample lines with malformed ones mixed in (dead letters)."""
    sample: list[object] = list(itertools.islice(read_source(str(bundled_sample())), N_RECORDS))
    for i, bad in enumerate(MALFORMED):
        sample.insert(50 + 80 * i, bad)
    return sample


def feed(pipeline: Pipeline, metrics: PipelineMetrics) -> list[ScoredArticle]:
    scored: list[ScoredArticle] = []
    data = records()
    for start in range(0, len(data), BATCH):
        chunk = [Incoming(p) for p in data[start:start + BATCH]]
        result = pipeline.process_batch(chunk)
        observe_result(metrics, len(chunk), result)
        scored.extend(result.scored)
    return scored


def spike_on_top_entity(prom_url: str, metrics: PipelineMetrics,
                        scored: list[ScoredArticle]) -> tuple[str, str]:
    top = query(prom_url, 'topk(1, newsrisk_anomaly_score{key_kind="entity", window="1h"})')
    key = top[0]["metric"]["key"] if top else "AAPL"
    negative = sorted((a for a in scored if key in a.entities),
                      key=lambda a: a.sentiment.negative, reverse=True)
    titles = [(a.title or a.text)[:100] for a in negative[:3]] or ["(no article)"]
    inject_spike(metrics, "entity", key, titles, severity="critical", window="1h")
    return key, "1h"


def start(rule_files: list[str]) -> Iterator[LiveStack]:
    """Generator for a session fixture: yields once the data are scraped and recorded."""
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    port = free_port()
    server, thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    try:
        with run_prometheus([f"127.0.0.1:{port}"], rule_files=rule_files, interval="1s") as prom:
            wait_for_targets_up(prom.url)
            pipeline = Pipeline(Settings())
            clf = pipeline.classifier
            metrics.model_info.labels(clf.name, clf.version, clf.device).set(1)
            scored = feed(pipeline, metrics)
            key, window = spike_on_top_entity(prom.url, metrics, scored)
            yield LiveStack(prom.url, metrics, key, window)
    finally:
        server.shutdown()
        thread.join(5)
