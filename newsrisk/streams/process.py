"""Start and stop ``newsrisk worker`` processes (demo, tests, benchmarks, chaos runs)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsrisk.config import Settings


def _families(url: str, timeout_s: float) -> Iterator[Any]:
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(url, timeout=timeout_s) as resp:  # noqa: S310 - our loopback URL
        text = resp.read().decode()
    return text_string_to_metric_families(text)


def scrape(url: str, timeout_s: float = 5.0) -> dict[str, float]:
    """Sum every sample of each metric name (labels folded) from a /metrics URL."""
    out: dict[str, float] = {}
    for fam in _families(url, timeout_s):
        for s in fam.samples:
            if not s.name.endswith("_created"):
                out[s.name] = out.get(s.name, 0.0) + s.value
    return out


def scrape_histogram(url: str, name: str, timeout_s: float = 5.0,
                     **labels: str) -> list[tuple[float, float]]:
    """Cumulative ``(le, count)`` buckets of one histogram from a /metrics URL, summed over the
    label sets that match ``labels`` (e.g. ``span="ingested_to_scored"``), sorted by ``le``."""
    buckets: dict[float, float] = {}
    for fam in _families(url, timeout_s):
        for s in fam.samples:
            if s.name == f"{name}_bucket" and all(s.labels.get(k) == v for k, v in labels.items()):
                le = float(s.labels["le"])
                buckets[le] = buckets.get(le, 0.0) + s.value
    return sorted(buckets.items())


def bucket_quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """``histogram_quantile`` as Prometheus computes it (linear within a bucket) over cumulative
    ``(le, count)`` buckets; None when there are no observations."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for le, count in buckets:
        if count >= rank:
            if le == float("inf"):
                return lower  # beyond the largest finite bound: report that bound
            return lower + (le - lower) * ((rank - below) / max(count - below, 1e-12))
        lower, below = le, count
    return lower


def rss_bytes(pid: int) -> int | None:
    """Resident set size of a process (Linux /proc), or None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as NEWSRISK_* environment variables (what a worker process reads)."""
    env: dict[str, str] = {}
    for key, value in settings.__dict__.items():
        if value is None:
            continue
        env[f"NEWSRISK_{key.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


class WorkerProcess:
    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def metrics_url(self) -> str:
        return f"http://{self.settings.metrics_host}:{self.settings.metrics_port}/metrics"

    def start(self) -> WorkerProcess:
        env = {**os.environ, **settings_env(self.settings)}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "newsrisk.cli.main", "worker"], stdout=log,
                stderr=subprocess.STDOUT, env=env, start_new_session=True)
        return self

    def wait_metrics(self, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early; see {self.log_path}:\n{self.log_tail()}")
            try:
                scrape(self.metrics_url, 2)
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"worker metrics not up after {timeout_s}s; see {self.log_path}")

    def metrics(self) -> dict[str, float]:
        return scrape(self.metrics_url)

    def processed(self) -> int:
        m = self.metrics()
        return int(m.get("newsrisk_articles_scored_total", 0)
                   + m.get("newsrisk_articles_duplicate_total", 0)
                   + m.get("newsrisk_articles_deadlettered_total", 0))

    def rss_bytes(self) -> int | None:
        return rss_bytes(self.proc.pid) if self.proc is not None and self.proc.poll() is None else None

    def stop(self, timeout_s: float = 30) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""
