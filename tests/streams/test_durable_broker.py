"""Durable broker storage: with ``s3://`` storage the embedded broker keeps its records across a
SIGKILL; with the default memory storage they are gone (the control that shows the test can fail).

The S3-compatible store is moto's standalone server on loopback (no S3 service runs here).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import boto3
import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from newsrisk.streams.broker import free_port, start_broker, wait_for_port

TOPIC = "news.durable"
N = 30


@pytest.fixture
def s3_env() -> Iterator[dict[str, str]]:
    port = free_port("127.0.0.1")
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port("127.0.0.1", port, 30)
        env = {"AWS_ENDPOINT": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "newsrisk",
               "AWS_SECRET_ACCESS_KEY": "newsrisk", "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_ALLOW_HTTP": "true"}
        boto3.client("s3", endpoint_url=env["AWS_ENDPOINT"], region_name="us-east-1",
                     aws_access_key_id="newsrisk", aws_secret_access_key="newsrisk",
                     ).create_bucket(Bucket="newsrisk")
        yield env
    finally:
        proc.terminate()
        proc.wait(10)


def _produce(bootstrap: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(TOPIC, 3, 1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for i in range(N):
        producer.send(TOPIC, key=f"k{i}".encode(), value=f"article-{i}".encode())
    producer.flush()
    producer.close()


def _consume(bootstrap: str) -> list[str]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=4000)
    consumer.subscribe([TOPIC])
    values = sorted(m.value.decode() for m in consumer)
    consumer.close()
    return values


def _kill_and_restart(storage: str, env: dict[str, str] | None) -> list[str]:
    broker = start_broker(storage=storage, env=env)
    try:
        _produce(broker.bootstrap)
        assert len(_consume(broker.bootstrap)) == N
    finally:
        broker.process.kill()
        broker.process.wait()
    again = start_broker(port=broker.port, storage=storage, env=env)
    try:
        return _consume(again.bootstrap)
    finally:
        again.stop()


@pytest.mark.timeout(120)
def test_s3_storage_keeps_every_record_across_a_broker_kill(s3_env: dict[str, str]) -> None:
    assert _kill_and_restart("s3://newsrisk/", s3_env) == sorted(f"article-{i}" for i in range(N))


@pytest.mark.timeout(120)
def test_memory_storage_loses_the_records_when_the_broker_dies() -> None:
    assert _kill_and_restart("memory://tansu/", None) == []
