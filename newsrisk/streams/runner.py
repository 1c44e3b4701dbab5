"""Run a newsrisk worker process: Prometheus exporter + HTTP API + Faust worker."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import threading
from typing import TYPE_CHECKING, Any

from prometheus_client import start_http_server

from newsrisk.config import Settings

if TYPE_CHECKING:
    from newsrisk.api import ApiThread
    from newsrisk.streams.app import NewsriskWorker

log = logging.getLogger("newsrisk.worker")


def run_worker(settings: Settings, loglevel: str = "WARNING") -> None:
    import faust

    from newsrisk.streams.app import NewsriskWorker

    asyncio.set_event_loop(asyncio.new_event_loop())
    worker = NewsriskWorker(settings)
    server, _thread = start_http_server(settings.metrics_port, addr=settings.metrics_host,
                                        registry=worker.registry)
    api = _start_api(settings, worker)
    log.info("worker starting", extra={
        "broker": settings.broker, "database": settings.database_url.split("@")[-1],
        "metrics": f"http://{settings.metrics_host}:{settings.metrics_port}/metrics",
        "api": api.url if api else None,
        "model": worker.classifier.name, "device": worker.classifier.device,
    })
    faust_worker = faust.Worker(worker.app, loglevel=loglevel, quiet=True,
                                redirect_stdouts=False)
    try:
        faust_worker.execute_from_commandline()
    finally:
        if api:
            api.stop()
        server.shutdown()
        worker.executor.shutdown(wait=False)


def _start_api(settings: Settings, worker: NewsriskWorker) -> ApiThread | None:
    """Serve the HTTP API in its own thread; ready once the worker has joined its group.

    A port already taken (several workers on one host with the default port) leaves this worker
    without an API rather than down: it logs an error, and its ``/ready`` never answers.
    """
    from newsrisk.api import create_api, run_api_in_thread

    joined = threading.Event()

    async def _on_assigned(app: Any, assigned: Any, **kwargs: Any) -> None:
        joined.set()  # the first assignment (possibly empty) means the group join completed

    worker.app.on_partitions_assigned.connect(_on_assigned)
    if not _is_loopback(settings.web_host):
        log.warning("the API listens beyond loopback: read endpoints are open to the network",
                    extra={"web_host": settings.web_host,
                           "state_changes": "token" if settings.api_token else "disabled"})
    app = create_api(worker.store, joined.is_set, settings.api_token)
    try:
        return run_api_in_thread(app, settings.web_host, settings.web_port)
    except RuntimeError as exc:
        log.error("HTTP API not started; set NEWSRISK_WEB_PORT to a free port",
                  extra={"error": str(exc)})
        return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
