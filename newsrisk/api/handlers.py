"""Request handlers: parse, run the blocking query in the API's thread pool, answer JSON."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.engine import Engine

from newsrisk.api import acks, params, queries
from newsrisk.api.auth import check_token
from newsrisk.api.openapi import SPEC
from newsrisk.api.responses import ApiError, json_response

log = logging.getLogger("newsrisk.api")
T = TypeVar("T")
READY_TIMEOUT_S = 3.0


class Handlers:
    def __init__(self, engine: Engine, readiness: Callable[[], bool], token: str | None,
                 protect_reads: bool = False, db_threads: int = 4) -> None:
        self.engine = engine
        self.readiness = readiness
        self.token = token
        self.protect_reads = protect_reads
        self.db_threads = db_threads
        self.executor: ThreadPoolExecutor | None = None

    # --- lifecycle ----------------------------------------------------------------------------
    async def startup(self, app: web.Application) -> None:
        self.executor = ThreadPoolExecutor(self.db_threads, thread_name_prefix="api-db")
        await self._db(acks.ensure_schema, self.engine)

    async def cleanup(self, app: web.Application) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)

    async def _db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    def _read_access(self, request: web.Request) -> None:
        if self.protect_reads:
            check_token(request, self.token)

    # --- probes -------------------------------------------------------------------------------
    async def health(self, request: web.Request) -> web.Response:
        return json_response({"status": "ok"})

    async def ready(self, request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(self._db(queries.ping, self.engine), READY_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            return json_response({"status": "not ready", "reason":
                                  f"database does not answer ({type(exc).__name__})"}, 503)
        try:
            ok = bool(self.readiness())
        except Exception as exc:  # noqa: BLE001
            ok, why = False, f"readiness check failed ({type(exc).__name__})"
        else:
            why = "the stream worker has not joined its consumer group yet"
        if not ok:
            return json_response({"status": "not ready", "reason": why}, 503)
        return json_response({"status": "ready"})

    async def openapi(self, request: web.Request) -> web.Response:
        return json_response(SPEC)

    # --- alerts -------------------------------------------------------------------------------
    async def alerts(self, request: web.Request) -> web.Response:
        self._read_access(request)
        q = request.query
        rows = await self._db(
            queries.list_alerts, self.engine, params.limit(q.get("limit")),
            key=params.key(q.get("key")), severity=params.severity(q.get("severity")),
            since=params.since(q.get("since")))
        found = await self._db(acks.acks_for, self.engine, [r["id"] for r in rows])
        for r in rows:
            ack = found.get(r["id"])
            r["ack"] = ack.to_dict() if ack else None
        return json_response({"count": len(rows), "alerts": rows})

    async def alert(self, request: web.Request) -> web.Response:
        self._read_access(request)
        alert_id = params.alert_id(request.match_info["id"])
        payload = await self._db(queries.get_alert, self.engine, alert_id)
        if payload is None:
            raise ApiError(404, f"no alert with id {alert_id!r}", "list alerts with GET /alerts")
        ids = [e["id"] for e in payload.get("evidence", [])]
        evidence = await self._db(queries.articles_by_ids, self.engine, ids)
        ack = await self._db(acks.get_ack, self.engine, alert_id)
        return json_response({
            "alert": payload, "evidence": evidence,
            "explanations": payload.get("explanations", {}),
            "ack": ack.to_dict() if ack else None,
        })

    async def ack(self, request: web.Request) -> web.Response:
        check_token(request, self.token)
        alert_id = params.alert_id(request.match_info["id"])
        user, note = await _ack_body(request)
        if await self._db(queries.get_alert, self.engine, alert_id) is None:
            raise ApiError(404, f"no alert with id {alert_id!r}", "list alerts with GET /alerts")
        ack, created = await self._db(acks.acknowledge, self.engine, alert_id, user, note)
        log.info("alert acknowledged", extra={"alert_id": alert_id, "user": user,
                                              "created": created})
        return json_response({"ack": ack.to_dict(), "created": created}, 201 if created else 200)

    # --- topics and entities ------------------------------------------------------------------
    async def topics(self, request: web.Request) -> web.Response:
        self._read_access(request)
        return json_response({"topics": await self._db(queries.topics, self.engine)})

    async def entity(self, request: web.Request) -> web.Response:
        self._read_access(request)
        ticker = params.ticker(request.match_info["ticker"])
        data = await self._db(queries.entity, self.engine, ticker)
        if not (data["windows"] or data["alerts"] or data["articles"]):
            raise ApiError(404, f"no windows, alerts or articles for {ticker} yet",
                           "entities appear once the worker has scored an article naming them")
        return json_response(data)


async def _ack_body(request: web.Request) -> tuple[str, str]:
    hint = 'send {"user": "alice", "note": "optional"} as application/json'
    if request.content_type != "application/json":
        raise ApiError(415, "the body must be application/json", hint)
    try:
        body = json.loads(await request.text())
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise ApiError(400, "the body is not valid JSON", hint) from None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object", hint)
    user, note = body.get("user"), body.get("note", "")
    if not isinstance(user, str) or not user.strip() or len(user) > acks.MAX_USER_CHARS:
        raise ApiError(400, f"'user' must be a non-empty string of at most "
                       f"{acks.MAX_USER_CHARS} characters", hint)
    if not isinstance(note, str) or len(note) > acks.MAX_NOTE_CHARS:
        raise ApiError(400, f"'note' must be a string of at most {acks.MAX_NOTE_CHARS} "
                       "characters", hint)
    if not user.isprintable() or "\x00" in note:
        raise ApiError(400, "'user' and 'note' must not contain control characters", hint)
    return user.strip(), note
