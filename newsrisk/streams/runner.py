"""Run a newsrisk worker process: Prometheus exporter + Faust worker."""

from __future__ import annotations

import asyncio
import logging

from prometheus_client import start_http_server

from newsrisk.config import Settings

log = logging.getLogger("newsrisk.worker")


def run_worker(settings: Settings, loglevel: str = "WARNING") -> None:
    import faust

    from newsrisk.streams.app import NewsriskWorker

    asyncio.set_event_loop(asyncio.new_event_loop())
    worker = NewsriskWorker(settings)
    server, _thread = start_http_server(settings.metrics_port, addr=settings.metrics_host,
                                        registry=worker.registry)
    log.info("worker starting", extra={
        "broker": settings.broker, "database": settings.database_url.split("@")[-1],
        "metrics": f"http://{settings.metrics_host}:{settings.metrics_port}/metrics",
        "model": worker.classifier.name, "device": worker.classifier.device,
    })
    faust_worker = faust.Worker(worker.app, loglevel=loglevel, quiet=True,
                                redirect_stdouts=False)
    try:
        faust_worker.execute_from_commandline()
    finally:
        server.shutdown()
        worker.executor.shutdown(wait=False)
