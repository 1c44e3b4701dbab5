"""promtool over deploy/prometheus: config and rule syntax, lint, and the rule unit tests."""

from __future__ import annotations

from alerting_support import PROMETHEUS_DIR, require_binary, run_tool


def test_prometheus_config_is_valid() -> None:
    promtool = require_binary("promtool")
    run_tool(promtool, "check", "config", str(PROMETHEUS_DIR / "prometheus.yml"))


def test_rules_are_valid_and_lint_clean() -> None:
    promtool = require_binary("promtool")
    files = sorted(str(p) for p in (PROMETHEUS_DIR / "rules").glob("*.yml"))
    assert len(files) == 2
    out = run_tool(promtool, "check", "rules", "--lint=all", "--lint-fatal", *files)
    assert "SUCCESS" in out.stdout


def test_rule_unit_tests_pass() -> None:
    promtool = require_binary("promtool")
    tests = sorted(str(p) for p in (PROMETHEUS_DIR / "tests").glob("*.yml"))
    assert tests, "no promtool rule tests in deploy/prometheus/tests"
    run_tool(promtool, "test", "rules", *tests, cwd=PROMETHEUS_DIR / "tests")


def test_every_alert_has_a_unit_test() -> None:
    import yaml

    rules = yaml.safe_load((PROMETHEUS_DIR / "rules" / "newsrisk-alerts.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    tested: set[str] = set()
    for path in (PROMETHEUS_DIR / "tests").glob("*.yml"):
        for test in yaml.safe_load(path.read_text())["tests"]:
            tested.update(t["alertname"] for t in test.get("alert_rule_test", []))
    assert alerts <= tested, f"alerts without a promtool test: {sorted(alerts - tested)}"
