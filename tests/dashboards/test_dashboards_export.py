"""The committed dashboard JSON is what the code generates; structure the alerts rely on."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import DASHBOARD_DIR, REPO, load_dashboards

from newsrisk.cli.main import main
from newsrisk.dashboards import render_all, stale_files


def test_committed_json_is_not_stale() -> None:
    stale = stale_files(DASHBOARD_DIR)
    assert not stale, f"regenerate with `newsrisk dashboards export {DASHBOARD_DIR}`: {stale}"
    assert sorted(p.name for p in DASHBOARD_DIR.glob("*.json")) == sorted(render_all())


def test_cli_export_writes_and_check_detects_staleness(tmp_path: Path, capsys) -> None:
    assert main(["dashboards", "export", str(tmp_path)]) == 0
    assert main(["dashboards", "export", "--check", str(tmp_path)]) == 0
    (tmp_path / "newsrisk-overview.json").write_text("{}", encoding="utf-8")
    assert main(["dashboards", "export", "--check", str(tmp_path)]) == 1
    assert "newsrisk-overview.json" in capsys.readouterr().err


def test_uids_variables_and_datasource() -> None:
    dashboards = {d["uid"]: d for d in load_dashboards().values()}
    assert set(dashboards) == {"newsrisk-overview", "newsrisk-drilldown", "newsrisk-pipeline"}
    drill_vars = {v["name"] for v in dashboards["newsrisk-drilldown"]["templating"]["list"]}
    assert {"key_kind", "key", "datasource"} <= drill_vars
    for uid, dash in dashboards.items():
        for panel in dash["panels"]:
            if panel["type"] == "row":
                continue
            assert panel["targets"], f"{uid}/{panel['title']} has no query"
            for tgt in panel["targets"]:
                assert tgt["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_alert_rules_link_to_the_drilldown_variables() -> None:
    rules = (REPO / "deploy/prometheus/rules/newsrisk-alerts.yml").read_text(encoding="utf-8")
    assert "/d/newsrisk-drilldown?var-key_kind=" in rules and "&var-key=" in rules


def test_evidence_links_to_the_api() -> None:
    drill = json.loads((DASHBOARD_DIR / "newsrisk-drilldown.json").read_text(encoding="utf-8"))
    urls = json.dumps(drill)
    assert "${api_url}/alerts/${__data.fields.alert_id}" in urls
    assert "newsrisk_alert_evidence_info" in urls
