"""Serve an aiohttp application from its own event loop in a daemon thread.

Independent of Faust's event loop and web server: a slow API request never stalls the stream
agents, and the API keeps answering ``/health`` while the worker rebalances.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from aiohttp import web

log = logging.getLogger("newsrisk.api")


class ApiThread:
    """A running API server; call ``stop()`` (or the object itself) to shut it down."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="newsrisk-api", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_s: float = 30.0) -> ApiThread:
        self._thread.start()
        if not self._started.wait(timeout_s):
            raise RuntimeError(f"the API did not start within {timeout_s:.0f}s")
        if self._error is not None:
            raise RuntimeError(f"the API could not listen on {self.host}:{self.port}: "
                               f"{self._error}") from self._error
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
            self._error = exc
            self._started.set()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()
            return
        self._started.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    async def _serve(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=128)
        await site.start()
        server: Any = site._server  # noqa: SLF001 - the only way to learn the bound port
        if server is not None and server.sockets:
            self.port = int(server.sockets[0].getsockname()[1])

    def stop(self, timeout_s: float = 10.0) -> None:
        if self._thread.is_alive() and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout_s)

    __call__ = stop


def run_api_in_thread(app: web.Application, host: str, port: int) -> ApiThread:
    """Start serving ``app`` on ``host:port`` (0 = any free port); returns the stopper."""
    api = ApiThread(app, host, port).start()
    log.info("API listening", extra={"url": api.url})
    return api
