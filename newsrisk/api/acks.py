"""Alert acknowledgements: the API's only state change, in its own small table.

The table lives next to the pipeline's tables but has its own declarative ``Base`` so that the
storage layer does not need to know about it; ``ensure_schema`` creates it on API startup.
One acknowledgement per alert: the first one wins and a repeated ack returns it unchanged
(idempotent for retrying clients).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from newsrisk.records import format_time

MAX_USER_CHARS = 128
MAX_NOTE_CHARS = 1000


class AckBase(DeclarativeBase):
    pass


class AlertAckRow(AckBase):
    __tablename__ = "alert_acks"

    alert_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user: Mapped[str] = mapped_column(String(MAX_USER_CHARS))
    note: Mapped[str] = mapped_column(Text, default="")
    acked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Ack:
    alert_id: str
    user: str
    note: str
    acked_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"alert_id": self.alert_id, "user": self.user, "note": self.note,
                "acked_at": format_time(_aware(self.acked_at))}


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def ensure_schema(engine: Engine) -> None:
    AckBase.metadata.create_all(engine)


def get_ack(engine: Engine, alert_id: str) -> Ack | None:
    with Session(engine) as s:
        row = s.get(AlertAckRow, alert_id)
        return Ack(row.alert_id, row.user, row.note, row.acked_at) if row else None


def acks_for(engine: Engine, alert_ids: list[str]) -> dict[str, Ack]:
    if not alert_ids:
        return {}
    with Session(engine) as s:
        rows = s.scalars(select(AlertAckRow).where(AlertAckRow.alert_id.in_(alert_ids)))
        return {r.alert_id: Ack(r.alert_id, r.user, r.note, r.acked_at) for r in rows}


def acknowledge(engine: Engine, alert_id: str, user: str, note: str = "",
                now: datetime | None = None) -> tuple[Ack, bool]:
    """Store an ack; returns it and whether it was created (False: an earlier ack stands)."""
    ack = Ack(alert_id, user, note, now or datetime.now(UTC))
    try:
        with Session(engine) as s, s.begin():
            s.add(AlertAckRow(alert_id=ack.alert_id, user=ack.user, note=ack.note,
                              acked_at=ack.acked_at))
    except IntegrityError:
        existing = get_ack(engine, alert_id)
        if existing is None:  # pragma: no cover - deleted between the two statements
            raise
        return existing, False
    return ack, True
