"""Anomaly detection: streaming, causal, count-aware spike detectors and NAB scoring.

* :class:`Detector` - keyed negative-news detector fed with ``WindowAggregate`` records.
* :class:`SeriesDetector` - the same statistical core on one univariate series (``newsrisk nab``),
  with a real-valued core for measurements (unit-free, two-sided), chosen by likelihood.
* :func:`score_nab` - Numenta Anomaly Benchmark scoring (standard profile by default).
"""

from newsrisk.detection.alerts import make_alert
from newsrisk.detection.config import (
    BaselineConfig,
    DetectorConfig,
    ScoringConfig,
    SeriesConfig,
    ValueConfig,
)
from newsrisk.detection.detector import Detector
from newsrisk.detection.nab_scoring import score_nab, score_series
from newsrisk.detection.series import SeriesDetector

__all__ = [
    "BaselineConfig",
    "Detector",
    "DetectorConfig",
    "ScoringConfig",
    "SeriesConfig",
    "SeriesDetector",
    "ValueConfig",
    "make_alert",
    "score_nab",
    "score_series",
]
