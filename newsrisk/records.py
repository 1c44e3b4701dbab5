"""The records that flow through newsrisk, with their versioned wire format.

Raw article (schema version 1), as it arrives on the ``news.raw`` topic (JSON object):

========================  ==========  ==========================================================
field                     type        meaning
========================  ==========  ==========================================================
``id``                    str         unique id of the article at its source (1..256 chars)
``source``                str         where it was scraped (feed name, site, ``stocknet``)
``url``                   str | null  canonical URL, used for de-duplication when present
``published_at``          str         ISO 8601 with offset (naive = UTC); the *event time*
``fetched_at``            str | null  when the scraper fetched it (ISO 8601); defaults to now
``title``                 str         headline (may be empty when ``text`` is not)
``text``                  str         body or tweet text (title + text must not be empty)
``lang``                  str         ISO 639-1 language code, default ``en``
``tickers``               [str]       optional tickers supplied by the source
``is_retweet``            bool        optional; a retweet of an earlier text
``schema_version``        int         optional; 1
========================  ==========  ==========================================================

Every other record (scored article, window aggregate, alert) is a frozen dataclass with
``to_dict``/``from_dict`` so that it round-trips through JSON unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

SCHEMA_VERSION = 1
SENTIMENT_LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")


def parse_time(value: str | float | int | datetime) -> datetime:
    """Parse an ISO 8601 string, epoch seconds or datetime into an aware UTC datetime."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, bool):
        raise ValueError("timestamp must be an ISO 8601 string or epoch seconds, not a boolean")
    elif isinstance(value, int | float):
        dt = datetime.fromtimestamp(float(value), tz=UTC)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith("Z") or text.endswith("z"):
            text = text[:-1] + "+00:00"
        dt = datetime.fromisoformat(text)
    else:
        raise ValueError(f"timestamp has unsupported type {type(value).__name__}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def format_time(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class RawArticle:
    id: str
    source: str
    url: str | None
    published_at: datetime
    fetched_at: datetime
    title: str
    text: str
    lang: str = "en"
    tickers: tuple[str, ...] = ()
    is_retweet: bool = False

    @property
    def full_text(self) -> str:
        if self.title and self.text and not self.text.startswith(self.title):
            return f"{self.title}. {self.text}"
        return self.text or self.title

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "source": self.source,
            "url": self.url,
            "published_at": format_time(self.published_at),
            "fetched_at": format_time(self.fetched_at),
            "title": self.title,
            "text": self.text,
            "lang": self.lang,
            "tickers": list(self.tickers),
            "is_retweet": self.is_retweet,
        }


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: str
    negative: float
    neutral: float
    positive: float

    @property
    def score(self) -> float:
        """Signed score P(positive) - P(negative), in [-1, 1]."""
        return self.positive - self.negative

    @property
    def probs(self) -> dict[str, float]:
        return {"negative": self.negative, "neutral": self.neutral, "positive": self.positive}


@dataclass(frozen=True, slots=True)
class TopicScore:
    label: str
    score: float


@dataclass(frozen=True, slots=True)
class Prediction:
    """What a classifier says of one text."""

    sentiment: Sentiment
    topics: tuple[TopicScore, ...]  # best first


@dataclass(frozen=True, slots=True)
class ScoredArticle:
    id: str
    source: str
    url: str | None
    title: str
    text: str
    lang: str
    published_at: datetime
    ingested_at: datetime
    scored_at: datetime
    sentiment: Sentiment
    topics: tuple[TopicScore, ...]
    entities: tuple[str, ...]
    model_name: str
    model_version: str

    @property
    def is_negative(self) -> bool:
        return self.sentiment.label == "negative"

    @property
    def primary_topic(self) -> str:
        return self.topics[0].label if self.topics else "General News"

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "source": self.source,
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "lang": self.lang,
            "published_at": format_time(self.published_at),
            "ingested_at": format_time(self.ingested_at),
            "scored_at": format_time(self.scored_at),
            "sentiment": {
                "label": self.sentiment.label,
                "probs": self.sentiment.probs,
                "score": self.sentiment.score,
            },
            "topics": [{"label": t.label, "score": t.score} for t in self.topics],
            "entities": list(self.entities),
            "model": {"name": self.model_name, "version": self.model_version},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScoredArticle:
        probs = d["sentiment"]["probs"]
        return cls(
            id=d["id"],
            source=d["source"],
            url=d.get("url"),
            title=d.get("title", ""),
            text=d.get("text", ""),
            lang=d.get("lang", "en"),
            published_at=parse_time(d["published_at"]),
            ingested_at=parse_time(d["ingested_at"]),
            scored_at=parse_time(d["scored_at"]),
            sentiment=Sentiment(
                d["sentiment"]["label"], probs["negative"], probs["neutral"], probs["positive"]
            ),
            topics=tuple(TopicScore(t["label"], t["score"]) for t in d.get("topics", [])),
            entities=tuple(d.get("entities", [])),
            model_name=d["model"]["name"],
            model_version=d["model"]["version"],
        )


