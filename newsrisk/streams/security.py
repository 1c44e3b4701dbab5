"""Kafka TLS/SASL settings for Faust/aiokafka and kafka-python, from ``Settings``."""

from __future__ import annotations

import ssl
from typing import Any

import faust

from newsrisk.config import Settings


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if "SSL" not in settings.kafka_security_protocol.upper():
        return None
    ctx = ssl.create_default_context(cafile=settings.kafka_ssl_cafile)
    if settings.kafka_ssl_certfile:
        ctx.load_cert_chain(settings.kafka_ssl_certfile, settings.kafka_ssl_keyfile)
    return ctx


def faust_credentials(settings: Settings) -> Any:
    proto = settings.kafka_security_protocol.upper()
    ctx = ssl_context(settings)
    if proto.startswith("SASL"):
        if not settings.kafka_sasl_username or settings.kafka_sasl_password is None:
            raise ValueError(
                "SASL needs NEWSRISK_KAFKA_SASL_USERNAME and NEWSRISK_KAFKA_SASL_PASSWORD "
                "(or NEWSRISK_KAFKA_SASL_PASSWORD_FILE)"
            )
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username, password=settings.kafka_sasl_password,
            ssl_context=ctx, mechanism=settings.kafka_sasl_mechanism or "PLAIN",
        )
    if ctx is not None:
        return faust.SSLCredentials(ctx)
    return None


def kafka_python_kwargs(settings: Settings) -> dict[str, Any]:
    """Connection kwargs for kafka-python clients (producer, consumer, admin)."""
    kw: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers.split(","),
        "security_protocol": settings.kafka_security_protocol.upper(),
    }
    if "SSL" in kw["security_protocol"]:
        kw["ssl_cafile"] = settings.kafka_ssl_cafile
        kw["ssl_certfile"] = settings.kafka_ssl_certfile
        kw["ssl_keyfile"] = settings.kafka_ssl_keyfile
        kw["ssl_check_hostname"] = True
    if kw["security_protocol"].startswith("SASL"):
        kw["sasl_mechanism"] = settings.kafka_sasl_mechanism or "PLAIN"
        kw["sasl_plain_username"] = settings.kafka_sasl_username
        kw["sasl_plain_password"] = settings.kafka_sasl_password
    return kw
