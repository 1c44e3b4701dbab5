"""``newsrisk replay`` end to end: the real CLI in a subprocess against a real embedded broker."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import pytest

from newsrisk.config import Settings
from newsrisk.core.pipeline import Pipeline
from newsrisk.ingest.sources import bundled_sample
from newsrisk.records import parse_time
from newsrisk.replay.source import read_archive

pytestmark = pytest.mark.integration

T0 = 1_700_000_000_000  # ms
STEP = 1000
N = 24
SRC = "replay.cli.src"


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat().replace("+00:00", "Z")


# the installed entry point, as users run it (``python -m newsrisk.cli.main`` would load the CLI
# module twice, as ``__main__`` and as ``newsrisk.cli.main``)
NEWSRISK = Path(sys.executable).with_name("newsrisk")


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``newsrisk replay ARGS``, settings only from the flags (no NEWSRISK_* from the env)."""
    assert NEWSRISK.exists(), f"{NEWSRISK} missing: pip install -e ."
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSRISK_")}
    return subprocess.run([str(NEWSRISK), "--log-level", "WARNING", "replay", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def source(broker: object) -> str:
    """SRC: N records over 2 partitions (even n on 0, odd on 1), record time T0 + n*STEP."""
    from kafka import KafkaProducer
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)  # type: ignore[attr-defined]
    admin.create_topics([NewTopic(SRC, num_partitions=2, replication_factor=1)])
    admin.close()
    prod = KafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=20)  # type: ignore[attr-defined]
    for n in range(N):
        value = json.dumps({"schema_version": 1, "id": str(n), "source": "t",
                            "published_at": iso(T0 + n * STEP), "title": "",
                            "text": f"record {n}"}).encode()
        prod.send(SRC, value=value, partition=n % 2, timestamp_ms=T0 + n * STEP)
        if n % 5 == 4:
            prod.flush()  # several stored batches per partition
    prod.flush()
    prod.close()
    return SRC


def read_all(broker: object, topic: str, expected: int, timeout_s: float = 20) -> list[object]:
    """Every record of ``topic`` (all partitions), read until ``expected`` came and then quiet."""
    from kafka import KafkaConsumer

    c = KafkaConsumer(bootstrap_servers=broker.bootstrap,  # type: ignore[attr-defined]
                      enable_auto_commit=False, fetch_max_wait_ms=100)
    from newsrisk.replay.seek import partitions_of

    tps = partitions_of(c, topic)
    c.assign(tps)
    c.seek_to_beginning(*tps)
    out: list[object] = []
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while time.monotonic() < deadline and (len(out) < expected or quiet < 3):
        got = [r for recs in c.poll(timeout_ms=300).values() for r in recs]
        out.extend(got)
        quiet = 0 if got else quiet + 1
    c.close()
    return out


def test_replay_topic_from_time_into_new_topic(broker: object, source: str) -> None:
    start = 13
    proc = cli("--topic", source, "--from-time", iso(T0 + start * STEP - 500), "--to-topic",
               "replay.cli.out1", "--broker", broker.url)  # type: ignore[attr-defined]
    assert proc.returncode == 0, proc.stderr[-2000:]
    # 13 is odd: partition 1 starts at offset 6 (record 13), partition 0 at offset 7 (record 14)
    assert "[0] 7..12, [1] 6..12" in proc.stdout
    assert f"replayed {N - start} records to replay.cli.out1, 0 failed" in proc.stdout
    recs = read_all(broker, "replay.cli.out1", N - start)
    ids = [int(json.loads(r.value)["id"]) for r in recs]  # type: ignore[attr-defined]
    assert sorted(ids) == list(range(start, N))  # exactly those, once each
    # sent in record-time order: ascending within each partition of the new topic, and the
    # new records' (produce-time) timestamps never run against that order
    for p in {r.partition for r in recs}:  # type: ignore[attr-defined]
        mine = sorted((r for r in recs if r.partition == p), key=lambda r: r.offset)  # type: ignore[attr-defined]
        assert [int(json.loads(r.value)["id"]) for r in mine] == sorted(  # type: ignore[attr-defined]
            int(json.loads(r.value)["id"]) for r in mine)  # type: ignore[attr-defined]
    by_id = sorted(recs, key=lambda r: int(json.loads(r.value)["id"]))  # type: ignore[attr-defined]
    stamps = [r.timestamp for r in by_id]  # type: ignore[attr-defined]
    assert stamps == sorted(stamps)


