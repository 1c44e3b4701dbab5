"""``newsrisk nab`` end to end on a small synthetic NAB-style directory (subprocess)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path


def _write(path: Path, n: int, spike: int) -> list[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    stamps = []
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "value"])
        for i in range(n):
            ts = (datetime(2015, 3, 1) + timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S")
            stamps.append(ts)
            w.writerow([ts, 10 + (i * 7) % 5 + (300 if spike <= i < spike + 3 else 0)])
    return stamps


def _nab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsrisk.cli.main", "nab", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_nab_command_writes_results_and_scores(tmp_path: Path):
    data = tmp_path / "data"
    stamps = {
        "cat/a.csv": _write(data / "cat" / "a.csv", 1200, 900),
        "cat/b.csv": _write(data / "cat" / "b.csv", 1200, 1000),
    }
    windows = {
        k: [[s[c - 20] + ".000000", s[c + 20] + ".000000"]]
        for (k, s), c in zip(stamps.items(), (900, 1000), strict=True)
    }
    wjson = tmp_path / "combined_windows.json"
    wjson.write_text(json.dumps(windows))
    out = tmp_path / "out"
    proc = _nab("--data", str(data), "--out", str(out), "--score", str(wjson), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    with open(out / "cat" / "a.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["timestamp", "value", "anomaly_score"]
    assert len(rows) == 1200 and rows[0]["timestamp"] == stamps["cat/a.csv"][0]
    assert all(0.0 <= float(r["anomaly_score"]) <= 1.0 for r in rows)
    assert "NAB standard score: 9" in proc.stdout or "NAB standard score: 100" in proc.stdout


def test_nab_command_reports_a_missing_directory(tmp_path: Path):
    proc = _nab("--data", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert "is not a directory" in proc.stderr
