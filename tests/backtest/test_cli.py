"""``newsrisk backtest`` end to end on a small slice (predictions pre-cached: no model load)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import islice
from pathlib import Path

from newsrisk.backtest.adapters import convert
from newsrisk.backtest.cache import CachingClassifier, newsrisk_model_identity
from newsrisk.config import Settings
from newsrisk.core.components import (
    NEWS_DETECTOR_DEFAULTS,
    build_resolver,
    build_scoring_stage,
    detector_config_dict,
)
from newsrisk.core.scoring import Incoming
from newsrisk.detection import DetectorConfig
from newsrisk.ingest.sources import bundled_sample, read_source

from .conftest import FakeClassifier

PRICES = Path(__file__).resolve().parents[2].parent / "shared/data/stream/stocknet/prices"
# the installed entry point, as users run it (``python -m newsrisk.cli.main`` loads the CLI module
# twice, so its CommandError escaped as a traceback, which this test used to accept)
NEWSRISK = Path(sys.executable).with_name("newsrisk")


def test_backtest_cli_smoke(tmp_path: Path) -> None:
    lines = list(islice(read_source(str(bundled_sample())), 400))
    archive = tmp_path / "slice.jsonl"
    archive.write_bytes(b"\n".join(lines) + b"\n")
    prices = tmp_path / "prices"
    prices.mkdir()
    for t in ("WMT", "AAPL"):
        src = PRICES / f"{t}.csv"
        (prices / f"{t}.csv").write_text(src.read_text() if src.exists() else
                                         "Date,Open,High,Low,Close,Adj Close,Volume\n")
    # fill the cache under the shipped model's identity with the fake's predictions
    fake = FakeClassifier()
    identity = newsrisk_model_identity(None)
    assert identity is not None
    fake.name, fake.version = identity  # type: ignore[misc]
    cached = CachingClassifier(fake, tmp_path / "data" / "cache")
    stage = build_scoring_stage(Settings(), cached, build_resolver())
    stage.classify(stage.triage([Incoming(p) for p in convert(lines)]).accepted)
    cached.close()
    env = {**os.environ, "NEWSRISK_DATA_DIR": str(tmp_path / "data")}
    out = tmp_path / "out.json"
    user = tmp_path / "detector.json"
    user.write_text(json.dumps({"min_negatives": 4, "scoring": {"warmup_obs": 9}}))
    proc = subprocess.run(
        [str(NEWSRISK), "backtest", "--input", str(archive),
         "--prices", str(prices), "--grid", "--report", str(tmp_path / "report"),
         "--detector-config", str(user), "--json", str(out)],
        env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text())
    for key in ("alerts", "precision", "recall", "median_lead_hours", "baseline_precision",
                "baseline_recall"):
        assert key in data
    assert data["articles_in"] == 400 and data["grid"]
    # the worker's detector: the product defaults with --detector-config merged on top
    live = DetectorConfig.from_dict(detector_config_dict(Settings(detector_config=str(user))))
    assert data["detector_config"] == json.loads(json.dumps(live.to_dict()))
    assert data["detector_config"]["min_negatives"] == 4
    assert data["detector_config"]["scoring"]["warmup_obs"] == 9
    assert data["detector_config"]["warmup_s"] == NEWS_DETECTOR_DEFAULTS["warmup_s"]
    assert data["detector_config"]["require_share_excess"] is False
    assert (tmp_path / "report" / "index.html").read_text().startswith("<!doctype html>")


def test_backtest_cli_errors(tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(NEWSRISK), "backtest", "--input", "x.jsonl", "--prices", str(tmp_path)],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"newsrisk backtest: error: --prices {tmp_path} has no <TICKER>.csv files; point it at a "
        "price dir"]