def test_replay_topic_offsets_paced(broker: object, source: str) -> None:
    t0 = time.monotonic()
    proc = cli("--topic", source, "--from-offset", "2", "--to-offset", "5", "--speed", "20",
               "--to-topic", "replay.cli.out2", "--broker", broker.url)  # type: ignore[attr-defined]
    assert proc.returncode == 0, proc.stderr[-2000:]
    # offsets 2..4 of both partitions: records 4..9, merged by time; 5 event-seconds at 20x
    assert "replayed 6 records to replay.cli.out2, 0 failed" in proc.stdout
    assert time.monotonic() - t0 >= 0.25
    recs = read_all(broker, "replay.cli.out2", 6)
    assert sorted(json.loads(r.value)["id"] for r in recs) == sorted(str(n) for n in range(4, 10))  # type: ignore[attr-defined]


def test_replay_archive_into_pipeline_matches_direct_run(tmp_path: Path, classifier: object) -> None:
    with gzip.open(bundled_sample(), "rt") as fh:
        lines = [json.loads(x) for x in islice(fh, 120)]
    lo, hi = "2015-09-28T06:00:00Z", "2015-09-28T16:00:00Z"
    extra = [dict(lines[80]),  # a duplicate
             {"schema_version": 1, "id": "no-text", "source": "t",
              "published_at": "2015-09-28T12:00:00Z"}]  # dead-lettered
    archive = tmp_path / "slice.jsonl.gz"
    with gzip.open(archive, "wt", encoding="utf-8") as fh:
        for d in lines + extra:
            fh.write(json.dumps(d) + "\n")
    in_range = sum(parse_time(lo) <= parse_time(d["published_at"]) < parse_time(hi)
                   for d in lines + extra)
    out = tmp_path / "summary.json"
    proc = cli("--archive", str(archive), "--from-time", lo, "--to-time", hi, "--pipeline",
               "--json", str(out), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(out.read_text())
    assert json.loads(proc.stdout[proc.stdout.index("{"):]) == got

    pipe = Pipeline(Settings(), classifier=classifier)  # type: ignore[arg-type]
    pipe.run(read_archive(str(archive), parse_time(lo), parse_time(hi)), flush=True)
    want = pipe.summary.to_dict()
    assert got == want
    assert got["articles_in"] == in_range
    assert got["duplicates"] >= 1 and got["deadlettered"] >= 1
    assert got["articles_scored"] == in_range - got["duplicates"] - got["deadlettered"] > 0
    assert got["windows"] > 0


@pytest.mark.parametrize(("args", "message"), [
    (("--topic", SRC, "--from-time", "yesterday", "--to-topic", "x"),
     "--from-time 'yesterday' is not ISO 8601"),
    (("--archive", "missing.jsonl.gz", "--pipeline"), "missing.jsonl.gz does not exist"),
    (("--topic", "no.such.topic", "--to-topic", "x"), "'no.such.topic' does not exist"),
    (("--topic", SRC, "--speed", "-2", "--to-topic", "x"), "--speed -2 must be > 0"),
    (("--topic", SRC, "--to-time", "2020-01-01", "--to-topic", "x"), "--to-time works with --archive"),
])
def test_replay_bad_arguments_fail_in_one_line(broker: object, source: str, args: tuple[str, ...],
                                               message: str) -> None:
    proc = cli(*args, "--broker", broker.url)  # type: ignore[attr-defined]
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-2000:]
    assert lines[0].startswith("newsrisk replay: error:") and message in lines[0], lines[0]
