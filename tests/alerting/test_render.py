"""Rendering deploy/ configs with a webhook base URL, shorter timings and `for:` durations."""

from __future__ import annotations

from pathlib import Path

import yaml

from newsrisk.alerting.render import (
    ALERTMANAGER_CONFIG,
    RULE_FILES,
    main,
    render_alertmanager_config,
    render_rule_file,
    render_rule_files,
)


def test_webhooks_point_at_base_url_per_receiver() -> None:
    config = render_alertmanager_config("http://127.0.0.1:1234/hooks/")
    urls = {r["name"]: r["webhook_configs"][0]["url"] for r in config["receivers"]}
    assert urls["risk-critical"] == "http://127.0.0.1:1234/hooks/risk-critical"
    assert urls["ops"] == "http://127.0.0.1:1234/hooks/ops"
    (template,) = config["templates"]
    assert Path(template).is_absolute()
    assert Path(template).parent == ALERTMANAGER_CONFIG.parent / "templates"


def test_timing_overrides_reach_every_route_that_sets_them() -> None:
    original = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    config = render_alertmanager_config("http://x", group_wait="0s", repeat_interval="1m")

    def walk(route: dict) -> list[dict]:
        return [route] + [r for c in route.get("routes", []) for r in walk(c)]

    routes, before = walk(config["route"]), walk(original["route"])
    assert routes[0]["group_wait"] == "0s"
    for new, old in zip(routes, before, strict=True):
        for key, value in (("group_wait", "0s"), ("repeat_interval", "1m")):
            if key in old:
                assert new[key] == value
        assert new.get("group_interval") == old.get("group_interval")


def test_rule_for_override_keeps_everything_else() -> None:
    alerts = RULE_FILES[1]
    original = yaml.safe_load(alerts.read_text())
    rendered = render_rule_file(alerts, for_="0s")
    for g_old, g_new in zip(original["groups"], rendered["groups"], strict=True):
        for r_old, r_new in zip(g_old["rules"], g_new["rules"], strict=True):
            assert r_new.pop("for") == "0s"
            r_old.pop("for", None)
            assert r_new == r_old
    assert render_rule_file(alerts) == yaml.safe_load(alerts.read_text())


def test_render_rule_files_and_cli(tmp_path: Path, capsys) -> None:
    paths = render_rule_files(tmp_path / "rules", for_="5s")
    assert [p.name for p in paths] == [p.name for p in RULE_FILES]
    out = tmp_path / "am.yml"
    assert main(["alertmanager", "--webhook-base-url", "http://h:1", "-o", str(out)]) == 0
    assert "http://h:1/ops" in out.read_text()
    assert main(["alertmanager", "--webhook-base-url", "http://h:2"]) == 0
    assert "http://h:2/risk-macro" in capsys.readouterr().out
