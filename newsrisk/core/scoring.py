"""Stage 1: validate, de-duplicate, classify (batched) and resolve entities."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from newsrisk.core.dedupe import Deduplicator
from newsrisk.core.windows import KeyedEvent
from newsrisk.ingest.validate import (
    InvalidArticle,
    ValidationLimits,
    to_deadletter,
    validate_payload,
)
from newsrisk.records import DeadLetter, Prediction, RawArticle, ScoredArticle

MAX_EVIDENCE_TITLE = 280


class ClassifierLike(Protocol):
    name: str
    version: str
    device: str

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...


class ResolverLike(Protocol):
    def resolve(self, text: str, hints: Sequence[str] = ()) -> tuple[str, ...]: ...


@dataclass(slots=True)
class Incoming:
    """A payload with where it came from (topic/partition/offset) and when it entered Kafka."""

    payload: Any
    ingested_at: datetime | None = None
    topic: str = ""
    partition: int | None = None
    offset: int | None = None


@dataclass(slots=True)
class Triage:
    accepted: list[tuple[RawArticle, datetime]] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)  # input partition of each accepted one
    deadletters: list[DeadLetter] = field(default_factory=list)
    duplicates: Counter[str] = field(default_factory=Counter)


class ScoringStage:
    def __init__(
        self,
        classifier: ClassifierLike,
        resolver: ResolverLike | None,
        dedup: Deduplicator,
        limits: ValidationLimits,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.classifier = classifier
        self.resolver = resolver
        self.dedup = dedup
        self.limits = limits
        self.clock = clock
        self.last_inference_s = 0.0

    def triage(self, items: Sequence[Incoming]) -> Triage:
        """Validate and de-duplicate; never raises on bad input."""
        out = Triage()
        now = self.clock()
        for item in items:
            try:
                article = validate_payload(item.payload, now=now, limits=self.limits)
            except InvalidArticle as exc:
                out.deadletters.append(
                    to_deadletter(item.payload, exc, item.topic, item.partition, item.offset)
                )
                continue
            except Exception as exc:  # noqa: BLE001 - a worker must never crash on input
                out.deadletters.append(to_deadletter(
                    item.payload, InvalidArticle("invalid", f"unexpected validation error: {exc!r}"),
                    item.topic, item.partition, item.offset,
                ))
                continue
            try:
                reason = self.dedup.check_and_add(article)
            except Exception as exc:  # noqa: BLE001 - a worker must never crash on input
                out.deadletters.append(to_deadletter(
                    item.payload, InvalidArticle("invalid", f"de-duplication failed: {exc!r}"),
                    item.topic, item.partition, item.offset,
                ))
                continue
            if reason is not None:
                out.duplicates[reason] += 1
                continue
            out.accepted.append((article, item.ingested_at or article.fetched_at))
            out.sources.append(item.partition if item.partition is not None else -1)
        return out

    def classify(self, accepted: Sequence[tuple[RawArticle, datetime]]) -> list[ScoredArticle]:
        """Classify a batch in one call (blocking: the Faust shell runs it in an executor)."""
        if not accepted:
            return []
        texts = [a.full_text for a, _ in accepted]
        t0 = time.perf_counter()
        preds = self.classifier.predict(texts)
        self.last_inference_s = time.perf_counter() - t0
        scored_at = self.clock()
        out = []
        for (article, ingested_at), pred, text in zip(accepted, preds, texts, strict=True):
            entities = (
                self.resolver.resolve(text, article.tickers) if self.resolver else article.tickers
            )
            out.append(ScoredArticle(
                id=article.id, source=article.source, url=article.url, title=article.title,
                text=article.text, lang=article.lang, published_at=article.published_at,
                ingested_at=ingested_at, scored_at=scored_at, sentiment=pred.sentiment,
                topics=pred.topics[:5], entities=tuple(entities),
                model_name=self.classifier.name, model_version=self.classifier.version,
            ))
        return out


def keyed_events(article: ScoredArticle) -> list[KeyedEvent]:
    """Fan a scored article out to its primary topic and each entity it mentions."""
    title = article.title or article.text
    title = " ".join(title.split())[:MAX_EVIDENCE_TITLE]
    common = dict(
        article_id=article.id, title=title, url=article.url,
        published_at=article.published_at.timestamp(), score=article.sentiment.score,
        negative_prob=article.sentiment.negative, is_negative=article.is_negative,
    )
    events = [KeyedEvent("topic", article.primary_topic, **common)]
    events.extend(KeyedEvent("entity", e, **common) for e in article.entities)
    return events
