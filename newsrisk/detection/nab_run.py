"""Run the univariate detector over a NAB-style directory of ``timestamp,value`` CSVs."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator
from pathlib import Path

from newsrisk.detection.config import SeriesConfig
from newsrisk.detection.series import SeriesDetector
from newsrisk.records import parse_time


def series_files(data_dir: str | Path) -> list[Path]:
    """Every CSV under ``data_dir``, in path order."""
    return sorted(p for p in Path(data_dir).rglob("*.csv") if p.is_file())


def read_series(path: str | Path) -> tuple[list[str], list[float]]:
    """Timestamps (as written) and values of a ``timestamp,value`` CSV."""
    stamps: list[str] = []
    values: list[float] = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"timestamp", "value"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: expected a header with 'timestamp' and 'value'")
        for line, row in enumerate(reader, start=2):
            try:
                value = float(row["value"])
                if not math.isfinite(value):
                    raise ValueError(f"value {row['value']!r} is not a finite number")
                values.append(value)
                parse_time(row["timestamp"])
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path}:{line}: {exc}") from exc
            stamps.append(row["timestamp"])
    return stamps, values


def detect_series(
    stamps: list[str],
    values: list[float],
    config: SeriesConfig | None = None,
    detector: SeriesDetector | None = None,
) -> list[float]:
    """Anomaly score of every row, computed causally by a fresh :class:`SeriesDetector` (or the
    fresh ``detector`` given, to read its state afterwards)."""
    detector = detector or SeriesDetector(config)
    return [
        detector.update(parse_time(ts).timestamp(), v)
        for ts, v in zip(stamps, values, strict=True)
    ]


def write_results(path: Path, stamps: list[str], values: list[float], scores: list[float]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "value", "anomaly_score"])
        for ts, v, s in zip(stamps, values, scores, strict=True):
            writer.writerow([ts, f"{v:g}", f"{s:.12g}"])


def run_directory(
    data_dir: str | Path,
    out_dir: str | Path,
    config: SeriesConfig | None = None,
    wrap: Callable[[list[Path]], Iterator[Path]] | None = None,
    models: dict[str, str] | None = None,
) -> list[Path]:
    """Score every CSV under ``data_dir`` into ``out_dir``/<same relative path>; returns them.

    ``models``, when given, receives each file's relative path -> the core reported at its end
    (``counts`` or ``values``)."""
    root, out = Path(data_dir), Path(out_dir)
    files = series_files(root)
    written: list[Path] = []
    for path in wrap(files) if wrap else iter(files):
        stamps, values = read_series(path)
        detector = SeriesDetector(config)
        scores = detect_series(stamps, values, detector=detector)
        if models is not None:
            models[path.relative_to(root).as_posix()] = detector.model
        target = out / path.relative_to(root)
        write_results(target, stamps, values, scores)
        written.append(target)
    return written
