"""Stage 2: windows per key, the detector on every closed window, and alerts with evidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from newsrisk.config import WindowSpec
from newsrisk.core.windows import KeyedEvent, WindowAggregator
from newsrisk.records import Alert, Detection, WindowAggregate

Explainer = Callable[[str], list[dict[str, Any]]]


class DetectorLike(Protocol):
    def observe(self, agg: WindowAggregate) -> Detection: ...
    def state_dict(self) -> dict[str, Any]: ...
    def load_state_dict(self, state: dict[str, Any]) -> None: ...


@dataclass(slots=True)
class ClosedWindow:
    window: WindowAggregate
    detection: Detection


@dataclass(slots=True)
class StageOutput:
    windows: list[ClosedWindow] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    def extend(self, other: StageOutput) -> None:
        self.windows.extend(other.windows)
        self.alerts.extend(other.alerts)


SEVERITY_LEVEL = {None: 0, "warning": 1, "critical": 2}


class AggregationStage:
    """Pure core of the keyed stage; one instance per input partition in the live worker."""

    def __init__(
        self,
        specs: tuple[WindowSpec, ...],
        detector: DetectorLike,
        allowed_lateness_s: float = 600,
        top_evidence: int = 5,
        explainer: Explainer | None = None,
        explain_top: int = 3,
        idle_ttl_s: float = 86400,
        advance_on_events: bool = True,
    ) -> None:
        self.windows = WindowAggregator(specs, allowed_lateness_s, top_evidence, idle_ttl_s,
                                        advance_on_events)
        self.detector = detector
        self.explainer = explainer
        self.explain_top = explain_top

    def add(self, events: Sequence[KeyedEvent]) -> StageOutput:
        out = StageOutput()
        for ev in events:
            self._on_closed(self.windows.add(ev), out)
        return out

    def advance(self, event_time: float) -> StageOutput:
        out = StageOutput()
        self._on_closed(self.windows.advance(event_time), out)
        return out

    def flush(self) -> StageOutput:
        out = StageOutput()
        self._on_closed(self.windows.flush(), out)
        return out

    def _on_closed(self, closed: list[WindowAggregate], out: StageOutput) -> None:
        for agg in closed:
            det = self.detector.observe(agg)
            out.windows.append(ClosedWindow(agg, det))
            if det.fire and det.severity:
                out.alerts.append(self._alert(agg, det))

    def _alert(self, agg: WindowAggregate, det: Detection) -> Alert:
        explanations: dict[str, list[dict[str, Any]]] = {}
        if self.explainer is not None:
            for ev in agg.top_negative[: self.explain_top]:
                try:
                    explanations[ev.id] = self.explainer(ev.title)
                except Exception as exc:  # noqa: BLE001 - an explanation must never block an alert
                    explanations[ev.id] = [{"error": repr(exc)}]
        return Alert(
            id=Alert.make_id(agg.key_kind, agg.key, agg.window, agg.start),
            key_kind=agg.key_kind, key=agg.key, window=agg.window, window_start=agg.start,
            window_end=agg.end, score=det.score, severity=det.severity or "warning",
            count=agg.count, negative=agg.negative, negative_share=agg.negative_share,
            mean_score=agg.mean_score, baseline=dict(det.baseline), evidence=agg.top_negative,
            explanations=explanations,
        )

    def state_dict(self) -> dict[str, Any]:
        return {"windows": self.windows.state_dict(), "detector": self.detector.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.windows.load_state_dict(state.get("windows", {}))
        if "detector" in state:
            self.detector.load_state_dict(state["detector"])
