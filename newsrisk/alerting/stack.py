"""newsrisk's own alerting stack on loopback: the repo's rules in Prometheus, its Alertmanager
config pointed at a webhook base URL, both with timings shortened for tests and demos.

    with WebhookReceiver() as hook, run_alerting_stack(["127.0.0.1:9108"], hook.url) as stack:
        hook.wait_for_alert({"alertname": "NewsriskNegativeSpike"}, timeout=30)
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from newsrisk.alerting.promstack import Service, run_alertmanager, run_prometheus
from newsrisk.alerting.render import (
    ALERTMANAGER_CONFIG,
    RULE_FILES,
    render_alertmanager_config,
    render_rule_files,
)


@dataclass(frozen=True, slots=True)
class AlertingStack:
    prometheus: Service
    alertmanager: Service


@contextlib.contextmanager
def run_alerting_stack(
    scrape_targets: Sequence[str],
    webhook_base_url: str,
    *,
    interval: str = "1s",
    for_: str | None = "0s",
    group_wait: str | None = "0s",
    group_interval: str | None = "1s",
    repeat_interval: str | None = None,
    external_labels: Mapping[str, str] | None = None,
    rule_files: Sequence[Path] = RULE_FILES,
    alertmanager_config: Path = ALERTMANAGER_CONFIG,
    job: str = "newsrisk-worker",
) -> Iterator[AlertingStack]:
    """Alertmanager (repo config) and Prometheus (repo rules) scraping ``scrape_targets``.

    ``for_`` replaces every alert's ``for:`` (``None`` keeps the committed durations); the
    ``group_*``/``repeat_interval`` values replace Alertmanager's (``None`` keeps them).
    """
    am_config = render_alertmanager_config(
        webhook_base_url, alertmanager_config, group_wait=group_wait,
        group_interval=group_interval, repeat_interval=repeat_interval,
    )
    with tempfile.TemporaryDirectory(prefix="newsrisk-rules-") as tmp:
        rules = render_rule_files(tmp, for_=for_, sources=tuple(rule_files))
        with run_alertmanager(am_config) as am, run_prometheus(
            scrape_targets, rules, am.url, interval, job=job, external_labels=external_labels
        ) as prom:
            yield AlertingStack(prom, am)
