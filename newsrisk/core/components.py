"""Builds the core's parts (classifier, resolver, detector, stages) from ``Settings``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from newsrisk.config import Settings
from newsrisk.core.aggregation import AggregationStage, DetectorLike, Explainer
from newsrisk.core.dedupe import Deduplicator
from newsrisk.core.scoring import ClassifierLike, ResolverLike, ScoringStage
from newsrisk.ingest.validate import ValidationLimits


def validation_limits(settings: Settings) -> ValidationLimits:
    return ValidationLimits(
        max_payload_bytes=settings.max_payload_bytes,
        max_text_chars=settings.max_text_chars,
        max_future_skew_s=settings.max_future_skew_s,
        max_past_age_s=settings.max_past_age_s,
    )


def build_classifier(settings: Settings) -> ClassifierLike:
    from newsrisk.classifiers import load_classifier

    return load_classifier(
        settings.model, device=settings.device, quantize=settings.quantize,
        max_batch=settings.max_batch,
    )


def build_resolver() -> ResolverLike:
    from newsrisk.entities import EntityResolver, load_aliases

    # Entity keys are bounded to the shipped company table (unknown cashtags are not keys).
    return EntityResolver(load_aliases(), keep_unknown_cashtags=False)


def build_detector(settings: Settings) -> DetectorLike:
    from newsrisk.detection import Detector, DetectorConfig

    if settings.detector_config:
        data: dict[str, Any] = json.loads(Path(settings.detector_config).read_text())
        return Detector(DetectorConfig.from_dict(data))
    return Detector(DetectorConfig())


def build_explainer(classifier: ClassifierLike) -> Explainer | None:
    try:
        from newsrisk.classifiers import explain_negative
    except ImportError:
        return None

    def explain(text: str) -> list[dict[str, Any]]:
        return explain_negative(classifier, text, top_k=5)

    return explain


def build_scoring_stage(
    settings: Settings, classifier: ClassifierLike, resolver: ResolverLike | None
) -> ScoringStage:
    return ScoringStage(
        classifier, resolver,
        Deduplicator(settings.dedup_horizon_s, settings.dedup_max_entries),
        validation_limits(settings),
    )


def build_aggregation_stage(
    settings: Settings, detector: DetectorLike | None = None, explainer: Explainer | None = None,
    advance_on_events: bool = True,
) -> AggregationStage:
    return AggregationStage(
        settings.window_specs, detector if detector is not None else build_detector(settings),
        allowed_lateness_s=settings.allowed_lateness_s, top_evidence=settings.top_evidence,
        explainer=explainer, idle_ttl_s=settings.key_idle_ttl_s,
        advance_on_events=advance_on_events,
    )
