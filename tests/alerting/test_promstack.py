"""promstack without the binaries: config building and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsrisk.alerting.promstack import (
    BinaryNotFoundError,
    find_binary,
    free_port,
    prometheus_config,
    run_alertmanager,
    run_prometheus,
    wait_until,
)


def test_prometheus_config_scrapes_targets_and_sends_to_alertmanager(tmp_path: Path) -> None:
    rules = tmp_path / "r.yml"
    config = prometheus_config(
        ["127.0.0.1:9108"], [rules], "http://127.0.0.1:9093", "1s",
        external_labels={"grafana_url": "http://g"},
    )
    assert config["global"]["scrape_interval"] == "1s"
    assert config["global"]["evaluation_interval"] == "1s"
    assert config["global"]["external_labels"] == {"grafana_url": "http://g"}
    assert config["rule_files"] == [str(rules.resolve())]
    (job,) = config["scrape_configs"]
    assert job["job_name"] == "newsrisk-worker"
    assert job["static_configs"] == [{"targets": ["127.0.0.1:9108"]}]
    (am,) = config["alerting"]["alertmanagers"]
    assert am["static_configs"] == [{"targets": ["127.0.0.1:9093"]}]
    assert "alerting" not in prometheus_config(["a:1"])


def test_missing_binary_says_how_to_install() -> None:
    with pytest.raises(BinaryNotFoundError, match="apt-get install prometheus"):
        find_binary(("prometheus",), "newsrisk-no-such-binary")
    with pytest.raises(BinaryNotFoundError, match="apt-get install"), run_prometheus(
        ["127.0.0.1:1"], binary="newsrisk-no-such-binary"
    ):
        pass
    with pytest.raises(BinaryNotFoundError), run_alertmanager(
        {"route": {"receiver": "x"}, "receivers": [{"name": "x"}]},
        binary="newsrisk-no-such-binary",
    ):
        pass


def test_free_port_and_wait_until() -> None:
    assert 0 < free_port() < 65536
    assert wait_until(lambda: 3, timeout=1, what="three") == 3
    with pytest.raises(TimeoutError, match="waiting for nothing"):
        wait_until(lambda: None, timeout=0.1, what="nothing", interval=0.02)
