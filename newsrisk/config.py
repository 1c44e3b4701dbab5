"""All settings in one typed object, loaded once at the edge (CLI) from env and/or a file.

Precedence: defaults < JSON/YAML file (``--config``) < environment ``NEWSRISK_<FIELD>`` < CLI flags.
Secrets (``kafka_sasl_password``, ``api_token``) may also come from ``<NAME>_FILE`` env vars that
point at a secret file; they are never logged (``Settings.redacted()``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

SECRET_FIELDS = ("kafka_sasl_password", "api_token")
FILE_FIELDS = (*SECRET_FIELDS, "database_url")  # may come from NEWSRISK_<NAME>_FILE


@dataclass(frozen=True)
class WindowSpec:
    """An event-time window definition: tumbling when ``step == size``, hopping otherwise."""

    name: str
    size_s: int
    step_s: int

    def __post_init__(self) -> None:
        if self.size_s <= 0 or self.step_s <= 0 or self.size_s % self.step_s:
            raise ValueError(
                f"window {self.name!r}: size ({self.size_s}s) must be a positive multiple of "
                f"step ({self.step_s}s)"
            )


def parse_windows(text: str) -> tuple[WindowSpec, ...]:
    """Parse ``"5m:5m,1h:15m"`` (name = size; size:step) into window specs."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    def seconds(tok: str) -> int:
        tok = tok.strip()
        if not tok or tok[-1] not in units or not tok[:-1].isdigit():
            raise ValueError(f"bad duration {tok!r}: use e.g. 30s, 5m, 1h, 1d")
        return int(tok[:-1]) * units[tok[-1]]

    specs = []
    for part in text.split(","):
        size, _, step = part.strip().partition(":")
        specs.append(WindowSpec(size.strip(), seconds(size), seconds(step or size)))
    return tuple(specs)


@dataclass(frozen=True)
class Settings:
    # Kafka
    broker: str = "kafka://127.0.0.1:9092"
    topic_raw: str = "news.raw"
    topic_scored: str = "news.scored"
    topic_windows: str = "news.windows"
    topic_alerts: str = "news.alerts"
    topic_deadletter: str = "news.deadletter"
    partitions: int = 4
    app_id: str = "newsrisk"
    broker_session_timeout_s: float = 6.0
    broker_heartbeat_s: float = 1.0
    kafka_security_protocol: str = "PLAINTEXT"  # PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
    kafka_ssl_cafile: str | None = None
    kafka_ssl_certfile: str | None = None
    kafka_ssl_keyfile: str | None = None
    kafka_sasl_mechanism: str | None = None  # PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = field(default=None, repr=False)
    # Processing
    max_batch: int = 64
    max_wait_s: float = 0.25
    dedup_horizon_s: int = 3 * 86400
    dedup_max_entries: int = 500_000
    max_text_chars: int = 20_000
    max_payload_bytes: int = 1_000_000
    max_future_skew_s: int = 300
    max_past_age_s: int = 20 * 365 * 86400
    allowed_lateness_s: int = 600
    # A raw partition caught up and silent this long stops holding back event time. On sparse
    # input (a record that closes a window landing on some partitions only) it is most of the
    # time from Kafka to an alert; lower it for faster alerts, raise it when producers stall.
    idle_partition_s: float = 5.0
    windows: str = "1h:1h,1d:1d"
    key_idle_ttl_s: int = 86400  # keys silent for longer get no empty windows until active again
    top_evidence: int = 5
    entity_min_count: int = 1
    # Classifier
    model: str | None = None  # None = the shipped model
    device: str | None = None  # None = cuda if available, else cpu
    quantize: bool = False
    lexical: bool = True  # blend in the model's lexical expert (TF-IDF n-grams) when it has one
    cpu_workers: int = 0  # single-threaded CPU inference workers; 0 = one per core, 1 = intra-op
    # Detection
    detector_config: str | None = None  # JSON file with DetectorConfig fields
    # Sinks and surfaces
    database_url: str = "sqlite:///newsrisk.db"
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9108
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    api_token: str | None = field(default=None, repr=False)
    max_metric_entities: int = 50
    watchlist: str = ""  # comma-separated tickers always exported as metrics
    data_dir: str = ".newsrisk"

    @property
    def window_specs(self) -> tuple[WindowSpec, ...]:
        return parse_windows(self.windows)

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(b.split("://", 1)[-1] for b in self.broker.split(","))

    def redacted(self) -> dict[str, Any]:
        d = asdict(self)
        for name in SECRET_FIELDS:
            if d.get(name):
                d[name] = "***"
        d["database_url"] = redact_url(self.database_url)
        d["broker"] = redact_url(self.broker)
        return d

    def with_overrides(self, **kwargs: Any) -> Settings:
        clean = {k: v for k, v in kwargs.items() if v is not None}
        return replace(self, **clean)


def redact_url(url: str) -> str:
    """``scheme://user:secret@host`` -> ``scheme://user:***@host``."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def _coerce(raw: str, default: Any, name: str) -> Any:
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{name}: expected a boolean (true/false), got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_settings(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build settings from defaults, an optional JSON/YAML file, ``NEWSRISK_*`` env and overrides."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    names = {f.name: f for f in fields(Settings)}
    defaults = Settings()
    if path:
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"config file {p} does not exist")
        text = p.read_text()
        if p.suffix in (".yml", ".yaml"):
            import yaml

            data = yaml.safe_load(text) or {}
        else:
            data = json.loads(text)
        unknown = set(data) - set(names)
        if unknown:
            raise ValueError(f"unknown settings in {p}: {', '.join(sorted(unknown))}")
        values.update(data)
    for name in names:
        key = f"NEWSRISK_{name.upper()}"
        if key in env:
            values[name] = _coerce(env[key], getattr(defaults, name), key)
        elif name in FILE_FIELDS and f"{key}_FILE" in env:
            values[name] = Path(env[f"{key}_FILE"]).read_text().strip()
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = replace(defaults, **values)
    settings.window_specs  # noqa: B018 - validate early
    return settings
