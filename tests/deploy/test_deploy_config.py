"""Deployment files: YAML well-formed, Prometheus/Alertmanager configs valid, compose and
Kubernetes manifests structurally complete, Kustomize renders, copies in sync."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "docker-compose.yml"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("NEWSRISK_REQUIRE_BINARIES") == "1":
        pytest.fail(f"{name} not installed, and NEWSRISK_REQUIRE_BINARIES=1")
    pytest.skip(f"{name} not installed")


def run(*argv: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, f"{' '.join(argv)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(p.relative_to(DEPLOY).as_posix()
                                        for p in [*DEPLOY.rglob("*.yml"), *DEPLOY.rglob("*.yaml")]))
def test_yaml_is_well_formed(path: str) -> None:
    docs = list(yaml.safe_load_all((DEPLOY / path).read_text(encoding="utf-8")))
    assert docs and all(d is not None for d in docs)


# --- docker-compose --------------------------------------------------------------------------
def test_compose_has_the_full_stack() -> None:
    services = compose()["services"]
    assert {"kafka", "worker", "postgres", "prometheus", "alertmanager", "grafana"} <= set(services)
    kafka_env = services["kafka"]["environment"]
    assert "controller" in kafka_env["KAFKA_PROCESS_ROLES"]  # KRaft, no ZooKeeper
    assert not any("zookeeper" in s for s in services)


def test_compose_worker_settings_and_secrets() -> None:
    data = compose()
    worker = data["services"]["worker"]
    env = worker["environment"]
    assert env["NEWSRISK_BROKER"] == "kafka://kafka:9092"
    assert env["NEWSRISK_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["NEWSRISK_METRICS_HOST"] == "0.0.0.0"
    assert env["NEWSRISK_API_TOKEN_FILE"].startswith("/run/secrets/")
    assert "newsrisk_api_token" in worker["secrets"] and "newsrisk_api_token" in data["secrets"]
    assert "replicas" in worker["deploy"]
    assert worker["build"]["dockerfile"] == "deploy/Dockerfile"
    assert set(worker["depends_on"]) == {"kafka", "postgres"}


def test_compose_mounts_exist() -> None:
    for name, svc in compose()["services"].items():
        for vol in svc.get("volumes", []):
            src = vol.split(":", 1)[0]
            if src.startswith("."):
                assert (DEPLOY / src).exists(), f"{name}: {src} does not exist"
    for secret in compose()["secrets"].values():
        default = secret["file"].split(":-", 1)[-1].rstrip("}")
        assert (DEPLOY / default).is_file()


def test_compose_config_with_docker_compose() -> None:
    exe = shutil.which("docker-compose")
    if exe is None:
        if os.environ.get("NEWSRISK_REQUIRE_BINARIES") == "1":
            pytest.fail("docker-compose not installed, and NEWSRISK_REQUIRE_BINARIES=1")
        pytest.skip("docker-compose not installed (needs no engine for `config`)")
    out = yaml.safe_load(run(exe, "-f", str(COMPOSE), "config", cwd=DEPLOY))
    assert "worker" in out["services"]


def test_compose_prometheus_config_is_valid(tmp_path: Path) -> None:
    promtool = tool("promtool")
    config = yaml.safe_load((DEPLOY / "compose/prometheus.yml").read_text(encoding="utf-8"))
    rules = DEPLOY / "prometheus/rules"
    config["rule_files"] = [str(rules / Path(p).name) for p in config["rule_files"]]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    run(promtool, "check", "config", str(path))
    jobs = {j["job_name"] for j in config["scrape_configs"]}
    assert "newsrisk-worker" in jobs  # the job name the dashboards and alerts filter on


def test_compose_alertmanager_config_is_valid(tmp_path: Path) -> None:
    amtool = tool("amtool")
    config = yaml.safe_load((DEPLOY / "compose/alertmanager.yml").read_text(encoding="utf-8"))
    assert config["templates"] == ["/etc/alertmanager/templates/*.tmpl"]
    config["templates"] = [str(DEPLOY / "alertmanager/templates/*.tmpl")]
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    run(amtool, "check-config", str(path))
    urls = [w["url"] for r in config["receivers"] for w in r.get("webhook_configs", [])]
    assert urls and all(u.startswith("http://webhook:9095/") for u in urls)


def test_dockerfile_installs_torch_then_the_package() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    torch = text.index('pip install "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX}"')
    assert "ARG TORCH_VERSION=2.13.0" in text
    assert "https://download.pytorch.org/whl/cpu" in text
    assert text.index("pip install .") > torch


# --- Grafana provisioning --------------------------------------------------------------------
def test_grafana_provisioning() -> None:
    prov = DEPLOY / "grafana/provisioning"
    ds = yaml.safe_load((prov / "datasources/newsrisk.yml").read_text(encoding="utf-8"))
    assert [d for d in ds["datasources"] if d["type"] == "prometheus" and d["isDefault"]]
    dash = yaml.safe_load((prov / "dashboards/newsrisk.yml").read_text(encoding="utf-8"))
    (provider,) = dash["providers"]
    assert provider["type"] == "file"
    mounts = compose()["services"]["grafana"]["volumes"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in mounts


def test_k8s_copies_match_deploy_grafana() -> None:
    for src in (DEPLOY / "grafana/dashboards").glob("*.json"):
        assert (K8S / "dashboards" / src.name).read_text() == src.read_text(), (
            f"run `newsrisk dashboards export {K8S / 'dashboards'}`")
    prov = DEPLOY / "grafana/provisioning"
    assert (K8S / "grafana/datasources.yml").read_text() == \
        (prov / "datasources/newsrisk.yml").read_text()
    assert (K8S / "grafana/dashboards.yml").read_text() == \
        (prov / "dashboards/newsrisk.yml").read_text()


# --- Kubernetes ------------------------------------------------------------------------------
def k8s_objects() -> list[dict[str, Any]]:
    """Rendered by ``kubectl kustomize`` when available, else the raw resource files."""
    kubectl = shutil.which("kubectl")
    if kubectl:
        return [d for d in yaml.safe_load_all(run(kubectl, "kustomize", str(K8S))) if d]
    kust = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    return [d for f in kust["resources"]
            for d in yaml.safe_load_all((K8S / f).read_text(encoding="utf-8")) if d]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in k8s_objects() if o["kind"] == kind}


def test_kustomize_renders() -> None:
    tool("kubectl")
    kinds = {o["kind"] for o in k8s_objects()}
    assert {"Deployment", "Service", "ConfigMap", "Secret", "ScaledObject"} <= kinds


def test_every_deployment_has_resources_probes_and_secrets() -> None:
    for name, dep in by_kind("Deployment").items():
        for c in dep["spec"]["template"]["spec"]["containers"]:
            assert c["resources"]["requests"] and c["resources"]["limits"], name
            assert "readinessProbe" in c and "livenessProbe" in c, name
        if name.startswith("newsrisk-worker"):
            (c,) = dep["spec"]["template"]["spec"]["containers"]
            env = {e["name"]: e for e in c["env"]}
            assert env["NEWSRISK_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
            assert env["NEWSRISK_KAFKA_SASL_PASSWORD_FILE"]["value"].startswith("/run/secrets/")
            assert env["NEWSRISK_API_TOKEN_FILE"]["value"].startswith("/run/secrets/")
            assert c["envFrom"][0]["configMapRef"]["name"].startswith("newsrisk-config")
            assert {p["containerPort"] for p in c["ports"]} == {9108, 6066}


def test_gpu_workers_land_on_gpu_nodes() -> None:
    spec = by_kind("Deployment")["newsrisk-worker-gpu"]["spec"]["template"]["spec"]
    assert spec["nodeSelector"] == {"newsrisk.io/gpu": "true"}
    assert any(t["key"] == "nvidia.com/gpu" for t in spec["tolerations"])
    (c,) = spec["containers"]
    assert c["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert {"name": "NEWSRISK_DEVICE", "value": "cuda"} in c["env"]
    cpu = by_kind("Deployment")["newsrisk-worker"]["spec"]["template"]["spec"]
    assert "nodeSelector" not in cpu


def test_keda_scales_workers_on_kafka_lag() -> None:
    deployments = by_kind("Deployment")
    scaled = by_kind("ScaledObject")
    assert {s["spec"]["scaleTargetRef"]["name"] for s in scaled.values()} == {
        "newsrisk-worker", "newsrisk-worker-gpu"}
    for s in scaled.values():
        assert s["spec"]["scaleTargetRef"]["name"] in deployments
        (trigger,) = s["spec"]["triggers"]
        assert trigger["type"] == "kafka"
        meta = trigger["metadata"]
        assert int(meta["lagThreshold"]) > 0
        assert meta["topic"] == "news.raw" and meta["consumerGroup"] == "newsrisk"
        assert trigger["authenticationRef"]["name"] in by_kind("TriggerAuthentication")
