"""Read-side queries behind the API, over the pipeline's tables (SQLite and PostgreSQL alike).

Plain functions of an ``Engine``: blocking, so the HTTP layer runs them in a thread pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from newsrisk.records import format_time
from newsrisk.storage.models import AlertRow, ArticleRow, WindowRow

RECENT_ARTICLES = 20
RECENT_ALERTS = 20
RECENT_WINDOWS = 48


def _iso(dt: datetime) -> str:
    return format_time(dt if dt.tzinfo else dt.replace(tzinfo=UTC))


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")


def list_alerts(engine: Engine, limit: int, key: str | None = None, severity: str | None = None,
                since: datetime | None = None, key_kind: str | None = None) -> list[dict[str, Any]]:
    """Stored alert payloads, latest window first."""
    q = select(AlertRow.payload)
    if key:
        q = q.where(AlertRow.key == key)
    if key_kind:
        q = q.where(AlertRow.key_kind == key_kind)
    if severity:
        q = q.where(AlertRow.severity == severity)
    if since:
        q = q.where(AlertRow.window_start >= since)
    q = q.order_by(AlertRow.window_start.desc(), AlertRow.id).limit(limit)
    with Session(engine) as s:
        return list(s.scalars(q))


def get_alert(engine: Engine, alert_id: str) -> dict[str, Any] | None:
    with Session(engine) as s:
        row = s.get(AlertRow, alert_id)
        return row.payload if row else None


def article_dict(r: ArticleRow) -> dict[str, Any]:
    return {
        "id": r.article_id, "source": r.source, "url": r.url, "title": r.title, "text": r.text,
        "lang": r.lang, "published_at": _iso(r.published_at),
        "sentiment": {"label": r.sentiment_label, "score": r.score,
                      "probs": {"negative": r.p_negative, "neutral": r.p_neutral,
                                "positive": r.p_positive}},
        "topic": r.topic, "topics": r.topics, "entities": r.entities,
        "model": {"name": r.model_name, "version": r.model_version},
    }


def articles_by_ids(engine: Engine, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Full article rows for evidence ids, in the order of ``ids`` (one per id)."""
    if not ids:
        return []
    with Session(engine) as s:
        rows = s.scalars(select(ArticleRow).where(ArticleRow.article_id.in_(list(ids))))
        found: dict[str, dict[str, Any]] = {}
        for r in rows:
            found.setdefault(r.article_id, article_dict(r))
    return [found[i] for i in ids if i in found]


def window_dict(r: WindowRow) -> dict[str, Any]:
    return {
        "key_kind": r.key_kind, "key": r.key, "window": r.window, "start": _iso(r.start),
        "end": _iso(r.end), "count": r.count, "negative": r.negative,
        "negative_share": r.negative_share, "mean_score": r.mean_score,
        "anomaly_score": r.anomaly_score, "severity": r.severity, "baseline": r.baseline,
        "top_negative": r.top_negative,
    }


def latest_windows(engine: Engine, key_kind: str, key: str | None = None) -> list[WindowRow]:
    """The latest closed window of each (key, window name) of one key kind."""
    latest = select(WindowRow.key, WindowRow.window, func.max(WindowRow.start).label("start"))
    latest = latest.where(WindowRow.key_kind == key_kind)
    if key is not None:
        latest = latest.where(WindowRow.key == key)
    sub = latest.group_by(WindowRow.key, WindowRow.window).subquery()
    q = select(WindowRow).join(sub, and_(
        WindowRow.key == sub.c.key, WindowRow.window == sub.c.window,
        WindowRow.start == sub.c.start)).where(WindowRow.key_kind == key_kind)
    with Session(engine) as s:
        return list(s.scalars(q.order_by(WindowRow.key, WindowRow.window)))


def topics(engine: Engine) -> list[dict[str, Any]]:
    """Per topic: article count and the latest closed window per window name."""
    with Session(engine) as s:
        rows = s.execute(select(ArticleRow.topic, func.count()).group_by(ArticleRow.topic))
        counts = {str(topic): int(n) for topic, n in rows}
    out: dict[str, dict[str, Any]] = {
        t: {"topic": t, "articles": n, "windows": {}} for t, n in counts.items()}
    for w in latest_windows(engine, "topic"):
        entry = out.setdefault(w.key, {"topic": w.key, "articles": 0, "windows": {}})
        entry["windows"][w.window] = window_dict(w)
    return sorted(out.values(), key=lambda e: e["topic"])


def articles_mentioning(engine: Engine, ticker: str, limit: int) -> list[dict[str, Any]]:
    """Latest articles whose ``entities`` JSON list holds ``ticker``.

    Portable across SQLite and PostgreSQL: a ``LIKE '%"TICKER"%'`` on the JSON text (tickers are
    validated to ``[A-Z0-9.-]``, so no LIKE wildcard can appear), walked newest first, then an
    exact membership check in Python. The scan is not indexed: fine at self-hosted volumes.
    """
    q = (select(ArticleRow)
         .where(cast(ArticleRow.entities, String).like(f'%"{ticker}"%'))
         .order_by(ArticleRow.published_at.desc()).limit(limit))
    with Session(engine) as s:
        return [article_dict(r) for r in s.scalars(q) if ticker in (r.entities or [])]


def entity(engine: Engine, ticker: str) -> dict[str, Any]:
    with Session(engine) as s:
        recent = s.scalars(
            select(WindowRow).where(WindowRow.key_kind == "entity", WindowRow.key == ticker)
            .order_by(WindowRow.start.desc(), WindowRow.window).limit(RECENT_WINDOWS))
        recent_windows = [window_dict(w) for w in recent]
    return {
        "ticker": ticker,
        "latest": {w.window: window_dict(w) for w in latest_windows(engine, "entity", ticker)},
        "windows": recent_windows,
        "alerts": list_alerts(engine, RECENT_ALERTS, key=ticker, key_kind="entity"),
        "articles": articles_mentioning(engine, ticker, RECENT_ARTICLES),
    }
