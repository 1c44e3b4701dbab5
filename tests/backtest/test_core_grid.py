"""The backtest core is the pipeline; the grid's fast path equals a full detector re-run."""

from __future__ import annotations

from typing import Any

import pytest

from newsrisk.backtest.core import alerts_from_windows, run_backtest_core, run_core
from newsrisk.backtest.grid import detector_alerts, grid_config
from newsrisk.config import Settings
from newsrisk.core.pipeline import Pipeline
from newsrisk.detection import Detector, DetectorConfig

from .conftest import FakeClassifier

# short warm-up and low thresholds so that a small slice has alerts to compare
BASE = DetectorConfig.from_dict({"scoring": {"scales": [1, 3], "warmup_obs": 4},
                                 "warmup_s": 3600.0})


@pytest.fixture(scope="module")
def run() -> Any:
    cfg = grid_config(BASE, 0.2, 2)
    from itertools import islice

    from newsrisk.backtest.adapters import convert
    from newsrisk.ingest.sources import bundled_sample, read_source

    payloads = list(islice(convert(read_source(str(bundled_sample()))), 1200))
    return payloads, cfg, run_core(payloads, Settings(), classifier=FakeClassifier(),
                                   detector=Detector(cfg), keep_windows=True)


def _ids(alerts: list[Any]) -> list[str]:
    return sorted(a.id for a in alerts)


def test_core_equals_pipeline(run: Any) -> None:
    payloads, cfg, core = run
    assert core.alerts, "the slice should alert"
    pipe = Pipeline(Settings(), classifier=FakeClassifier(), explain=False)
    pipe.aggregation.detector = Detector(cfg)  # Pipeline(detector=Detector()) drops it: falsy
    live = [a for r in pipe.run(payloads, flush=True) for a in r.alerts]
    assert [a.to_dict() for a in live] == [a.to_dict() for a in core.alerts]


def test_run_backtest_core_returns_alerts(run: Any) -> None:
    payloads, cfg, core = run
    again = run_backtest_core(payloads[:300], Settings(), classifier=FakeClassifier(),
                              detector=Detector(cfg))
    assert all(a.key_kind in ("topic", "entity") for a in again)


@pytest.mark.parametrize("warning,min_neg", [(0.25, 1), (0.15, 3)])
def test_grid_fast_path_equals_detector_rerun(run: Any, warning: float, min_neg: int) -> None:
    _, _, core = run
    cfg = grid_config(BASE, warning, min_neg)
    full = alerts_from_windows(core.windows, Detector(cfg))
    fast = detector_alerts(core.frames, cfg, key_kind=None)
    assert [(a.id, a.severity) for a in sorted(full, key=lambda a: a.id)] == \
        [(a.id, a.severity) for a in sorted(fast, key=lambda a: a.id)]


def test_core_uses_the_given_detector(run: Any) -> None:
    _, cfg, core = run
    assert core.alerts == alerts_from_windows(core.windows, Detector(cfg)) or \
        _ids(core.alerts) == _ids(alerts_from_windows(core.windows, Detector(cfg)))


def test_grid_does_not_classify(run: Any) -> None:
    _, _, core = run
    fake = FakeClassifier()
    detector_alerts(core.frames, DetectorConfig())
    assert fake.calls == 0 and len(core.frames) == len(core.windows)
