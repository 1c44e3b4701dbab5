"""End to end over TLS: embedded broker (Tansu) behind a TLS-terminating loopback proxy.

Tansu advertises the proxy's port, so clients reconnect through TLS after the metadata call.
kafka-python is configured only from ``kafka_python_kwargs(Settings(...SSL...))`` and aiokafka
(Faust's client) only from ``faust_credentials(...)``. Not covered: SASL against a real broker
(the embedded broker has no SASL users) and mutual TLS (client certificates).
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from tls_proxy import TlsProxy

from newsrisk.config import Settings
from newsrisk.streams.broker import BrokerError, free_port, tansu_binary, wait_for_port
from newsrisk.streams.security import faust_credentials, kafka_python_kwargs

pytestmark = pytest.mark.integration


@dataclass
class TlsBroker:
    proxy: TlsProxy
    settings: Settings


@pytest.fixture(scope="module")
def tls_broker(tls_files, tmp_path_factory) -> Iterator[TlsBroker]:
    try:
        binary = tansu_binary()
    except BrokerError as exc:
        pytest.skip(str(exc))
    kafka_port, proxy_port = free_port(), free_port()
    log = tmp_path_factory.mktemp("tansu") / "broker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [binary, "broker", "--listener-url", f"tcp://127.0.0.1:{kafka_port}",
             "--advertised-listener-url", f"tcp://127.0.0.1:{proxy_port}",
             "--storage-engine", "memory://tansu/"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    proxy = TlsProxy(tls_files.cert, tls_files.key, kafka_port, proxy_port).start()
    try:
        wait_for_port("127.0.0.1", kafka_port, 30)
        settings = Settings(broker=f"kafka://127.0.0.1:{proxy_port}",
                            kafka_security_protocol="SSL", kafka_ssl_cafile=str(tls_files.cert))
        yield TlsBroker(proxy, settings)
    finally:
        proxy.stop()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_kafka_python_produces_and_consumes_over_tls(tls_broker):
    from kafka import KafkaConsumer, KafkaProducer

    kw = kafka_python_kwargs(tls_broker.settings)
    producer = KafkaProducer(**kw, request_timeout_ms=15_000, max_block_ms=30_000)
    try:
        for i in range(3):
            producer.send("tls.check", key=b"k", value=f"hello {i}".encode()).get(timeout=30)
    finally:
        producer.close()
    consumer = KafkaConsumer("tls.check", **kw, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=3000)
    got: list[bytes] = []
    deadline = time.monotonic() + 30
    try:
        while len(got) < 3 and time.monotonic() < deadline:
            got.extend(m.value for m in consumer)
    finally:
        consumer.close()
    assert got == [b"hello 0", b"hello 1", b"hello 2"]
    assert tls_broker.proxy.connections >= 2  # bootstrap + advertised listener, both via TLS


def test_aiokafka_with_faust_credentials_over_tls(tls_broker):
    from aiokafka import AIOKafkaProducer

    creds = faust_credentials(tls_broker.settings)

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=tls_broker.settings.bootstrap_servers,
                                    security_protocol="SSL", ssl_context=creds.context,
                                    request_timeout_ms=15_000)
        await producer.start()
        try:
            meta = await producer.send_and_wait("tls.faust", b"via aiokafka")
            assert meta.offset >= 0
        finally:
            await producer.stop()

    asyncio.run(asyncio.wait_for(send(), 60))


def test_an_untrusted_certificate_is_refused(tls_broker, tls_files):
    from kafka import KafkaProducer
    from kafka.errors import KafkaError

    wrong = tls_broker.settings.with_overrides(kafka_ssl_cafile=str(tls_files.other_cert))
    with pytest.raises(KafkaError):
        KafkaProducer(**kafka_python_kwargs(wrong), bootstrap_timeout_ms=3000,
                      max_block_ms=3000, request_timeout_ms=3000)


def test_plaintext_to_the_tls_port_is_refused(tls_broker):
    from kafka import KafkaProducer
    from kafka.errors import KafkaError

    plain = tls_broker.settings.with_overrides(kafka_security_protocol="PLAINTEXT")
    with pytest.raises(KafkaError):
        KafkaProducer(**kafka_python_kwargs(plain), bootstrap_timeout_ms=3000,
                      max_block_ms=3000, request_timeout_ms=3000)
