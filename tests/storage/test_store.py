from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy

from newsrisk.core.aggregation import ClosedWindow
from newsrisk.records import (
    Alert,
    DeadLetter,
    Detection,
    EvidenceArticle,
    ScoredArticle,
    Sentiment,
    TopicScore,
    WindowAggregate,
)
from newsrisk.storage.store import Store
from tests.conftest import POSTGRES_URL, postgres_available

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)


def scored(i: int) -> ScoredArticle:
    return ScoredArticle(
        id=str(i), source="wire", url=None, title=f"t{i}", text="x", lang="en",
        published_at=T0 + timedelta(minutes=i), ingested_at=T0, scored_at=T0,
        sentiment=Sentiment("negative", 0.8, 0.1, 0.1), topics=(TopicScore("Fed", 0.9),),
        entities=("AAPL",), model_name="m", model_version="1",
    )


def window() -> ClosedWindow:
    ev = EvidenceArticle("1", "t1", None, T0, -0.7, 0.8)
    agg = WindowAggregate("topic", "Fed", "1h", T0, T0 + timedelta(hours=1), 3, 2, -1.0, (ev,))
    return ClosedWindow(agg, Detection(0.9, "critical", True, {"expected_negative": 0.4}))


def alert() -> Alert:
    w = window().window
    return Alert(Alert.make_id("topic", "Fed", "1h", T0), "topic", "Fed", "1h", w.start, w.end,
                 0.9, "critical", 3, 2, 2 / 3, -1 / 3, {"expected_negative": 0.4},
                 w.top_negative, {"1": [{"phrase": "falls", "weight": 0.5}]})


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'x.db'}")
        yield s
        s.dispose()
        return
    if not postgres_available():
        pytest.skip("no PostgreSQL answers at 127.0.0.1:5432 (database test)")
    schema = f"t_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = POSTGRES_URL + f"?options=-csearch_path%3D{schema}"
    s = Store(url)
    yield s
    s.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


def test_writes_are_idempotent(store):
    dl = DeadLetter("malformed_json", "bad", "{", "news.raw", 0, 7)
    for _ in range(3):  # redelivery / replay
        store.write([scored(1), scored(2), scored(1)], [window()], [alert()], [dl])
    assert store.counts() == {"articles": 2, "windows": 1, "alerts": 1, "deadletters": 1}
    a = store.alert(alert().id)
    assert a["evidence"][0]["title"] == "t1" and a["explanations"]["1"][0]["phrase"] == "falls"
    assert [r["id"] for r in store.articles_by_ids(["1", "2", "3"])] in (["1", "2"], ["2", "1"])


def test_checkpoint_upsert(store):
    assert store.load_checkpoint("app:aggregate:t:0") is None
    store.write(checkpoint=("app:aggregate:t:0", 5, {"a": 1}))
    store.write(checkpoint=("app:aggregate:t:0", 9, {"a": 2}))
    assert store.load_checkpoint("app:aggregate:t:0") == (9, {"a": 2})
