"""The worker's API wiring: readiness follows the Faust group join; a taken port is not fatal."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from api_support import call
from mode import Signal

from newsrisk.config import Settings
from newsrisk.streams.broker import free_port
from newsrisk.streams.runner import _is_loopback, _start_api


def fake_worker(store):
    """Just what ``_start_api`` touches; the signal is sent like Faust's (sender = the app)."""
    class FakeApp:
        pass

    app = FakeApp()
    app.on_partitions_assigned = Signal(default_sender=app)  # type: ignore[attr-defined]
    return SimpleNamespace(store=store, app=app)


def test_ready_after_partitions_assigned(store):
    worker = fake_worker(store)
    api = _start_api(Settings(web_port=free_port()), worker)
    assert api is not None
    try:
        assert call(api.url, "GET", "/health").status == 200
        assert call(api.url, "GET", "/ready").status == 503
        asyncio.run(worker.app.on_partitions_assigned.send(set()))
        assert call(api.url, "GET", "/ready").status == 200
    finally:
        api.stop()


def test_taken_port_leaves_the_worker_running_without_api(store, start_api, caplog):
    busy = start_api(store)
    assert _start_api(Settings(web_port=busy.port), fake_worker(store)) is None
    assert "NEWSRISK_WEB_PORT" in caplog.text


def test_loopback_detection():
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("10.0.0.1")