@dataclass(frozen=True, slots=True)
class EvidenceArticle:
    """One article behind a window: the most negative ones are kept as evidence."""

    id: str
    title: str
    url: str | None
    published_at: datetime
    score: float  # signed sentiment score
    negative: float  # P(negative)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "published_at": format_time(self.published_at),
            "score": self.score,
            "negative": self.negative,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EvidenceArticle:
        return cls(
            d["id"], d.get("title", ""), d.get("url"), parse_time(d["published_at"]),
            float(d["score"]), float(d["negative"]),
        )


@dataclass(frozen=True, slots=True)
class WindowAggregate:
    """Closed event-time window of one key (a topic or an entity)."""

    key_kind: str  # "topic" | "entity"
    key: str
    window: str  # window definition name, e.g. "5m" or "1h"
    start: datetime
    end: datetime
    count: int
    negative: int
    sum_score: float
    top_negative: tuple[EvidenceArticle, ...] = ()

    @property
    def negative_share(self) -> float:
        return self.negative / self.count if self.count else 0.0

    @property
    def mean_score(self) -> float:
        return self.sum_score / self.count if self.count else 0.0

    @property
    def uid(self) -> str:
        return f"{self.key_kind}:{self.key}:{self.window}:{int(self.start.timestamp())}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key_kind": self.key_kind,
            "key": self.key,
            "window": self.window,
            "start": format_time(self.start),
            "end": format_time(self.end),
            "count": self.count,
            "negative": self.negative,
            "negative_share": self.negative_share,
            "mean_score": self.mean_score,
            "sum_score": self.sum_score,
            "top_negative": [e.to_dict() for e in self.top_negative],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WindowAggregate:
        return cls(
            d["key_kind"], d["key"], d["window"], parse_time(d["start"]), parse_time(d["end"]),
            int(d["count"]), int(d["negative"]), float(d["sum_score"]),
            tuple(EvidenceArticle.from_dict(e) for e in d.get("top_negative", [])),
        )


@dataclass(frozen=True, slots=True)
class Detection:
    """The detector's verdict on one closed window."""

    score: float  # anomaly score in [0, 1]
    severity: str | None  # None, "warning", "critical"
    fire: bool  # True when this window opens a new alert (after hysteresis / cool-down)
    baseline: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    key_kind: str
    key: str
    window: str
    window_start: datetime
    window_end: datetime
    score: float
    severity: str
    count: int
    negative: int
    negative_share: float
    mean_score: float
    baseline: dict[str, float]
    evidence: tuple[EvidenceArticle, ...]
    explanations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @staticmethod
    def make_id(key_kind: str, key: str, window: str, start: datetime) -> str:
        raw = f"{key_kind}|{key}|{window}|{format_time(start)}"
        return hashlib.sha1(raw.encode()).hexdigest()[:16]

    @property
    def summary(self) -> str:
        return (
            f"{self.severity} negative-news spike on {self.key_kind} {self.key}: "
            f"{self.negative}/{self.count} negative ({self.negative_share:.0%}) in {self.window} "
            f"window starting {format_time(self.window_start)}, score {self.score:.2f}"
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["window_start"] = format_time(self.window_start)
        d["window_end"] = format_time(self.window_end)
        d["evidence"] = [e.to_dict() for e in self.evidence]
        d["summary"] = self.summary
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Alert:
        return cls(
            id=d["id"], key_kind=d["key_kind"], key=d["key"], window=d["window"],
            window_start=parse_time(d["window_start"]), window_end=parse_time(d["window_end"]),
            score=float(d["score"]), severity=d["severity"], count=int(d["count"]),
            negative=int(d["negative"]), negative_share=float(d["negative_share"]),
            mean_score=float(d["mean_score"]), baseline=dict(d.get("baseline", {})),
            evidence=tuple(EvidenceArticle.from_dict(e) for e in d.get("evidence", [])),
            explanations=dict(d.get("explanations", {})),
        )


@dataclass(frozen=True, slots=True)
class DeadLetter:
    reason: str  # short machine-readable reason, e.g. "malformed_json"
    detail: str  # human-readable explanation
    payload: str  # the original payload, decoded with replacement, truncated
    source_topic: str = ""
    partition: int | None = None
    offset: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
