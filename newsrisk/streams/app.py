"""The Faust app: topics and the two agents that carry records through the pure core.

- ``score`` consumes ``news.raw`` in batches (``noack_take``), validates and de-duplicates,
  classifies off the event loop (executor), resolves entities, publishes scored articles,
  dead letters and one keyed event per (article, topic|entity) on the internal ``news.keyed``
  topic, batched into one message per keyed partition, the partition Kafka's default
  partitioner gives the key, so that a key always lands on the same partition. After each batch
  it broadcasts its event-time watermark to every keyed partition so that quiet partitions close
  windows too.
- ``aggregate`` consumes ``news.keyed`` and runs one ``AggregationStage`` (windows + detector)
  per partition. Its state is checkpointed to the database together with the last offset it
  includes, and events are acked only after their checkpoint is written, so the committed offset
  never passes the checkpoint. On (re)assignment the stage restores the checkpoint and skips
  offsets it already holds: correct after a restart on Apache Kafka and on Tansu alike (no
  changelog, no reliance on end offsets), and redelivery is absorbed (windows count an article
  id once).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import faust
from aiokafka.partitioner import DefaultPartitioner
from prometheus_client import CollectorRegistry

from newsrisk.config import Settings
from newsrisk.core.aggregation import SEVERITY_LEVEL, AggregationStage, StageOutput
from newsrisk.core.components import (
    build_aggregation_stage,
    build_classifier,
    build_explainer,
    build_resolver,
    build_scoring_stage,
)
from newsrisk.core.dedupe import keys_for
from newsrisk.core.scoring import Incoming, keyed_events
from newsrisk.core.windows import KeyedEvent
from newsrisk.metrics.exporter import PipelineMetrics
from newsrisk.storage.store import Store
from newsrisk.streams.security import faust_credentials

log = logging.getLogger("newsrisk.worker")
CHECKPOINT_EVERY_S = 2.0
CHECKPOINT_EVERY_EVENTS = 5000
KEYED_EVENTS_PER_MESSAGE = 500  # keyed events per batched message (well under 1 MB)


def _keyed_batch(items: list[Any], partition: int) -> list[KeyedEvent]:
    """The events of a batched keyed message; a malformed one is logged and skipped alone."""
    out = []
    for item in items:
        try:
            out.append(KeyedEvent.from_dict(item))
        except Exception:  # noqa: BLE001 - internal topic; never crash the agent
            log.exception("bad keyed event skipped", extra={"partition": partition})
    return out


@dataclass
class PartitionState:
    stage: AggregationStage
    offset: int  # last offset included in the stage's state (-1 = none)
    pending: list[Any] = field(default_factory=list)  # un-acked events
    output: StageOutput = field(default_factory=StageOutput)
    last_checkpoint: float = field(default_factory=time.monotonic)
    raw_max: dict[str, float] = field(default_factory=dict)  # raw partition -> max event time
    raw_idle: set[str] = field(default_factory=set)

    n_raw: int = 1  # raw partitions that must all report before event time advances

    def watermark_input(self) -> float | None:
        """Event time all input partitions have reached: min over the active ones (the max when
        every partition is idle, i.e. nothing is pending anywhere)."""
        if not self.raw_max or len(set(self.raw_max) | self.raw_idle) < self.n_raw:
            return None
        active = [t for p, t in self.raw_max.items() if p not in self.raw_idle]
        return min(active) if active else max(self.raw_max.values())

    def on_marker(self, marker: dict[str, Any]) -> float | None:
        for p, t in marker.get("wm", {}).items():
            self.raw_max[p] = max(float(t), self.raw_max.get(p, float("-inf")))
            self.raw_idle.discard(p)
        self.raw_idle.update(marker.get("idle", []))
        return self.watermark_input()


class NewsriskWorker:
    """Holds the app, the core stages and the sinks of one worker process."""

    def __init__(self, settings: Settings, registry: CollectorRegistry | None = None) -> None:
        self.settings = settings
        self.registry = registry or CollectorRegistry()
        self.metrics = PipelineMetrics(
            self.registry, settings.max_metric_entities,
            [w.strip() for w in settings.watchlist.split(",") if w.strip()],
        )
        self.store = Store(settings.database_url,
                           on_error=lambda t: self.metrics.sink_errors.labels(t).inc())
        self.classifier = build_classifier(settings)
        self.metrics.model_info.labels(self.classifier.name, self.classifier.version,
                                       self.classifier.device).set(1)
        self.resolver = build_resolver()
        self.scoring = build_scoring_stage(settings, self.classifier, self.resolver)
        self.explainer = build_explainer(self.classifier)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="classifier")
        self.db_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")
        self.partitions: dict[int, PartitionState] = {}
        self.lock = asyncio.Lock()
        self.raw_max: dict[int, float] = {}  # stage 1: max event time per owned raw partition
        self.raw_seen: dict[int, float] = {}  # stage 1: wall time of the last record
        self.raw_idle: set[int] = set()
        self.raw_offset: dict[int, int] = {}  # stage 1: last offset consumed per raw partition
        self._raw_owned: set[int] = set()
        self._scoring_idle = asyncio.Event()  # set while no raw batch is being scored/stored
        self._scoring_idle.set()
        # On CPU the model's threads use every core: other work run beside inference
        # oversubscribes them and slows both (py-spy: stage at ~0.6x of bare), so the worker
        # finishes a batch before the next and holds aggregation back while a batch is in the model.
        self.model_uses_all_cores = self.classifier.device == "cpu"
        # set while no batch is in the model
        self._inference_idle = asyncio.Event()
        self._inference_idle.set()
        self._partitioner = DefaultPartitioner()
        self._keyed_parts = list(range(settings.partitions))  # the internal topic's partitions
        self._raw_count_warned: int | None = None
        self.app = self._create_app()

    # --- Faust app --------------------------------------------------------------------------
    def _create_app(self) -> faust.App:
        s = self.settings
        app = faust.App(
            s.app_id,
            broker=s.broker,
            broker_credentials=faust_credentials(s),
            broker_session_timeout=s.broker_session_timeout_s,
            broker_heartbeat_interval=s.broker_heartbeat_s,
            topic_partitions=s.partitions,
            store="memory://",
            web_enabled=False,
            producer_acks=-1,
            stream_wait_empty=False,
            consumer_auto_offset_reset="earliest",
        )
        self.raw_topic = app.topic(s.topic_raw, value_serializer="raw", key_serializer="raw",
                                   partitions=s.partitions)
        self.keyed_topic = app.topic(f"{s.app_id}.keyed", value_serializer="raw",
                                     key_serializer="raw", partitions=s.partitions, internal=True)
        self.scored_topic = app.topic(s.topic_scored, value_serializer="raw", key_serializer="raw",
                                      partitions=s.partitions)
        self.windows_topic = app.topic(s.topic_windows, value_serializer="raw",
                                       key_serializer="raw", partitions=s.partitions)
        self.alerts_topic = app.topic(s.topic_alerts, value_serializer="raw", key_serializer="raw",
                                      partitions=s.partitions)
        self.deadletter_topic = app.topic(s.topic_deadletter, value_serializer="raw",
                                          key_serializer="raw", partitions=s.partitions)
        app.agent(self.raw_topic, name="newsrisk.score")(self._score_agent)
        app.agent(self.keyed_topic, name="newsrisk.aggregate")(self._aggregate_agent)
        app.timer(CHECKPOINT_EVERY_S)(self._checkpoint_timer)
        app.timer(min(1.0, max(0.1, s.idle_partition_s / 4)))(self._idle_timer)
        app.on_partitions_revoked.connect(self._on_revoked)
        app.on_partitions_assigned.connect(self._on_assigned)
        return app

    # --- stage 1 ----------------------------------------------------------------------------
    def _load_dedup_keys(self) -> list[tuple[Any, float]]:
        """De-duplication keys of the stored articles within twice the horizon (a DB read)."""
        from sqlalchemy import func, select
        from sqlalchemy.orm import Session

        from newsrisk.storage.models import ArticleRow

        with Session(self.store.engine) as session:
            newest = session.scalar(select(func.max(ArticleRow.published_at)))
            if newest is None:
                return []
            if newest.tzinfo is None:
                newest = newest.replace(tzinfo=UTC)
            cutoff = newest.timestamp() - 2 * self.settings.dedup_horizon_s
            rows = session.execute(select(
                ArticleRow.article_id, ArticleRow.source, ArticleRow.url, ArticleRow.title,
                ArticleRow.text, ArticleRow.published_at,
            ).where(ArticleRow.published_at >= datetime.fromtimestamp(cutoff, UTC))
                .order_by(ArticleRow.published_at))
            out = []
            for r in rows:
                full = f"{r.title}. {r.text}" if r.title and r.text and not r.text.startswith(
                    r.title) else (r.text or r.title)
                keys = keys_for(r.source, r.article_id, r.url, full, r.text)
                published = r.published_at
                if published.tzinfo is None:
                    published = published.replace(tzinfo=UTC)
                out.append((keys, published.timestamp()))
        return out

    async def _score_agent(self, stream: Any) -> Any:
        """Classify batch k+1 while batch k is published, stored and acked (one step behind)."""
        s = self.settings
        loop = asyncio.get_running_loop()
        finishing: asyncio.Task[None] | None = None
        try:
            async for batch in stream.noack_take(s.max_batch, within=s.max_wait_s):
                # Events of partitions revoked while buffered belong to their new owner (not acked).
                owned = self.app.consumer.assignment()
                events = [ev for ev in batch if ev.message.tp in owned]
                if not events:
                    continue
                self._scoring_idle.clear()
                items = [
                    Incoming(ev.value, datetime.fromtimestamp(ev.message.timestamp, UTC)
                             if ev.message.timestamp else None,
                             ev.message.topic, ev.message.partition, ev.message.offset)
                    for ev in events
                ]
                now = time.monotonic()
                for it in items:
                    if it.partition is not None:
                        self.raw_seen[it.partition] = now
                        self.raw_idle.discard(it.partition)
                        if it.offset is not None:
                            self.raw_offset[it.partition] = max(
                                it.offset, self.raw_offset.get(it.partition, -1))
                self.metrics.received.inc(len(items))
                triage = self.scoring.triage(items)
                self._inference_idle.clear()
                try:
                    scored = await loop.run_in_executor(self.executor, self.scoring.classify,
                                                        triage.accepted)
                finally:
                    self._inference_idle.set()
                if scored:
                    # the model call itself, timed on the classifier thread (as replay does);
                    # executor hand-off and entity resolution are pipeline time, not inference
                    self.metrics.observe_batch(len(scored), self.scoring.last_inference_s)
                if finishing is not None:
                    await finishing  # keeps output order and bounds the work in flight
                finishing = asyncio.ensure_future(self._finish_batch(events, triage, scored))
                if self.model_uses_all_cores:
                    await finishing
                    self._scoring_idle.set()
                else:
                    finishing.add_done_callback(lambda _t: self._scoring_idle.set())
        finally:
            if finishing is not None and not finishing.done():
                await finishing
            self._scoring_idle.set()

    async def _finish_batch(self, events: list[Any], triage: Any, scored: list[Any]) -> None:
        """Publish, store and ack one classified batch; acks come last (at-least-once)."""
        loop = asyncio.get_running_loop()
        for dl in triage.deadletters:
            self.metrics.observe_deadletter(dl)
            await self.deadletter_topic.send(value=json.dumps(dl.to_dict()).encode())
        for reason, n in triage.duplicates.items():
            self.metrics.duplicates.labels(reason).inc(n)
        # Keyed events go out as one message per keyed partition (chunked), not one per
        # article x key: Kafka's per-message cost in the client, the broker and the consuming
        # agent dominated the aggregation side. The partition is the one Kafka's default
        # partitioner gives the key, so a key stays where it was.
        by_partition: dict[int, list[dict[str, Any]]] = {}
        for art in scored:
            await self.scored_topic.send(key=art.id.encode(),
                                         value=json.dumps(art.to_dict()).encode())
            for kev in keyed_events(art):
                part = self._keyed_partition(f"{kev.key_kind}:{kev.key}".encode())
                by_partition.setdefault(part, []).append(kev.to_dict())
        for part, evs in sorted(by_partition.items()):
            for i in range(0, len(evs), KEYED_EVENTS_PER_MESSAGE):
                chunk = evs[i:i + KEYED_EVENTS_PER_MESSAGE]
                await self.keyed_topic.send(value=json.dumps({"events": chunk}).encode(),
                                            partition=part)
        # Watermark markers: the event time each raw partition of this batch has reached.
        by_part: dict[int, float] = {}
        for art, src in zip(scored, triage.sources, strict=True):
            t = art.published_at.timestamp()
            by_part[src] = max(t, by_part.get(src, t))
        for p, t in by_part.items():
            self.raw_max[p] = max(t, self.raw_max.get(p, t))
        if by_part:
            await self._send_marker({str(p): self.raw_max[p] for p in by_part}, [])
            self.metrics.watermark.set(max(self.raw_max.values()))
        await self.app.producer.flush()
        await loop.run_in_executor(self.db_executor, functools.partial(
            self.store.write, scored=scored, deadletters=triage.deadletters))
        for art in scored:
            self.metrics.observe_scored(art)
        for ev in events:
            ev.ack()

    def _keyed_partition(self, key: bytes) -> int:
        """The keyed partition of ``key``: what Kafka's default partitioner (murmur2) picks."""
        return int(self._partitioner(key, self._keyed_parts, self._keyed_parts))

    async def _send_marker(self, wm: dict[str, float], idle: list[str]) -> None:
        marker = json.dumps({"wm": wm, "idle": idle}).encode()
        for p in range(self.settings.partitions):
            await self.keyed_topic.send(value=marker, partition=p)

    async def _idle_timer(self) -> None:
        """Announce raw partitions that went quiet, so they stop holding back event time; update
        the consumer-lag gauge (high watermark - next offset; Tansu under-reports the high
        watermark, so there the gauge is a lower bound)."""
        now = time.monotonic()
        raw = self.raw_topic.get_topic_name()
        lag = 0
        caught_up: set[int] = set()
        for tp in self.app.consumer.assignment():
            if tp.topic == raw:
                try:
                    high = self.app.consumer.highwater(tp)
                except Exception:  # noqa: BLE001 - unknown yet
                    high = None
                if high is not None:
                    behind = max(0, int(high) - (self.raw_offset.get(tp.partition, -1) + 1))
                    lag += behind
                    if behind == 0:
                        caught_up.add(tp.partition)
                if tp.partition not in self.raw_seen:
                    self.raw_seen[tp.partition] = now  # assigned, nothing received yet
        self.metrics.lag.set(lag)
        # Idle = nothing received for a while *and* nothing pending by the high watermark, so a
        # partition paused by a rebalance (high watermark not known yet) never counts as idle.
        newly = [p for p, seen in self.raw_seen.items()
                 if p not in self.raw_idle and p in caught_up
                 and now - seen >= self.settings.idle_partition_s]
        if newly:
            self.raw_idle.update(newly)
            await self._send_marker({}, [str(p) for p in newly])
            await self.app.producer.flush()

    # --- stage 2 ----------------------------------------------------------------------------
    def _raw_partition_count(self) -> int:
        """Partitions of the raw topic as the broker reports them (the topic may predate this
        deployment with another count than ``partitions``); the setting until metadata is in.
        Event time waits for each of them to report or go idle, so a count too low would close
        windows early and one too high would hold them forever."""
        try:
            n = self.app.consumer.topic_partitions(self.raw_topic.get_topic_name())
        except Exception:  # noqa: BLE001 - no consumer or metadata yet
            n = None
        if not n:
            return self.settings.partitions
        if n != self.settings.partitions and n != self._raw_count_warned:
            self._raw_count_warned = n
            log.warning("the raw topic's partition count differs from the partitions setting; "
                        "event time follows the topic's. Set NEWSRISK_PARTITIONS to match.",
                        extra={"topic_partitions": n, "setting": self.settings.partitions})
        return int(n)

    def _checkpoint_name(self, partition: int) -> str:
        return f"{self.settings.app_id}:aggregate:{self.keyed_topic.get_topic_name()}:{partition}"

    async def _partition(self, partition: int) -> PartitionState:
        state = self.partitions.get(partition)
        if state is None:
            stage = build_aggregation_stage(self.settings, explainer=self.explainer,
                                            advance_on_events=False)
            loop = asyncio.get_running_loop()
            saved = await loop.run_in_executor(
                self.db_executor, self.store.load_checkpoint, self._checkpoint_name(partition))
            offset = -1
            state = PartitionState(stage, offset, n_raw=self._raw_partition_count())
            if saved is not None:
                offset, snapshot = saved
                stage.load_state_dict(snapshot)
                state.offset = offset
                state.raw_max = {k: float(v) for k, v in snapshot.get("raw_max", {}).items()}
                state.raw_idle = set(snapshot.get("raw_idle", []))
                log.info("restored aggregation checkpoint",
                         extra={"partition": partition, "offset": offset})
            self.partitions[partition] = state
        return state

    async def _aggregate_agent(self, stream: Any) -> Any:
        async for event in stream.noack().events():
            if self.model_uses_all_cores:
                await self._inference_idle.wait()
            async with self.lock:
                partition = event.message.partition
                if event.message.tp not in self.app.consumer.assignment():
                    continue  # revoked while buffered: the new owner processes it (not acked)
                state = await self._partition(partition)
                if event.message.offset <= state.offset:
                    event.ack()  # already part of the restored state
                    continue
                try:
                    data = json.loads(event.value)
                    if "wm" in data:
                        state.n_raw = self._raw_partition_count()
                        wm = state.on_marker(data)
                        out = state.stage.advance(wm) if wm is not None else StageOutput()
                    elif "events" in data:  # a batch for this partition
                        out = state.stage.add(_keyed_batch(data["events"], partition))
                    else:  # one event (what workers before batching wrote)
                        out = state.stage.add([KeyedEvent.from_dict(data)])
                except Exception:  # noqa: BLE001 - internal topic; never crash the agent
                    log.exception("bad keyed event skipped", extra={"partition": partition})
                    out = StageOutput()
                state.offset = event.message.offset
                state.pending.append(event)
                state.output.extend(out)
                due = (len(state.pending) >= CHECKPOINT_EVERY_EVENTS
                       or time.monotonic() - state.last_checkpoint >= CHECKPOINT_EVERY_S)
                if due or state.output.windows or state.output.alerts:
                    await self._flush(partition, state, checkpoint=due)

    async def _flush(self, partition: int, state: PartitionState, checkpoint: bool = True) -> None:
        """Publish and store closed windows and alerts now; with ``checkpoint`` also snapshot the
        state with its offset and ack the events it includes. Outputs are idempotent upserts, so
        writing them ahead of the (throttled) checkpoint is safe: a restart recomputes the same."""
        out, state.output = state.output, StageOutput()
        # Empty windows feed the detector and the gauges, but are not stored or published.
        kept = [cw for cw in out.windows if cw.window.count or cw.detection.severity]
        for cw in kept:
            agg, det = cw.window, cw.detection
            await self.windows_topic.send(
                key=agg.uid.encode(),
                value=json.dumps({**agg.to_dict(), "anomaly_score": det.score,
                                  "severity": det.severity, "baseline": det.baseline}).encode())
        for alert in out.alerts:
            await self.alerts_topic.send(key=alert.id.encode(),
                                         value=json.dumps(alert.to_dict()).encode())
        if kept or out.alerts:
            await self.app.producer.flush()
        ckpt = None
        if checkpoint:
            snapshot = {**state.stage.state_dict(), "raw_max": state.raw_max,
                        "raw_idle": sorted(state.raw_idle)}
            ckpt = (self._checkpoint_name(partition), state.offset, snapshot)
        if kept or out.alerts or ckpt:
            await asyncio.get_running_loop().run_in_executor(
                self.db_executor, functools.partial(self.store.write, windows=kept,
                                                    alerts=out.alerts, checkpoint=ckpt))
        # Evidence first, then levels: a scrape in between never sees an alert without titles.
        for alert in out.alerts:
            self.metrics.observe_alert(alert)
            log.warning("alert", extra={"alert_id": alert.id, "summary": alert.summary})
        for cw in out.windows:
            exp = cw.detection.baseline.get("expected_negative")
            self.metrics.observe_window(cw.window, cw.detection.score,
                                        SEVERITY_LEVEL.get(cw.detection.severity, 0), exp)
        if checkpoint:
            for ev in state.pending:
                ev.ack()
            state.pending.clear()
            state.last_checkpoint = time.monotonic()

    async def _checkpoint_timer(self) -> None:
        async with self.lock:
            for partition, state in list(self.partitions.items()):
                if state.pending and time.monotonic() - state.last_checkpoint >= CHECKPOINT_EVERY_S:
                    await self._flush(partition, state)

    async def _on_assigned(self, app: Any, assigned: Any, **kwargs: Any) -> None:
        """Raw partitions this worker takes (at start or from another worker): load the
        de-duplication memory from the database, which holds what earlier owners accepted."""
        raw = self.raw_topic.get_topic_name()
        new = {tp.partition for tp in assigned if tp.topic == raw} - self._raw_owned
        self._raw_owned |= new
        if new:
            loaded = await asyncio.get_running_loop().run_in_executor(
                self.db_executor, self._load_dedup_keys)
            for keys, t in loaded:  # applied on the loop thread, like every other dedupe access
                self.scoring.dedup.add(keys, t)
            log.info("loaded de-duplication memory for new partitions",
                     extra={"partitions": sorted(new), "keys_from_articles": len(loaded)})

    async def _on_revoked(self, app: Any, revoked: Any, **kwargs: Any) -> None:
        raw = self.raw_topic.get_topic_name()
        lost = {tp.partition for tp in revoked if tp.topic == raw}
        self._raw_owned -= lost
        if lost:
            # Let the batch in flight be stored before the new owner reloads its de-duplication
            # memory from the database.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._scoring_idle.wait(), timeout=60)
        async with self.lock:
            for tp in revoked:
                if tp.topic == self.keyed_topic.get_topic_name() and tp.partition in self.partitions:
                    state = self.partitions.pop(tp.partition)
                    if state.pending:
                        try:
                            await self._flush(tp.partition, state)
                        except Exception:  # noqa: BLE001 - the next owner restores the checkpoint
                            log.exception("checkpoint on revoke failed",
                                          extra={"partition": tp.partition})
