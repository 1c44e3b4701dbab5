"""Helpers that read a worker process from outside: labelled histogram scrape, quantiles, RSS."""

from __future__ import annotations

import os

import pytest
from prometheus_client import CollectorRegistry, Histogram, start_http_server

from newsrisk.streams.broker import free_port
from newsrisk.streams.process import bucket_quantile, rss_bytes, scrape_histogram


def test_bucket_quantile_interpolates_like_prometheus():
    buckets = [(0.1, 0.0), (0.5, 50.0), (1.0, 100.0), (float("inf"), 100.0)]
    assert bucket_quantile(0.5, buckets) == pytest.approx(0.5)
    assert bucket_quantile(0.25, buckets) == pytest.approx(0.3)
    assert bucket_quantile(0.99, buckets) == pytest.approx(0.99)


def test_bucket_quantile_empty_and_overflow():
    assert bucket_quantile(0.5, []) is None
    assert bucket_quantile(0.5, [(1.0, 0.0), (float("inf"), 0.0)]) is None
    # every observation above the largest finite bound: that bound, as Prometheus reports
    assert bucket_quantile(0.99, [(1.0, 0.0), (float("inf"), 5.0)]) == 1.0


def test_scrape_histogram_keeps_only_matching_labels():
    registry = CollectorRegistry()
    h = Histogram("demo_latency_seconds", "demo", ["span"], buckets=(0.1, 1.0), registry=registry)
    for v in (0.05, 0.5, 0.5):
        h.labels("a").observe(v)
    h.labels("b").observe(5.0)
    port = free_port()
    server, thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    try:
        got = scrape_histogram(f"http://127.0.0.1:{port}/metrics", "demo_latency_seconds", span="a")
    finally:
        server.shutdown()
        thread.join(5)
    assert got == [(0.1, 1.0), (1.0, 3.0), (float("inf"), 3.0)]


def test_rss_bytes_of_this_process():
    rss = rss_bytes(os.getpid())
    assert rss is not None and rss > 1_000_000
    assert rss_bytes(2**22 + 12345) is None  # no such process
