"""Run real Prometheus and Alertmanager binaries on free loopback ports, for tests and demos.

Each runner is a context manager that writes its config into a fresh temporary directory,
starts the binary bound to ``127.0.0.1``, waits until ``/-/ready`` answers and yields a
:class:`Service` (``service.url`` is the base URL). On exit the process is stopped and the
directory removed. A missing binary raises :class:`BinaryNotFoundError` telling how to install
it; a process that dies or never gets ready raises :class:`ServiceError` with its log's tail.

    with run_alertmanager(am_config) as am, run_prometheus(
        ["127.0.0.1:9108"], rule_files=[...], alertmanager_url=am.url, interval="1s"
    ) as prom:
        print(query(prom.url, "up"))
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

PROMETHEUS_BINARIES = ("prometheus",)
ALERTMANAGER_BINARIES = ("prometheus-alertmanager", "alertmanager")  # Debian, upstream
INSTALL_HINT = (
    "install them with `apt-get install prometheus prometheus-alertmanager` (Debian/Ubuntu) "
    "or put the upstream binaries on PATH"
)
_PORT_ATTEMPTS = 3
T = TypeVar("T")


class BinaryNotFoundError(RuntimeError):
    """The Prometheus or Alertmanager binary is not installed."""


class ServiceError(RuntimeError):
    """A service exited or did not become ready."""


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    url: str  # base URL, e.g. http://127.0.0.1:40123
    port: int
    workdir: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, lines: int = 30) -> str:
        return _tail(self.log_path, lines)


def find_binary(candidates: Sequence[str], binary: str | None = None) -> str:
    """Path of ``binary`` (when given) or of the first of ``candidates`` on PATH."""
    for name in (binary,) if binary else candidates:
        path = shutil.which(name)
        if path:
            return path
    wanted = binary or " or ".join(candidates)
    raise BinaryNotFoundError(f"{wanted} not found on PATH; {INSTALL_HINT}")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the caller must retry if it gets taken)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def prometheus_config(
    scrape_targets: Sequence[str],
    rule_files: Sequence[str | Path] = (),
    alertmanager_url: str | None = None,
    interval: str = "1s",
    evaluation_interval: str | None = None,
    job: str = "newsrisk-worker",
    external_labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A Prometheus config scraping ``scrape_targets`` (``host:port``) as ``job``."""
    config: dict[str, Any] = {
        "global": {
            "scrape_interval": interval,
            "scrape_timeout": interval,
            "evaluation_interval": evaluation_interval or interval,
        },
        "rule_files": [str(Path(p).resolve()) for p in rule_files],
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": list(scrape_targets)}]}
        ],
    }
    if external_labels:
        config["global"]["external_labels"] = dict(external_labels)
    if alertmanager_url:
        parsed = urllib.parse.urlsplit(alertmanager_url)
        am: dict[str, Any] = {
            "scheme": parsed.scheme or "http",
            "static_configs": [{"targets": [parsed.netloc]}],
        }
        if parsed.path.strip("/"):
            am["path_prefix"] = parsed.path
        config["alerting"] = {"alertmanagers": [am]}
    return config


@contextlib.contextmanager
def run_prometheus(
    scrape_targets: Sequence[str],
    rule_files: Sequence[str | Path] = (),
    alertmanager_url: str | None = None,
    interval: str = "1s",
    *,
    evaluation_interval: str | None = None,
    job: str = "newsrisk-worker",
    external_labels: Mapping[str, str] | None = None,
    binary: str | None = None,
    startup_timeout: float = 30.0,
) -> Iterator[Service]:
    """Run Prometheus scraping ``scrape_targets`` every ``interval`` with ``rule_files``."""
    config = prometheus_config(
        scrape_targets, rule_files, alertmanager_url, interval, evaluation_interval, job,
        external_labels,
    )
    with run_prometheus_config(config, binary=binary, startup_timeout=startup_timeout) as svc:
        yield svc


