"""JSON responses, JSON errors (``{"error", "hint"}``) and hardening headers for every response."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("newsrisk.api")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Escaping <, > and & keeps any HTML inside article text inert even if a client sniffs the body;
# the JSON still decodes to the original strings.
_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})

_HINTS = {
    404: "see GET /openapi.json for the endpoints",
    405: "see GET /openapi.json for the methods each endpoint allows",
    413: "request bodies are limited; send a small JSON object",
}


class ApiError(Exception):
    def __init__(self, status: int, error: str, hint: str = "",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.hint = hint
        self.headers = headers or {}


def dumps(data: Any) -> str:
    return json.dumps(data, default=str, allow_nan=False).translate(_ESCAPES)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None
                  ) -> web.Response:
    return web.Response(text=dumps(data), status=status, content_type="application/json",
                        headers=headers)


def error_response(status: int, error: str, hint: str = "",
                   headers: dict[str, str] | None = None) -> web.Response:
    return json_response({"error": error, "hint": hint}, status, headers)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into a JSON error; never leak internals (or request headers)."""
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.error, exc.hint, exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {k: v for k, v in exc.headers.items() if k.lower() == "allow"}
        return error_response(exc.status, exc.reason.lower(), _HINTS.get(exc.status, ""),
                              headers)
    except SQLAlchemyError as exc:
        log.warning("database error in API request",
                    extra={"path": request.path, "error": type(exc).__name__})
        return error_response(503, "database unavailable", "retry later; see GET /ready")
    except Exception:
        log.exception("unhandled error in API request", extra={"path": request.path})
        return error_response(500, "internal error", "see the worker log")


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
