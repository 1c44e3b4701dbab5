"""Numenta Anomaly Benchmark scoring, faithful to numenta/NAB ``nab/sweeper.py``.

* Each labelled window rewards only its earliest detection, weighted by the scaled sigmoid
  ``2 / (1 + exp(5 x)) - 1`` of the relative position ``x`` in the window (-1 = first row),
  divided by its value at -1 so that the first row earns the full ``tp`` weight.
* A detection outside windows costs ``fp`` times the sigmoid of its distance after the previous
  window, relative to that window's width (-``fp`` before any window or 3+ widths after).
* A window without detection costs ``fn``.
* Rows in the probationary period, ``min(floor(0.15 n), 0.15 * 5000)``, are not scored.
* One threshold (detection = score >= threshold) is chosen for the whole corpus by sweeping every
  distinct score; the reported score is ``100 (raw - null) / (perfect - null)`` where the null
  detector (a constant score) scores ``-fn`` per window and a perfect one ``tp`` per window.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from newsrisk.records import parse_time

PROFILES: dict[str, dict[str, float]] = {
    "standard": {"tpWeight": 1.0, "fpWeight": 0.11, "fnWeight": 1.0},
    "reward_low_FP_rate": {"tpWeight": 1.0, "fpWeight": 0.22, "fnWeight": 1.0},
    "reward_low_FN_rate": {"tpWeight": 1.0, "fpWeight": 0.11, "fnWeight": 2.0},
}
PROBATION_PERCENT = 0.15


def scaled_sigmoid(position: float) -> float:
    """NAB's ``scaledSigmoid``: 0.987 at -1 (window start), 0 at 0, -1 from 3 on."""
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def probationary_length(n_rows: int, percent: float = PROBATION_PERCENT) -> float:
    return min(math.floor(percent * n_rows), percent * 5000)


@dataclass(frozen=True, slots=True)
class SweepRow:
    score: float  # detector's anomaly score
    weighted: float  # what a detection here is worth (tp) or costs (fp, negative)
    window: str | None  # window id, None outside windows, "probationary" during probation


def sweep_rows(
    timestamps: Sequence[datetime],
    scores: Sequence[float],
    windows: Sequence[tuple[datetime, datetime]],
    name: str,
    cost: Mapping[str, float],
    probation_percent: float = PROBATION_PERCENT,
) -> list[SweepRow]:
    """Per-row value of a detection, as ``Sweeper.calcSweepScore``."""
    if len(timestamps) != len(scores):
        raise ValueError(f"{name}: {len(timestamps)} timestamps but {len(scores)} scores")
    index = {ts: i for i, ts in enumerate(timestamps)}
    limits = []
    for start, end in windows:
        if start not in index or end not in index:
            raise ValueError(f"{name}: window {start} .. {end} does not match any row timestamps")
        limits.append((start, end))
    max_tp = scaled_sigmoid(-1.0)
    probation = probationary_length(len(timestamps), probation_percent)
    rows: list[SweepRow] = []
    pending = list(limits)
    cur: tuple[datetime, datetime] | None = None
    cur_name: str | None = None
    cur_right = 0
    cur_width = 0.0
    prev_right: int | None = None
    prev_width = 0.0
    for i, (ts, score) in enumerate(zip(timestamps, scores, strict=True)):
        if pending and ts == pending[0][0]:
            cur = pending.pop(0)
            cur_name = f"{name}|{cur[0].isoformat()}"
            cur_right = index[cur[1]]
            cur_width = float(cur_right - index[cur[0]] + 1)
        if cur is not None:
            position = -(cur_right - i + 1) / cur_width
            weighted = scaled_sigmoid(position) * cost["tpWeight"] / max_tp
        else:
            if prev_right is None:
                position = 3.0
            else:
                position = abs(prev_right - i) / (prev_width - 1.0) if prev_width > 1 else 3.0
            weighted = scaled_sigmoid(position) * cost["fpWeight"]
        window = cur_name if i >= probation else "probationary"
        rows.append(SweepRow(float(score), weighted, window))
        if cur is not None and ts == cur[1]:
            prev_right, prev_width = i, cur_width
            cur, cur_name = None, None
    return rows


@dataclass(frozen=True, slots=True)
class ThresholdScore:
    threshold: float
    score: float
    tp: int
    fp: int
    fn: int


def scores_by_threshold(
    rows: Iterable[SweepRow], cost: Mapping[str, float]
) -> list[ThresholdScore]:
    """Corpus score for every distinct threshold, highest threshold first
    (``Sweeper.calcScoreByThreshold``; a row is detected when its score >= threshold)."""
    scorable = sorted(
        (r for r in rows if r.window != "probationary"), key=lambda r: r.score, reverse=True
    )
    parts: dict[str, float] = {}
    for r in scorable:
        if r.window is not None:
            parts[r.window] = -cost["fnWeight"]
    fp_total = 0.0
    window_total = sum(parts.values())
    detected: set[str] = set()
    tp = fp = 0
    out: list[ThresholdScore] = []
    threshold = 1.1
    for r in scorable:
        if r.score != threshold:
            out.append(
                ThresholdScore(
                    threshold, window_total + fp_total, tp, fp, len(parts) - len(detected)
                )
            )
            threshold = r.score
        if r.window is None:
            fp += 1
            fp_total += r.weighted
        else:
            tp += 1
            old = parts[r.window]
            if r.weighted > old:
                parts[r.window] = r.weighted
                window_total += r.weighted - old
            detected.add(r.window)
    out.append(
        ThresholdScore(threshold, window_total + fp_total, tp, fp, len(parts) - len(detected))
    )
    return out


