"""Kafka TLS/SASL settings map onto Faust (aiokafka) credentials and kafka-python kwargs."""

from __future__ import annotations

import ssl

import faust
import pytest

from newsrisk.config import Settings
from newsrisk.streams.security import faust_credentials, kafka_python_kwargs, ssl_context


def test_plaintext_has_no_credentials():
    s = Settings(broker="kafka://a:9092,kafka://b:9093")
    assert faust_credentials(s) is None and ssl_context(s) is None
    assert kafka_python_kwargs(s) == {"bootstrap_servers": ["a:9092", "b:9093"],
                                      "security_protocol": "PLAINTEXT"}


def test_ssl_maps_to_a_verifying_context(tls_files):
    s = Settings(kafka_security_protocol="ssl", kafka_ssl_cafile=str(tls_files.cert),
                 kafka_ssl_certfile=str(tls_files.cert), kafka_ssl_keyfile=str(tls_files.key))
    creds = faust_credentials(s)
    assert isinstance(creds, faust.SSLCredentials)
    ctx = creds.context
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert any("localhost" in str(c.get("subject")) for c in ctx.get_ca_certs())
    kw = kafka_python_kwargs(s)
    assert kw["security_protocol"] == "SSL" and kw["ssl_check_hostname"] is True
    assert (kw["ssl_cafile"], kw["ssl_certfile"], kw["ssl_keyfile"]) == (
        str(tls_files.cert), str(tls_files.cert), str(tls_files.key))
    assert "sasl_mechanism" not in kw


@pytest.mark.parametrize("mechanism", [None, "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_ssl_maps_user_password_mechanism_and_tls(tls_files, mechanism):
    s = Settings(kafka_security_protocol="SASL_SSL", kafka_ssl_cafile=str(tls_files.cert),
                 kafka_sasl_mechanism=mechanism, kafka_sasl_username="nr",
                 kafka_sasl_password="pw")
    creds = faust_credentials(s)
    assert isinstance(creds, faust.SASLCredentials)
    assert (creds.username, creds.password) == ("nr", "pw")
    assert str(creds.mechanism.value) == (mechanism or "PLAIN")
    assert isinstance(creds.ssl_context, ssl.SSLContext)
    kw = kafka_python_kwargs(s)
    assert kw["security_protocol"] == "SASL_SSL" and kw["sasl_mechanism"] == (mechanism or "PLAIN")
    assert (kw["sasl_plain_username"], kw["sasl_plain_password"]) == ("nr", "pw")
    assert kw["ssl_cafile"] == str(tls_files.cert)


def test_sasl_plaintext_has_no_tls():
    s = Settings(kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_username="nr",
                 kafka_sasl_password="pw")
    creds = faust_credentials(s)
    assert isinstance(creds, faust.SASLCredentials) and creds.ssl_context is None
    assert "ssl_cafile" not in kafka_python_kwargs(s)


def test_sasl_without_password_is_a_clear_error():
    s = Settings(kafka_security_protocol="SASL_SSL", kafka_sasl_username="nr")
    with pytest.raises(ValueError, match="KAFKA_SASL_PASSWORD_FILE"):
        faust_credentials(s)


def test_a_missing_ca_file_fails_fast(tmp_path):
    s = Settings(kafka_security_protocol="SSL", kafka_ssl_cafile=str(tmp_path / "nope.pem"))
    with pytest.raises(OSError):
        faust_credentials(s)
