"""Bearer-token checks: state changes need the configured token; without one they are disabled."""

from __future__ import annotations

import hmac

from aiohttp import web

from newsrisk.api.responses import ApiError

ENABLE_HINT = ("set NEWSRISK_API_TOKEN (or NEWSRISK_API_TOKEN_FILE pointing at a secret file) "
               "and restart the worker")


def check_token(request: web.Request, token: str | None) -> None:
    """Raise 403 when no token is configured, 401 when the request's token is missing or wrong."""
    if not token:
        raise ApiError(403, "state-changing requests are disabled: no API token is configured",
                       ENABLE_HINT)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="newsrisk"'}
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(401, "missing bearer token",
                       "send the header 'Authorization: Bearer <token>'", challenge)
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(401, "invalid bearer token",
                       "use the token configured as NEWSRISK_API_TOKEN", challenge)
