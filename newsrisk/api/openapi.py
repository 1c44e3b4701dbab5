"""A hand-written, minimal OpenAPI 3 description of the API (served at ``GET /openapi.json``)."""

from __future__ import annotations

from typing import Any

from newsrisk.api.params import DEFAULT_LIMIT, MAX_LIMIT, SEVERITIES


def _json(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {}}}


_ERR = {"$ref": "#/components/responses/Error"}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "newsrisk worker API", "version": "1",
             "description": "Read-only views of alerts, topics and entities; acknowledging an "
                            "alert needs the bearer token (NEWSRISK_API_TOKEN)."},
    "paths": {
        "/alerts": {"get": {
            "summary": "Alerts, latest window first",
            "parameters": [
                {"name": "limit", "in": "query", "schema": {
                    "type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT}},
                {"name": "key", "in": "query", "schema": {"type": "string"},
                 "description": "a topic name or a ticker"},
                {"name": "severity", "in": "query",
                 "schema": {"type": "string", "enum": list(SEVERITIES)}},
                {"name": "since", "in": "query", "schema": {"type": "string",
                                                            "format": "date-time"},
                 "description": "only windows starting at or after this time"},
            ],
            "responses": {"200": _json("{count, alerts: [alert payload + ack]}"), "400": _ERR}}},
        "/alerts/{id}": {"get": {
            "summary": "One alert with its evidence articles and explanations",
            "parameters": [_ID],
            "responses": {"200": _json("{alert, evidence, explanations, ack}"), "404": _ERR}}},
        "/alerts/{id}/ack": {"post": {
            "summary": "Acknowledge an alert (idempotent: the first ack stands)",
            "security": [{"bearer": []}], "parameters": [_ID],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["user"], "properties": {
                    "user": {"type": "string", "maxLength": 128},
                    "note": {"type": "string", "maxLength": 1000}}}}}},
            "responses": {"201": _json("{ack, created: true}"),
                          "200": _json("{ack, created: false}: already acknowledged"),
                          "400": _ERR, "401": _ERR, "403": _ERR, "404": _ERR, "413": _ERR,
                          "415": _ERR}}},
        "/topics": {"get": {
            "summary": "Per topic: article count and the latest closed window per window name",
            "responses": {"200": _json("{topics: [{topic, articles, windows}]}")}}},
        "/entities/{ticker}": {"get": {
            "summary": "Latest windows, alerts and articles of one entity",
            "parameters": [{"name": "ticker", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9.-]{0,9}$"}}],
            "responses": {"200": _json("{ticker, latest, windows, alerts, articles}"),
                          "400": _ERR, "404": _ERR}}},
        "/health": {"get": {"summary": "The process is alive",
                            "responses": {"200": _json("{status: ok}")}}},
        "/ready": {"get": {"summary": "The database answers and the worker has joined",
                           "responses": {"200": _json("{status: ready}"),
                                         "503": _json("{status: not ready, reason}")}}},
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "responses": {"Error": {"description": "an error", "content": {"application/json": {
            "schema": {"type": "object", "properties": {
                "error": {"type": "string"}, "hint": {"type": "string"}}}}}}},
    },
}
