"""The in-process pipeline: the same core as the live worker, over any iterable, no broker.

Replay, backtest and most tests drive this. The live worker runs the same two stages
(``ScoringStage`` then ``AggregationStage``) as Faust agents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from newsrisk.config import Settings
from newsrisk.core.aggregation import SEVERITY_LEVEL, AggregationStage, ClosedWindow, DetectorLike
from newsrisk.core.components import (
    build_aggregation_stage,
    build_classifier,
    build_explainer,
    build_resolver,
    build_scoring_stage,
)
from newsrisk.core.scoring import ClassifierLike, Incoming, ResolverLike, ScoringStage, keyed_events
from newsrisk.records import Alert, DeadLetter, ScoredArticle

Listener = Callable[["BatchResult"], None]


@dataclass(slots=True)
class BatchResult:
    scored: list[ScoredArticle] = field(default_factory=list)
    windows: list[ClosedWindow] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    deadletters: list[DeadLetter] = field(default_factory=list)
    duplicates: Counter[str] = field(default_factory=Counter)
    inference_s: float = 0.0


@dataclass(slots=True)
class RunSummary:
    articles_in: int = 0
    articles_scored: int = 0
    deadlettered: int = 0
    duplicates: int = 0
    windows: int = 0
    alerts: int = 0
    deadletter_reasons: Counter[str] = field(default_factory=Counter)
    duplicate_reasons: Counter[str] = field(default_factory=Counter)

    def add(self, n_in: int, r: BatchResult) -> None:
        self.articles_in += n_in
        self.articles_scored += len(r.scored)
        self.deadlettered += len(r.deadletters)
        self.duplicates += sum(r.duplicates.values())
        self.windows += sum(1 for w in r.windows if w.window.count)
        self.alerts += len(r.alerts)
        self.deadletter_reasons.update(d.reason for d in r.deadletters)
        self.duplicate_reasons.update(r.duplicates)

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles_in": self.articles_in, "articles_scored": self.articles_scored,
            "deadlettered": self.deadlettered, "duplicates": self.duplicates,
            "windows": self.windows, "alerts": self.alerts,
            "deadletter_reasons": dict(self.deadletter_reasons),
            "duplicate_reasons": dict(self.duplicate_reasons),
        }


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Pipeline:
    def __init__(
        self,
        settings: Settings | None = None,
        classifier: ClassifierLike | None = None,
        resolver: ResolverLike | None = None,
        detector: DetectorLike | None = None,
        explain: bool = True,
    ) -> None:
        self.settings = settings or Settings()
        self.classifier = classifier or build_classifier(self.settings)
        self.resolver = resolver if resolver is not None else build_resolver()
        self.scoring: ScoringStage = build_scoring_stage(self.settings, self.classifier,
                                                         self.resolver)
        self.aggregation: AggregationStage = build_aggregation_stage(
            self.settings, detector, build_explainer(self.classifier) if explain else None
        )
        self.summary = RunSummary()
        self.listeners: list[Listener] = []

    def process_batch(self, items: list[Incoming]) -> BatchResult:
        triage = self.scoring.triage(items)
        scored = self.scoring.classify(triage.accepted)
        result = BatchResult(scored=scored, deadletters=triage.deadletters,
                             duplicates=triage.duplicates,
                             inference_s=self.scoring.last_inference_s if scored else 0.0)
        for article in scored:
            out = self.aggregation.add(keyed_events(article))
            result.windows.extend(out.windows)
            result.alerts.extend(out.alerts)
        self.summary.add(len(items), result)
        for listener in self.listeners:
            listener(result)
        return result

    def finish(self) -> BatchResult:
        out = self.aggregation.flush()
        result = BatchResult(windows=out.windows, alerts=out.alerts)
        self.summary.add(0, result)
        for listener in self.listeners:
            listener(result)
        return result

    def run(self, payloads: Iterable[Any], flush: bool = False,
            progress: Callable[[int], None] | None = None) -> list[BatchResult]:
        results = []
        for chunk in _chunks(payloads, self.settings.max_batch):
            items = [p if isinstance(p, Incoming) else Incoming(p) for p in chunk]
            results.append(self.process_batch(items))
            if progress:
                progress(len(chunk))
        if flush:
            results.append(self.finish())
        return results


def alert_level(window: ClosedWindow) -> int:
    return SEVERITY_LEVEL.get(window.detection.severity, 0)
