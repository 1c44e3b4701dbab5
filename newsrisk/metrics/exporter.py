"""Prometheus metrics of a newsrisk worker.

Every metric lives on a ``CollectorRegistry`` passed in (tests use a fresh one). Label values are
bounded: topics are the classifier's fixed classes, entities are capped to ``max_entities`` keys
(the first ones seen that alerted or were watch-listed), severities and reasons are small enums.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from newsrisk.records import Alert, DeadLetter, ScoredArticle, WindowAggregate

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
INFERENCE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
DEDUP_REASONS = ("id", "url", "text", "retweet")
OTHER = "_other"


class PipelineMetrics:
    """The worker's metrics. Names follow Prometheus conventions (``newsrisk_`` prefix)."""

    def __init__(
        self,
        registry: CollectorRegistry,
        max_entities: int = 50,
        watchlist: Iterable[str] = (),
        max_reasons: int = 32,
    ) -> None:
        self.registry = registry
        self.max_entities = max_entities
        self._entities: set[str] = {e.upper() for e in watchlist}
        self._reasons: set[str] = set()
        self.max_reasons = max_reasons
        r = registry
        self.received = Counter(
            "newsrisk_articles_received_total", "Raw records consumed from the input topic.",
            registry=r,
        )
        self.scored = Counter(
            "newsrisk_articles_scored_total", "Articles classified and published as scored.",
            registry=r,
        )
        self.duplicates = Counter(
            "newsrisk_articles_duplicate_total", "Articles dropped as duplicates, by match kind.",
            ["reason"], registry=r,
        )
        self.deadlettered = Counter(
            "newsrisk_articles_deadlettered_total", "Records sent to the dead-letter topic, by reason.",
            ["reason"], registry=r,
        )
        self.topic_articles = Counter(
            "newsrisk_topic_articles_total", "Scored articles by primary topic.", ["topic"], registry=r,
        )
        self.topic_negative = Counter(
            "newsrisk_topic_negative_articles_total", "Negative articles by primary topic.",
            ["topic"], registry=r,
        )
        self.batch_size = Histogram(
            "newsrisk_classifier_batch_articles", "Articles per classifier batch.",
            buckets=BATCH_BUCKETS, registry=r,
        )
        self.inference = Histogram(
            "newsrisk_classifier_inference_duration_seconds",
            "Wall time of one classifier batch (tokenise + forward).",
            buckets=INFERENCE_BUCKETS, registry=r,
        )
        self.latency = Histogram(
            "newsrisk_article_latency_seconds",
            "Latency of an article to the scored stage; span=published_to_scored|ingested_to_scored.",
            ["span"], buckets=LATENCY_BUCKETS, registry=r,
        )
        self.windows_closed = Counter(
            "newsrisk_windows_closed_total", "Event-time windows closed, by window definition.",
            ["window", "key_kind"], registry=r,
        )
        labels = ["key_kind", "key", "window"]
        self.window_articles = Gauge(
            "newsrisk_window_articles", "Articles in the last closed window of a key.", labels,
            registry=r,
        )
        self.window_negative = Gauge(
            "newsrisk_window_negative_articles", "Negative articles in the last closed window.",
            labels, registry=r,
        )
        self.window_negative_share = Gauge(
            "newsrisk_window_negative_ratio", "Share of negative articles in the last closed window "
            "(0..1).", labels, registry=r,
        )
        self.window_mean_sentiment = Gauge(
            "newsrisk_window_mean_sentiment", "Mean signed sentiment P(pos)-P(neg) in the last closed "
            "window.", labels, registry=r,
        )
        self.window_expected_negative = Gauge(
            "newsrisk_window_expected_negative_articles", "Baseline negatives expected in the window.",
            labels, registry=r,
        )
        self.anomaly_score = Gauge(
            "newsrisk_anomaly_score", "Detector anomaly score of the last closed window (0..1).",
            labels, registry=r,
        )
        self.alert_level = Gauge(
            "newsrisk_alert_level", "Alert state of a key: 0 none, 1 warning, 2 critical; stays up "
            "while the detector keeps the alert open.", labels, registry=r,
        )
        self.alerts = Counter(
            "newsrisk_alerts_total", "Alerts raised, by key kind and severity.",
            ["key_kind", "severity"], registry=r,
        )
        self.alert_evidence = Gauge(
            "newsrisk_alert_evidence_info", "Top evidence article titles of the latest alert of a "
            "key (value 1; rank 1..3).", ["key_kind", "key", "window", "rank", "title", "alert_id"],
            registry=r,
        )
        self.watermark = Gauge(
            "newsrisk_event_time_watermark_seconds", "Event-time watermark (Unix seconds).",
            registry=r,
        )
        self.lag = Gauge(
            "newsrisk_consumer_lag_messages", "Messages on the input topic not yet consumed by this "
            "worker (sum over its partitions).", registry=r,
        )
        self.sink_errors = Counter(
            "newsrisk_sink_write_errors_total", "Failed database writes (retried), by table.",
            ["table"], registry=r,
        )
        self.model_info = Gauge(
            "newsrisk_model_info", "Classifier in use (value 1).", ["name", "version", "device"],
            registry=r,
        )
        for reason in DEDUP_REASONS:
            self.duplicates.labels(reason)

    # --- label capping -------------------------------------------------------------------
    def _key(self, key_kind: str, key: str) -> str | None:
        if key_kind == "topic":
            return key
        if key in self._entities:
            return key
        if len(self._entities) < self.max_entities:
            self._entities.add(key)
            return key
        return None

    def _reason(self, reason: str) -> str:
        if reason in self._reasons:
            return reason
        if len(self._reasons) < self.max_reasons:
            self._reasons.add(reason)
            return reason
        return OTHER

    # --- observations ---------------------------------------------------------------------
    def observe_deadletter(self, dl: DeadLetter) -> None:
        self.deadlettered.labels(self._reason(dl.reason)).inc()

    def observe_batch(self, size: int, seconds: float) -> None:
        self.batch_size.observe(size)
        self.inference.observe(seconds)

    def observe_scored(self, article: ScoredArticle) -> None:
        self.scored.inc()
        topic = article.primary_topic
        self.topic_articles.labels(topic).inc()
        if article.is_negative:
            self.topic_negative.labels(topic).inc()
        scored = article.scored_at.timestamp()
        self.latency.labels("published_to_scored").observe(
            max(0.0, scored - article.published_at.timestamp())
        )
        self.latency.labels("ingested_to_scored").observe(
            max(0.0, scored - article.ingested_at.timestamp())
        )

    def observe_window(
        self, agg: WindowAggregate, score: float, level: int, expected_negative: float | None
    ) -> None:
        self.windows_closed.labels(agg.window, agg.key_kind).inc()
        key = self._key(agg.key_kind, agg.key)
        if key is None:
            return
        labels = (agg.key_kind, key, agg.window)
        self.window_articles.labels(*labels).set(agg.count)
        self.window_negative.labels(*labels).set(agg.negative)
        self.window_negative_share.labels(*labels).set(agg.negative_share)
        self.window_mean_sentiment.labels(*labels).set(agg.mean_score)
        if expected_negative is not None:
            self.window_expected_negative.labels(*labels).set(expected_negative)
        self.anomaly_score.labels(*labels).set(score)
        self.alert_level.labels(*labels).set(level)
        if level == 0:
            self._clear_evidence(agg.key_kind, key, agg.window)

    def observe_alert(self, alert: Alert) -> None:
        self.alerts.labels(alert.key_kind, alert.severity).inc()
        key = self._key(alert.key_kind, alert.key)
        if key is None:
            return
        self._clear_evidence(alert.key_kind, key, alert.window)
        for rank, ev in enumerate(alert.evidence[:3], start=1):
            title = " ".join(ev.title.split())[:120]
            self.alert_evidence.labels(
                alert.key_kind, key, alert.window, str(rank), title, alert.id
            ).set(1)

    def _clear_evidence(self, key_kind: str, key: str, window: str) -> None:
        for labels in list(self.alert_evidence._metrics):  # noqa: SLF001 - prometheus has no filter API
            if labels[0] == key_kind and labels[1] == key and labels[2] == window:
                self.alert_evidence.remove(*labels)
