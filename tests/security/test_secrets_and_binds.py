"""Secrets never reach logs or reprs; secret files load; surfaces bind to loopback by default."""

from __future__ import annotations

import io
import ipaddress
import json
import logging
from pathlib import Path

import pytest

from newsrisk.config import Settings, load_settings
from newsrisk.logs import JsonFormatter

SASL_SECRET = "sasl-S3cret-Value"
API_SECRET = "api-T0ken-Value"


def secret_settings() -> Settings:
    return Settings(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="SCRAM-SHA-512",
                    kafka_sasl_username="newsrisk", kafka_sasl_password=SASL_SECRET,
                    api_token=API_SECRET)


def test_redacted_and_repr_hide_secrets():
    s = secret_settings()
    red = s.redacted()
    assert red["kafka_sasl_password"] == "***" and red["api_token"] == "***"
    assert red["kafka_sasl_username"] == "newsrisk"  # not a secret
    text = json.dumps(red) + repr(s) + str(s)
    assert SASL_SECRET not in text and API_SECRET not in text
    assert Settings().redacted()["api_token"] is None  # unset stays visibly unset


def test_worker_style_log_line_has_no_secret():
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("newsrisk.test.secrets")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        s = secret_settings()
        log.info("worker starting", extra={"settings": s.redacted(), "repr": repr(s)})
    finally:
        log.removeHandler(handler)
    line = buf.getvalue()
    assert "worker starting" in line and '"api_token": "***"' in line
    assert SASL_SECRET not in line and API_SECRET not in line


def test_faust_credentials_repr_has_no_password():
    pytest.importorskip("faust")
    from newsrisk.streams.security import faust_credentials

    creds = faust_credentials(Settings(kafka_security_protocol="SASL_PLAINTEXT",
                                       kafka_sasl_username="u", kafka_sasl_password=SASL_SECRET))
    assert SASL_SECRET not in repr(creds) and SASL_SECRET not in str(creds)


def test_redacted_hides_a_database_password():
    s = Settings(database_url="postgresql+psycopg://newsrisk:db-P4ss@db:5432/newsrisk")
    assert "db-P4ss" not in json.dumps(s.redacted())


def test_secret_files_load_from_env(tmp_path: Path):
    (tmp_path / "api").write_text(f"  {API_SECRET}\n")
    (tmp_path / "sasl").write_text(f"{SASL_SECRET}\n")
    s = load_settings(env={"NEWSRISK_API_TOKEN_FILE": str(tmp_path / "api"),
                           "NEWSRISK_KAFKA_SASL_PASSWORD_FILE": str(tmp_path / "sasl")})
    assert s.api_token == API_SECRET and s.kafka_sasl_password == SASL_SECRET  # stripped
    # The plain variable wins over the file; other fields have no *_FILE form.
    s = load_settings(env={"NEWSRISK_API_TOKEN": "direct",
                           "NEWSRISK_API_TOKEN_FILE": str(tmp_path / "api"),
                           "NEWSRISK_BROKER_FILE": str(tmp_path / "api")})
    assert s.api_token == "direct" and s.broker == Settings().broker
    with pytest.raises(OSError):
        load_settings(env={"NEWSRISK_API_TOKEN_FILE": str(tmp_path / "missing")})


def test_surfaces_bind_to_loopback_by_default():
    s = load_settings(env={})
    assert ipaddress.ip_address(s.metrics_host).is_loopback
    assert ipaddress.ip_address(s.web_host).is_loopback
    assert s.api_token is None  # state changes are off until a token is configured


def test_api_started_by_the_worker_listens_on_loopback_only(tmp_path: Path):
    from types import SimpleNamespace

    from mode import Signal

    from newsrisk.storage.store import Store
    from newsrisk.streams.broker import free_port
    from newsrisk.streams.runner import _start_api

    class FakeApp:
        pass

    app = FakeApp()
    app.on_partitions_assigned = Signal(default_sender=app)  # type: ignore[attr-defined]
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    api = _start_api(Settings(web_port=free_port()), SimpleNamespace(store=store, app=app))
    assert api is not None
    try:
        assert api.host == "127.0.0.1"
        sockets = [s for site in api._runner.sites for s in site._server.sockets]  # noqa: SLF001 - real sockets
        assert sockets and all(ipaddress.ip_address(s.getsockname()[0]).is_loopback
                               for s in sockets)
    finally:
        api.stop()
        store.dispose()


def test_api_never_logs_the_token(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    import urllib.error
    import urllib.request

    from newsrisk.api import create_api, run_api_in_thread
    from newsrisk.storage.store import Store

    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    api = run_api_in_thread(create_api(store, lambda: True, API_SECRET), "127.0.0.1", 0)
    caplog.set_level(logging.DEBUG)
    try:
        for token in (API_SECRET, API_SECRET + "x"):
            req = urllib.request.Request(f"{api.url}/alerts/abc/ack", data=b'{"user": "a"}',
                                         method="POST", headers={
                                             "Authorization": f"Bearer {token}",
                                             "Content-Type": "application/json"})
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(req, timeout=10)
            assert API_SECRET not in err.value.read().decode()
    finally:
        api.stop()
        store.dispose()
    assert API_SECRET not in caplog.text
