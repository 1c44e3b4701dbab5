"""Progress for long commands: a bar on a terminal, a structured log line every ``every_s``
seconds (and at the end) when stderr is a file or a pipe, where a bar would print nothing."""

from __future__ import annotations

import logging
import time
from types import TracebackType

from tqdm import tqdm

log = logging.getLogger("newsrisk.progress")


class Progress:
    """``with Progress("backtest", "rec") as bar: bar.update(n)``; ``bar.n`` is the count so far."""

    def __init__(self, desc: str, unit: str, total: int | None = None, every_s: float = 30.0):
        self.desc, self.unit, self.total, self.every_s = desc, unit, total, every_s
        self._bar = tqdm(desc=desc, unit=unit, total=total, disable=None)
        self._log = bool(self._bar.disable)  # no terminal: log lines instead
        self.n = 0
        self._status = ""
        self._closed = False
        self._started = self._last = time.monotonic()

    def update(self, k: int = 1) -> None:
        self.n += k
        self._bar.update(k)
        if self._log and time.monotonic() - self._last >= self.every_s:
            self._emit("progress")

    def set_postfix_str(self, status: str) -> None:
        self._status = status
        self._bar.set_postfix_str(status)

    def _emit(self, msg: str) -> None:
        now = time.monotonic()
        self._last = now
        fields: dict[str, object] = {"task": self.desc, "done": self.n, "unit": self.unit,
                                     "elapsed_s": round(now - self._started, 1),
                                     "rate_per_s": round(self.n / max(now - self._started, 1e-9), 1)}
        if self.total:
            fields["total"] = self.total
        if self._status:
            fields["status"] = self._status
        log.info(msg, extra=fields)

    def close(self, finished: bool = True) -> None:
        """End the bar (or log the final line); later calls do nothing."""
        if self._closed:
            return
        self._closed = True
        self._bar.close()
        if self._log and finished:
            self._emit("finished")

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(finished=exc_type is None)
