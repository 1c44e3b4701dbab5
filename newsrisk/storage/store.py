"""Idempotent writes and reads of newsrisk records (SQLite by default, PostgreSQL by URL).

Every write is an upsert keyed by a deterministic id, so redelivery and replay never duplicate
rows. Transient database errors are retried with exponential backoff; the caller blocks meanwhile
(backpressure) instead of buffering without bound.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import create_engine, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from newsrisk.core.aggregation import ClosedWindow
from newsrisk.records import Alert, DeadLetter, ScoredArticle
from newsrisk.storage.models import (
    AlertRow,
    ArticleRow,
    Base,
    CheckpointRow,
    DeadLetterRow,
    WindowRow,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


def article_key(source: str, article_id: str) -> str:
    return f"{source}:{article_id}"[:300]


class Store:
    def __init__(
        self,
        url: str = "sqlite:///newsrisk.db",
        max_retries: int = 60,
        backoff_s: float = 0.5,
        max_backoff_s: float = 10.0,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.on_error = on_error
        self._insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        self._retry(lambda: Base.metadata.create_all(self.engine), "schema")
        if self.engine.dialect.name == "sqlite":
            with self.engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")

    # --- retry --------------------------------------------------------------------------------
    def _retry(self, fn: Callable[[], T], table: str) -> T:
        delay = self.backoff_s
        for attempt in range(1, self.max_retries + 1):
            try:
                return fn()
            except (OperationalError, DBAPIError) as exc:
                transient = isinstance(exc, OperationalError) or exc.connection_invalidated
                if not transient:
                    raise
                if self.on_error:
                    self.on_error(table)
                if attempt == self.max_retries:
                    raise
                log.warning("database write failed; retrying", extra={
                    "table": table, "attempt": attempt, "retry_in_s": delay,
                    "error": str(exc.orig if hasattr(exc, "orig") else exc)[:200]})
                time.sleep(delay)
                delay = min(self.max_backoff_s, delay * 2)
        raise RuntimeError("unreachable")

    def _upsert(self, session: Session, model: type[Base], rows: list[dict[str, Any]],
                keys: Sequence[str], update: bool) -> None:
        if not rows:
            return
        # Chunk to stay under bind-parameter limits.
        per = max(1, 30000 // max(1, len(rows[0])))
        for i in range(0, len(rows), per):
            stmt = self._insert(model).values(rows[i:i + per])
            if update:
                cols = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
                stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=cols)
            else:
                stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
            session.execute(stmt)

    # --- writes ---------------------------------------------------------------------------------
    def write(
        self,
        scored: Iterable[ScoredArticle] = (),
        windows: Iterable[ClosedWindow] = (),
        alerts: Iterable[Alert] = (),
        deadletters: Iterable[DeadLetter] = (),
        checkpoint: tuple[str, int, dict[str, Any]] | None = None,
    ) -> None:
        """Write everything in one transaction (with an optional stage checkpoint)."""
        art_rows = [self._article_row(a) for a in scored]
        win_rows = [self._window_row(w) for w in windows]
        alert_rows = [self._alert_row(a) for a in alerts]
        dl_rows = [self._deadletter_row(d) for d in deadletters]
        dedup: dict[str, dict[str, Any]] = {}
        for r in art_rows:
            dedup[r["id"]] = r
        art_rows = list(dedup.values())
        wins: dict[str, dict[str, Any]] = {r["uid"]: r for r in win_rows}
        win_rows = list(wins.values())

        def tx() -> None:
            with Session(self.engine) as session, session.begin():
                self._upsert(session, ArticleRow, art_rows, ["id"], update=False)
                self._upsert(session, WindowRow, win_rows, ["uid"], update=True)
                self._upsert(session, AlertRow, alert_rows, ["id"], update=False)
                keyed = [r for r in dl_rows if r["source_key"]]
                self._upsert(session, DeadLetterRow, keyed, ["source_key"], update=False)
                unkeyed = [r for r in dl_rows if not r["source_key"]]
                if unkeyed:
                    session.execute(self._insert(DeadLetterRow).values(unkeyed))
                if checkpoint is not None:
                    name, offset, state = checkpoint
                    self._upsert(session, CheckpointRow, [{
                        "name": name, "offset": offset, "state": json.dumps(state),
                        "updated_at": datetime.now(UTC),
                    }], ["name"], update=True)

        self._retry(tx, "write")

    def load_checkpoint(self, name: str) -> tuple[int, dict[str, Any]] | None:
        def q() -> tuple[int, dict[str, Any]] | None:
            with Session(self.engine) as s:
                row = s.get(CheckpointRow, name)
                return (row.offset, json.loads(row.state)) if row else None

        return self._retry(q, "checkpoints")

    @staticmethod
    def _article_row(a: ScoredArticle) -> dict[str, Any]:
        return {
            "id": article_key(a.source, a.id), "article_id": a.id, "source": a.source,
            "url": a.url, "title": a.title, "text": a.text, "lang": a.lang,
            "published_at": a.published_at, "ingested_at": a.ingested_at,
            "scored_at": a.scored_at, "sentiment_label": a.sentiment.label,
            "p_negative": a.sentiment.negative, "p_neutral": a.sentiment.neutral,
            "p_positive": a.sentiment.positive, "score": a.sentiment.score,
            "topic": a.primary_topic,
            "topics": [{"label": t.label, "score": t.score} for t in a.topics],
            "entities": list(a.entities), "model_name": a.model_name,
            "model_version": a.model_version,
        }

    @staticmethod
    def _window_row(w: ClosedWindow) -> dict[str, Any]:
        agg, det = w.window, w.detection
        return {
            "uid": agg.uid, "key_kind": agg.key_kind, "key": agg.key, "window": agg.window,
            "start": agg.start, "end": agg.end, "count": agg.count, "negative": agg.negative,
            "negative_share": agg.negative_share, "mean_score": agg.mean_score,
            "anomaly_score": det.score, "severity": det.severity,
            "baseline": {k: float(v) for k, v in det.baseline.items()},
            "top_negative": [e.to_dict() for e in agg.top_negative],
        }

    @staticmethod
    def _alert_row(a: Alert) -> dict[str, Any]:
        return {
            "id": a.id, "key_kind": a.key_kind, "key": a.key, "window": a.window,
            "window_start": a.window_start, "window_end": a.window_end, "severity": a.severity,
            "score": a.score, "count": a.count, "negative": a.negative,
            "negative_share": a.negative_share, "summary": a.summary, "payload": a.to_dict(),
        }

    @staticmethod
    def _deadletter_row(d: DeadLetter) -> dict[str, Any]:
        key = (f"{d.source_topic}:{d.partition}:{d.offset}"
               if d.partition is not None and d.offset is not None else None)
        return {"source_key": key, "reason": d.reason, "detail": d.detail[:2000],
                "payload": d.payload, "received_at": datetime.now(UTC)}

    # --- reads ------------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with Session(self.engine) as s:
            return {
                "articles": s.scalar(select(func.count()).select_from(ArticleRow)) or 0,
                "windows": s.scalar(select(func.count()).select_from(WindowRow)) or 0,
                "alerts": s.scalar(select(func.count()).select_from(AlertRow)) or 0,
                "deadletters": s.scalar(select(func.count()).select_from(DeadLetterRow)) or 0,
            }

    def alerts(self, limit: int = 100, key: str | None = None) -> list[dict[str, Any]]:
        with Session(self.engine) as s:
            q = select(AlertRow).order_by(AlertRow.window_start.desc()).limit(limit)
            if key:
                q = q.where(AlertRow.key == key)
            return [r.payload for r in s.scalars(q)]

    def alert(self, alert_id: str) -> dict[str, Any] | None:
        with Session(self.engine) as s:
            row = s.get(AlertRow, alert_id)
            return row.payload if row else None

    def articles_by_ids(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        with Session(self.engine) as s:
            rows = s.scalars(select(ArticleRow).where(ArticleRow.article_id.in_(list(ids))))
            return [{
                "id": r.article_id, "source": r.source, "url": r.url, "title": r.title,
                "text": r.text, "published_at": r.published_at.isoformat(),
                "sentiment": r.sentiment_label, "score": r.score, "topic": r.topic,
                "entities": r.entities,
            } for r in rows]

    def dispose(self) -> None:
        self.engine.dispose()