@contextlib.contextmanager
def run_prometheus_config(
    config: Mapping[str, Any], *, binary: str | None = None, startup_timeout: float = 30.0
) -> Iterator[Service]:
    """Run Prometheus with a full config (rule file paths should be absolute)."""
    exe = find_binary(PROMETHEUS_BINARIES, binary)

    def argv(workdir: Path, port: int) -> list[str]:
        return [
            exe,
            f"--config.file={workdir / 'prometheus.yml'}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-lifecycle",
            "--log.level=info",
        ]

    with _run("prometheus", "prometheus.yml", config, argv, startup_timeout) as svc:
        yield svc


@contextlib.contextmanager
def run_alertmanager(
    config: Mapping[str, Any] | str | Path,
    *,
    binary: str | None = None,
    startup_timeout: float = 30.0,
) -> Iterator[Service]:
    """Run Alertmanager with ``config`` (a dict, or a path to a YAML file), clustering off."""
    exe = find_binary(ALERTMANAGER_BINARIES, binary)
    if not isinstance(config, Mapping):
        config = yaml.safe_load(Path(config).read_text(encoding="utf-8"))

    def argv(workdir: Path, port: int) -> list[str]:
        return [
            exe,
            f"--config.file={workdir / 'alertmanager.yml'}",
            f"--storage.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=info",
        ]

    with _run("alertmanager", "alertmanager.yml", config, argv, startup_timeout) as svc:
        yield svc


# --- HTTP helpers ------------------------------------------------------------------------------
def http_get_json(url: str, timeout: float = 5.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - loopback URLs
        return json.loads(resp.read())


def query(prometheus_url: str, expr: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Instant query; the ``result`` list of a vector (``[{metric, value: [t, "v"]}]``)."""
    url = f"{prometheus_url}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    body = http_get_json(url, timeout)
    if body.get("status") != "success":
        raise ServiceError(f"query {expr!r} failed: {body.get('error')}")
    return list(body["data"]["result"])


def wait_until(
    fn: Callable[[], T | None], timeout: float, what: str, interval: float = 0.05
) -> T:
    """Poll ``fn`` until it returns something truthy; raise ``TimeoutError`` naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def wait_for_targets_up(prometheus_url: str, count: int = 1, timeout: float = 15.0) -> None:
    """Wait until ``count`` scrape targets report ``up == 1``."""

    def up() -> bool:
        return len(query(prometheus_url, "up == 1")) >= count

    wait_until(up, timeout, f"{count} target(s) up in Prometheus at {prometheus_url}")


# --- process management ------------------------------------------------------------------------
@contextlib.contextmanager
def _run(
    name: str,
    config_name: str,
    config: Mapping[str, Any],
    argv: Callable[[Path, int], list[str]],
    startup_timeout: float,
) -> Iterator[Service]:
    with tempfile.TemporaryDirectory(prefix=f"newsrisk-{name}-") as tmp:
        workdir = Path(tmp)
        (workdir / config_name).write_text(
            yaml.safe_dump(dict(config), sort_keys=False), encoding="utf-8"
        )
        svc = _start_ready(name, workdir, argv, startup_timeout)
        try:
            yield svc
        finally:
            _stop(svc.process)


def _start_ready(
    name: str, workdir: Path, argv: Callable[[Path, int], list[str]], startup_timeout: float
) -> Service:
    """Start the binary on a free port and wait until ready, retrying if the port got taken."""
    for attempt in range(_PORT_ATTEMPTS):
        port = free_port()
        log_path = workdir / f"{name}-{attempt}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                argv(workdir, port), stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                stdin=subprocess.DEVNULL,
            )
        svc = Service(name, f"http://127.0.0.1:{port}", port, workdir, log_path, proc)
        try:
            _wait_ready(svc, startup_timeout)
            return svc
        except ServiceError:
            _stop(proc)
            if "address already in use" in svc.log_tail().lower() and attempt + 1 < _PORT_ATTEMPTS:
                continue
            raise
    raise AssertionError("unreachable")


def _wait_ready(svc: Service, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = svc.process.poll()
        if code is not None:
            raise ServiceError(
                f"{svc.name} exited with code {code} during startup; log tail:\n{svc.log_tail()}"
            )
        try:
            with urllib.request.urlopen(f"{svc.url}/-/ready", timeout=1) as resp:  # noqa: S310
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise ServiceError(
        f"{svc.name} not ready at {svc.url} after {timeout:g}s; log tail:\n{svc.log_tail()}"
    )


def _stop(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