def best_threshold(table: Sequence[ThresholdScore]) -> ThresholdScore:
    """Highest score; among equal scores the highest threshold (NAB's stable sort)."""
    best = table[0]
    for row in table[1:]:
        if row.score > best.score:
            best = row
    return best


def load_windows(path: str | Path) -> dict[str, list[tuple[datetime, datetime]]]:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    return {key: [(parse_time(a), parse_time(b)) for a, b in limits] for key, limits in raw.items()}


def read_scored_csv(
    path: str | Path, column: str = "anomaly_score"
) -> tuple[list[datetime], list[float]]:
    """Timestamps and one float column of a NAB data or results CSV."""
    timestamps: list[datetime] = []
    values: list[float] = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or "timestamp" not in reader.fieldnames:
            raise ValueError(f"{path}: no 'timestamp' column")
        if column not in reader.fieldnames:
            raise ValueError(f"{path}: no {column!r} column")
        for row in reader:
            timestamps.append(parse_time(row["timestamp"]))
            values.append(float(row[column]))
    return timestamps, values


def match_window_key(relative: str, keys: Iterable[str]) -> str | None:
    """The key of ``combined_windows*.json`` for a results file's path relative to its root."""
    rel = relative.replace("\\", "/")
    for key in keys:
        if key == rel or key.endswith("/" + rel) or rel.endswith("/" + key):
            return key
    return None


def _corpus_score(
    files: Mapping[str, tuple[Sequence[datetime], Sequence[float]]],
    windows: Mapping[str, Sequence[tuple[datetime, datetime]]],
    cost: Mapping[str, float],
    probation_percent: float,
) -> tuple[dict[str, list[SweepRow]], ThresholdScore]:
    per_file = {
        key: sweep_rows(ts, sc, windows[key], key, cost, probation_percent)
        for key, (ts, sc) in files.items()
    }
    table = scores_by_threshold((r for rows in per_file.values() for r in rows), cost)
    return per_file, best_threshold(table)


def score_series(
    files: Mapping[str, tuple[Sequence[datetime], Sequence[float]]],
    windows: Mapping[str, Sequence[tuple[datetime, datetime]]],
    profile: str = "standard",
    probation_percent: float = PROBATION_PERCENT,
) -> dict[str, Any]:
    """NAB score of in-memory results: ``files`` maps a windows key to (timestamps, scores)."""
    if not files:
        raise ValueError("no result files to score")
    cost = PROFILES[profile]
    per_file, best = _corpus_score(files, windows, cost, probation_percent)
    null_files = {k: (ts, [0.5] * len(ts)) for k, (ts, _) in files.items()}
    _, null = _corpus_score(null_files, windows, cost, probation_percent)
    n_windows = sum(
        len({r.window for r in rows if r.window not in (None, "probationary")})
        for rows in per_file.values()
    )
    perfect = n_windows * cost["tpWeight"]
    details: dict[str, dict[str, Any]] = {}
    for key, rows in per_file.items():
        details[key] = _file_detail(rows, best.threshold, cost)
    denom = perfect - null.score
    return {
        "profile": profile,
        "score": 100.0 * (best.score - null.score) / denom if denom else 0.0,
        "raw": best.score,
        "null": null.score,
        "perfect": perfect,
        "threshold": best.threshold,
        "windows": n_windows,
        "tp_rows": best.tp,
        "fp_rows": best.fp,
        "missed_windows": best.fn,
        "files": details,
    }


def _file_detail(
    rows: Sequence[SweepRow], threshold: float, cost: Mapping[str, float]
) -> dict[str, Any]:
    windows: dict[str, float] = {}
    fp_score = 0.0
    fp = 0
    for r in rows:
        if r.window == "probationary":
            continue
        if r.window is not None:
            windows.setdefault(r.window, -cost["fnWeight"])
            if r.score >= threshold and r.weighted > windows[r.window]:
                windows[r.window] = r.weighted
        elif r.score >= threshold:
            fp += 1
            fp_score += r.weighted
    detected = sum(1 for v in windows.values() if v > -cost["fnWeight"])
    return {
        "raw": sum(windows.values()) + fp_score,
        "windows": len(windows),
        "detected": detected,
        "window_scores": [round(v, 4) for v in windows.values()],
        "fp_rows": fp,
        "fp_score": fp_score,
    }


def score_nab(
    results_dir: str | Path,
    windows_json: str | Path,
    profile: str = "standard",
    probation_percent: float = PROBATION_PERCENT,
    column: str = "anomaly_score",
) -> dict[str, Any]:
    """NAB score of every results CSV under ``results_dir`` that has windows in ``windows_json``.

    Returns the normalised score (null = 0, perfect = 100), the raw, null and perfect scores, the
    corpus-wide optimal threshold and per-file details at that threshold.
    """
    root = Path(results_dir)
    windows = load_windows(windows_json)
    files: dict[str, tuple[Sequence[datetime], Sequence[float]]] = {}
    for path in sorted(root.rglob("*.csv")):
        key = match_window_key(path.relative_to(root).as_posix(), windows)
        if key is not None:
            files[key] = read_scored_csv(path, column)
    if not files:
        raise ValueError(f"no results CSV under {root} matches a key of {windows_json}")
    return score_series(files, windows, profile, probation_percent)
