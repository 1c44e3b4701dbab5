"""The HTTP API application factory (aiohttp): routes, limits, JSON errors and headers.

Read-only endpoints are open (bind to loopback, the default, or pass ``protect_reads``); the one
state change (``POST /alerts/{id}/ack``) needs ``Authorization: Bearer <token>`` and is disabled
(403) when no token is configured.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from newsrisk.api.handlers import Handlers
from newsrisk.api.responses import json_errors, security_headers
from newsrisk.api.server import run_api_in_thread
from newsrisk.storage.store import Store

__all__ = ["create_api", "run_api_in_thread"]
MAX_BODY_BYTES = 16 * 1024


def create_api(store: Store, readiness: Callable[[], bool], token: str | None, *,
               protect_reads: bool = False, db_threads: int = 4) -> web.Application:
    """Build the API over ``store``; ``readiness()`` says whether the stream worker has joined."""
    h = Handlers(store.engine, readiness, token, protect_reads=protect_reads,
                 db_threads=db_threads)
    app = web.Application(middlewares=[json_errors], client_max_size=MAX_BODY_BYTES)
    app.on_startup.append(h.startup)
    app.on_cleanup.append(h.cleanup)
    app.on_response_prepare.append(security_headers)
    app.add_routes([
        web.get("/alerts", h.alerts),
        web.get("/alerts/{id}", h.alert),
        web.post("/alerts/{id}/ack", h.ack),
        web.get("/topics", h.topics),
        web.get("/entities/{ticker}", h.entity),
        web.get("/health", h.health),
        web.get("/ready", h.ready),
        web.get("/openapi.json", h.openapi),
    ])
    return app
