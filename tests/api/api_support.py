"""Records for the API tests and a tiny HTTP client over a real socket (stdlib only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from newsrisk.core.aggregation import ClosedWindow
from newsrisk.records import (
    Alert,
    Detection,
    EvidenceArticle,
    ScoredArticle,
    Sentiment,
    TopicScore,
    WindowAggregate,
)
from newsrisk.storage.store import Store

T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)
H = timedelta(hours=1)
SCRIPT = "<script>alert('x')</script> & more"
TOKEN = "t0ken-Only-For-Tests"


def article(i: int, topic: str, entities: tuple[str, ...], text: str = "shares fell",
            label: str = "negative") -> ScoredArticle:
    probs = (0.8, 0.1, 0.1) if label == "negative" else (0.1, 0.2, 0.7)
    return ScoredArticle(
        id=f"a{i}", source="wire", url=f"https://example.com/{i}", title=f"Title {i}",
        text=text, lang="en", published_at=T0 + timedelta(minutes=10 * i), ingested_at=T0,
        scored_at=T0, sentiment=Sentiment(label, *probs), topics=(TopicScore(topic, 0.9),),
        entities=entities, model_name="m", model_version="1",
    )


def closed(kind: str, key: str, window: str, start: datetime, count: int, neg: int,
           evidence: tuple[EvidenceArticle, ...] = (), severity: str | None = None
           ) -> ClosedWindow:
    size = H if window == "1h" else 24 * H
    agg = WindowAggregate(kind, key, window, start, start + size, count, neg, -0.5 * neg, evidence)
    return ClosedWindow(agg, Detection(0.9 if severity else 0.1, severity, bool(severity),
                                       {"expected_negative": 0.5}))


def make_alert(cw: ClosedWindow, explanations: dict[str, list[dict[str, Any]]]) -> Alert:
    w, d = cw.window, cw.detection
    assert d.severity
    return Alert(Alert.make_id(w.key_kind, w.key, w.window, w.start), w.key_kind, w.key, w.window,
                 w.start, w.end, d.score, d.severity, w.count, w.negative, w.negative_share,
                 w.mean_score, dict(d.baseline), w.top_negative, explanations)


@dataclass
class Seeded:
    fed_alert: Alert
    aapl_alert: Alert


def seed(store: Store) -> Seeded:
    arts = [
        article(1, "Fed", ("AAPL",)),
        article(2, "Fed", ("MSFT", "AAPL"), text=SCRIPT),
        article(3, "Earnings", ("AAPLX",), label="positive"),
        article(4, "Earnings", ("BRK.B",)),
    ]
    ev = tuple(EvidenceArticle(a.id, a.title, a.url, a.published_at, a.sentiment.score,
                               a.sentiment.negative) for a in arts[:2])
    fed_old = closed("topic", "Fed", "1h", T0, 2, 2, ev, "critical")
    fed_new = closed("topic", "Fed", "1h", T0 + H, 1, 0)
    fed_day = closed("topic", "Fed", "1d", T0 - 9 * H, 2, 2, ev)
    earn = closed("topic", "Earnings", "1h", T0, 2, 1)
    aapl = closed("entity", "AAPL", "1h", T0 + H, 2, 2, ev[1:], "warning")
    fed_alert = make_alert(fed_old, {"a2": [{"phrase": "<b>fell</b>", "weight": 0.7}]})
    aapl_alert = make_alert(aapl, {})
    store.write(arts, [fed_old, fed_new, fed_day, earn, aapl], [fed_alert, aapl_alert])
    return Seeded(fed_alert, aapl_alert)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)


def call(base: str, method: str, path: str, body: bytes | dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> Reply:
    hdrs = dict(headers or {})
    data: bytes | None
    if isinstance(body, dict):
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    else:
        data = body
    req = urllib.request.Request(base + path, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return Reply(resp.status, dict(resp.headers), resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, dict(err.headers), err.read())
