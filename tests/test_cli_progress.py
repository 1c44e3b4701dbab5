"""Long commands report progress in their logs when no terminal shows a bar."""

from __future__ import annotations

import json
import logging

import pytest

from newsrisk.cli.progress import Progress
from newsrisk.logs import JsonFormatter


def test_progress_logs_structured_lines_without_a_terminal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="newsrisk.progress")
    with Progress("backtest", "rec", total=10, every_s=0.0) as bar:  # pytest's stderr: no TTY
        bar.set_postfix_str("classifying")
        bar.update(4)
        bar.update(6)
        assert bar.n == 10
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    assert [line["msg"] for line in lines] == ["progress", "progress", "finished"]
    assert lines[0]["done"] == 4 and lines[-1]["done"] == 10 and lines[-1]["total"] == 10
    assert lines[0]["status"] == "classifying" and lines[0]["task"] == "backtest"


def test_progress_is_quiet_between_intervals_and_closes_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="newsrisk.progress")
    bar = Progress("replay", "rec", every_s=3600.0)
    for _ in range(100):
        bar.update()
    bar.close()
    bar.close()
    assert [r.getMessage() for r in caplog.records] == ["finished"]


def test_progress_does_not_claim_a_failed_task_finished(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="newsrisk.progress")
    with pytest.raises(RuntimeError), Progress("ingest", "rec", every_s=3600.0) as bar:
        bar.update(3)
        raise RuntimeError("broker gone")
    assert caplog.records == []
