"""Builds the core's parts (classifier, resolver, detector, stages) from ``Settings``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsrisk.config import Settings
from newsrisk.core.aggregation import AggregationStage, DetectorLike, Explainer
from newsrisk.core.dedupe import Deduplicator
from newsrisk.core.scoring import ClassifierLike, ResolverLike, ScoringStage
from newsrisk.ingest.validate import ValidationLimits

if TYPE_CHECKING:
    from newsrisk.detection import DetectorConfig


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
        max_batch=settings.max_batch, lexical=settings.lexical,
        cpu_workers=settings.cpu_workers or None,
    )


def build_resolver() -> ResolverLike:
    from newsrisk.entities import EntityResolver, load_aliases

    # Entity keys are bounded to the shipped company table (unknown cashtags are not keys).
    return EntityResolver(load_aliases(), keep_unknown_cashtags=False)


# The product's detector defaults, on top of ``DetectorConfig()``:
# - warm-up of 7 windows and 3 days, so that daily windows are live within a week (24 windows
#   would mean 24 days of daily windows);
# - alert on negative-news *volume* against its count-aware seasonal baseline; the extra
#   share-excess test is off because its intra-window correlation estimate learns from the
#   spike's own (overlapping) windows and masked real events in backtests (e.g. Walmart,
#   2015-10-14, 15 of 41 tweets negative against 0.03 expected).
NEWS_DETECTOR_DEFAULTS: dict[str, Any] = {
    "scoring": {"scales": [1, 3], "warmup_obs": 7},
    "warmup_s": 3 * 86400.0,
    "require_share_excess": False,
}


def detector_config_dict(settings: Settings | None = None) -> dict[str, Any]:
    """The product's detector defaults with the settings' detector config file merged on top."""
    data: dict[str, Any] = json.loads(json.dumps(NEWS_DETECTOR_DEFAULTS))
    if settings is not None and settings.detector_config:
        path = Path(settings.detector_config)
        if not path.exists():
            raise FileNotFoundError(f"detector config {path} does not exist")
        user: dict[str, Any] = json.loads(path.read_text())
        for key, value in user.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key].update(value)
            else:
                data[key] = value
    return data


def detector_config(settings: Settings | None = None) -> DetectorConfig:
    """What the worker, the backtest and replays run: :func:`detector_config_dict` parsed."""
    from newsrisk.detection import DetectorConfig

    return DetectorConfig.from_dict(detector_config_dict(settings))


def build_detector(settings: Settings) -> DetectorLike:
    from newsrisk.detection import Detector

    return Detector(detector_config(settings))


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
