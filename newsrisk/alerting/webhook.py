"""A tiny Alertmanager webhook receiver that records what it gets.

Alertmanager POSTs one JSON payload per notification (``version: "4"``: ``receiver``, ``status``,
``alerts[]`` with ``labels``/``annotations``/``startsAt``, ``groupLabels``, ...) to the receiver's
URL. :class:`WebhookReceiver` serves every path on one loopback port, so ``<url>/risk-critical``
and ``<url>/ops`` land in the same recorder with their path kept, and stamps each payload with
its arrival time. Tests and benchmarks wait on it; ``python -m newsrisk.alerting.webhook`` runs
it as newsrisk's example receiver and prints one JSON line per notification.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

MAX_BODY_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Notification:
    """One POST from Alertmanager."""

    path: str  # request path, e.g. "/risk-critical"
    received_at: float  # Unix seconds when the request arrived
    payload: dict[str, Any]

    @property
    def receiver(self) -> str:
        return str(self.payload.get("receiver", ""))

    @property
    def alerts(self) -> list[dict[str, Any]]:
        return list(self.payload.get("alerts", []))

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "received_at": self.received_at, "payload": self.payload}


def labels_match(alert: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """True when the alert carries every given label with the given value."""
    have = alert.get("labels", {})
    return all(have.get(k) == v for k, v in labels.items())


class WebhookReceiver:
    """Threaded HTTP server recording Alertmanager notifications; use as a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        on_notification: Callable[[Notification], None] | None = None,
    ) -> None:
        self._lock = threading.Condition()
        self._received: list[Notification] = []
        self._on_notification = on_notification
        self._server = ThreadingHTTPServer((host, port), _make_handler(self._record))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> WebhookReceiver:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="newsrisk-webhook", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- recorded notifications --------------------------------------------------------------
    def _record(self, notification: Notification) -> None:
        with self._lock:
            self._received.append(notification)
            self._lock.notify_all()
        if self._on_notification is not None:
            self._on_notification(notification)

    def notifications(self) -> list[Notification]:
        with self._lock:
            return list(self._received)

    def clear(self) -> None:
        with self._lock:
            self._received.clear()

    def alerts(self) -> Iterator[tuple[Notification, dict[str, Any]]]:
        """Every (notification, alert) pair received so far, oldest first."""
        for n in self.notifications():
            for alert in n.alerts:
                yield n, alert

    def wait_for(
        self, predicate: Callable[[Notification], bool], timeout: float
    ) -> Notification:
        """The first notification satisfying ``predicate``, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._lock:
            while True:
                for n in self._received[seen:]:
                    if predicate(n):
                        return n
                seen = len(self._received)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"no matching notification within {timeout:g}s "
                        f"({len(self._received)} received)"
                    )
                self._lock.wait(left)

    def wait_for_alert(
        self, labels: Mapping[str, str], timeout: float, status: str = "firing"
    ) -> tuple[Notification, dict[str, Any]]:
        """The first notification holding an alert with these labels and status, and the alert."""

        def find(n: Notification) -> dict[str, Any] | None:
            for alert in n.alerts:
                if alert.get("status") == status and labels_match(alert, labels):
                    return alert
            return None

        n = self.wait_for(lambda n: find(n) is not None, timeout)
        alert = find(n)
        assert alert is not None
        return n, alert


def _make_handler(record: Callable[[Notification], None]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            arrived = time.time()
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._reply(413, "payload too large")
                return
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._reply(400, "body is not JSON")
                return
            if not isinstance(payload, dict):
                self._reply(400, "body is not a JSON object")
                return
            record(Notification(self.path, arrived, payload))
            self._reply(200, "ok")

        def do_GET(self) -> None:  # noqa: N802 - health check
            self._reply(200, "newsrisk webhook receiver")

        def _reply(self, code: int, text: str) -> None:
            body = text.encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            return

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsrisk.alerting.webhook",
        description="Example Alertmanager webhook receiver: prints one JSON line per "
        "notification (path, received_at, payload) to stdout.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9095, help="port to listen on (default 9095)")
    args = parser.parse_args(argv)

    def emit(n: Notification) -> None:
        print(json.dumps(n.to_dict(), sort_keys=True), flush=True)

    try:
        receiver = WebhookReceiver(args.host, args.port, on_notification=emit)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with receiver:
        print(f"listening on {receiver.url}", file=sys.stderr, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
