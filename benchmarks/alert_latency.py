"""Alert latency: from a spike entering the pipeline to the webhook receiving the alert.

Runs the real Prometheus and Alertmanager (repo rules and config; ``for:`` and ``group_wait``
shortened, 1 s scrape and evaluation by default) against a *source* of metrics, injects N spikes
on fresh keys one after another (each at a random phase of the scrape interval) and reports the
median/p90 of injection → webhook, split into injection → Prometheus firing (the alert's
``startsAt``) and firing → webhook.

The source is pluggable: a context manager yielding the scrape targets and an *injector*, a
function that makes a critical spike on the given topic key appear and returns the Unix time it
did so. The built-in source ``metrics`` serves a ``PipelineMetrics`` and sets its gauges
directly (metric set → webhook); a Kafka source would produce the spike's articles and return
the produce time (Kafka → webhook).

    python benchmarks/alert_latency.py --runs 20 --json runs/alert_latency.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server

from newsrisk.alerting.promstack import wait_for_targets_up
from newsrisk.alerting.simulate import inject_spike
from newsrisk.alerting.stack import run_alerting_stack
from newsrisk.alerting.webhook import WebhookReceiver
from newsrisk.metrics.exporter import PipelineMetrics

Injector = Callable[[str], float]  # topic key -> Unix time the spike entered the pipeline
Source = Callable[[], contextlib.AbstractContextManager[tuple[list[str], Injector]]]
TITLES = ("Benchmark spike headline one", "Benchmark spike headline two")


@dataclass(frozen=True, slots=True)
class Sample:
    key: str
    injected_at: float
    starts_at: float  # Prometheus' activeAt of the alert, from the payload
    received_at: float
    path: str

    @property
    def latency(self) -> float:
        return self.received_at - self.injected_at


@contextlib.contextmanager
def metrics_source() -> Iterator[tuple[list[str], Injector]]:
    """A PipelineMetrics on a loopback /metrics; spikes are set directly on its gauges."""
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)

    def inject(key: str) -> float:
        t0 = time.time()
        inject_spike(metrics, "topic", key, TITLES, severity="critical")
        return t0

    try:
        yield [f"127.0.0.1:{server.server_port}"], inject
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


SOURCES: dict[str, Source] = {"metrics": metrics_source}


def parse_rfc3339(text: str) -> float:
    """Unix seconds of an RFC 3339 time with up to nanosecond precision."""
    text = text.replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:
        digits = "".join(c for c in rest if c.isdigit())
        tz = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{tz}"
    return datetime.fromisoformat(text).timestamp()


def measure(
    hook: WebhookReceiver,
    inject: Injector,
    runs: int,
    timeout: float,
    jitter: float,
    prefix: str = "bench",
    progress: Callable[[Sample], None] | None = None,
) -> list[Sample]:
    """Inject ``runs`` spikes on fresh keys, one at a time; one sample per spike."""
    samples: list[Sample] = []
    for i in range(runs):
        time.sleep(random.uniform(0, jitter))
        key = f"{prefix}-{i}-{random.randrange(1 << 30):x}"
        t0 = inject(key)
        n, alert = hook.wait_for_alert(
            {"alertname": "NewsriskNegativeSpike", "key": key, "severity": "critical"}, timeout
        )
        sample = Sample(key, t0, parse_rfc3339(alert["startsAt"]), n.received_at, n.path)
        samples.append(sample)
        if progress:
            progress(sample)
    return samples


def summarize(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, max(0, round(0.9 * len(ordered)) - 1))]
    return {
        "median": statistics.median(ordered),
        "p90": p90,
        "mean": statistics.fmean(ordered),
        "min": ordered[0],
        "max": ordered[-1],
    }


def run_benchmark(
    source: Source,
    runs: int,
    interval: str,
    for_: str,
    group_wait: str,
    timeout: float,
    jitter: float,
    verbose: bool = True,
) -> dict[str, Any]:
    def show(s: Sample) -> None:
        if verbose:
            print(
                f"{s.key}: {s.latency:.3f}s (to firing {s.starts_at - s.injected_at:.3f}s, "
                f"firing to webhook {s.received_at - s.starts_at:.3f}s) via {s.path}",
                file=sys.stderr,
            )

    with (
        source() as (targets, inject),
        WebhookReceiver() as hook,
        run_alerting_stack(
            targets, hook.url, interval=interval, for_=for_, group_wait=group_wait
        ) as stack,
    ):
        wait_for_targets_up(stack.prometheus.url, len(targets), timeout=30)
        samples = measure(hook, inject, runs, timeout, jitter, progress=show)
    return {
        "benchmark": "alert_latency",
        "config": {
            "runs": runs,
            "scrape_interval": interval,
            "evaluation_interval": interval,
            "for": for_,
            "group_wait": group_wait,
            "jitter_s": jitter,
            "host": platform.node(),
            "python": platform.python_version(),
        },
        "latency_s": summarize([s.latency for s in samples]),
        "to_firing_s": summarize([s.starts_at - s.injected_at for s in samples]),
        "firing_to_webhook_s": summarize([s.received_at - s.starts_at for s in samples]),
        "samples": [asdict(s) | {"latency": s.latency} for s in samples],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source",
        choices=sorted(SOURCES),
        default="metrics",
        help="where the spike is injected (default metrics)",
    )
    parser.add_argument("--runs", type=int, default=20, help="spikes to measure (default 20)")
    parser.add_argument("--interval", default="1s", help="scrape and evaluation interval")
    parser.add_argument("--for", dest="for_", default="0s", help="alerts' for: (default 0s)")
    parser.add_argument("--group-wait", default="0s", help="Alertmanager group_wait (0s)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-spike timeout, s")
    parser.add_argument(
        "--jitter",
        type=float,
        default=1.0,
        help="random wait before each spike, s (spreads scrape phase)",
    )
    parser.add_argument("--json", type=Path, help="write the results as JSON to this file")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-spike lines")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    try:
        result = run_benchmark(
            SOURCES[args.source],
            args.runs,
            args.interval,
            args.for_,
            args.group_wait,
            args.timeout,
            args.jitter,
            verbose=not args.quiet,
        )
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    lat, fire, hook = result["latency_s"], result["to_firing_s"], result["firing_to_webhook_s"]
    print(
        f"{args.source} -> webhook over {args.runs} spikes (interval {args.interval}): "
        f"median {lat['median']:.3f}s, p90 {lat['p90']:.3f}s, max {lat['max']:.3f}s; "
        f"to firing median {fire['median']:.3f}s, firing -> webhook median {hook['median']:.3f}s"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
