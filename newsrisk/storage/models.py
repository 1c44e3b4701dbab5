"""SQLAlchemy 2.x models: scored articles, window aggregates, alerts, dead letters, checkpoints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(300), primary_key=True)  # source:id
    article_id: Mapped[str] = mapped_column(String(256))
    source: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(16))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sentiment_label: Mapped[str] = mapped_column(String(16))
    p_negative: Mapped[float] = mapped_column(Float)
    p_neutral: Mapped[float] = mapped_column(Float)
    p_positive: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    topic: Mapped[str] = mapped_column(String(64), index=True)
    topics: Mapped[list] = mapped_column(JSON)
    entities: Mapped[list] = mapped_column(JSON)
    model_name: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(64))


class WindowRow(Base):
    __tablename__ = "windows"

    uid: Mapped[str] = mapped_column(String(400), primary_key=True)
    key_kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(128))
    window: Mapped[str] = mapped_column(String(16))
    start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    count: Mapped[int] = mapped_column(Integer)
    negative: Mapped[int] = mapped_column(Integer)
    negative_share: Mapped[float] = mapped_column(Float)
    mean_score: Mapped[float] = mapped_column(Float)
    anomaly_score: Mapped[float] = mapped_column(Float)
    severity: Mapped[str | None] = mapped_column(String(16), nullable=True)
    baseline: Mapped[dict] = mapped_column(JSON)
    top_negative: Mapped[list] = mapped_column(JSON)

    __table_args__ = (Index("ix_windows_key", "key_kind", "key", "window", "start"),)


class AlertRow(Base):
    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(128), index=True)
    window: Mapped[str] = mapped_column(String(16))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    severity: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)
    negative: Mapped[int] = mapped_column(Integer)
    negative_share: Mapped[float] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON)  # the full alert record with evidence


class DeadLetterRow(Base):
    __tablename__ = "deadletters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_key: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
    reason: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CheckpointRow(Base):
    """Snapshot of a stage's state for one input partition, with the last offset it includes."""

    __tablename__ = "checkpoints"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)  # app:stage:topic:partition
    offset: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
