"""The same API against PostgreSQL: JSON columns, the LIKE on entities, acks (throwaway schema)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy
from api_support import SCRIPT, TOKEN, call, seed

from newsrisk.storage.store import Store
from tests.conftest import POSTGRES_URL, postgres_available


@pytest.fixture
def pg_store() -> Iterator[Store]:
    if not postgres_available():
        pytest.skip("no PostgreSQL answers at 127.0.0.1:5432 (database test)")
    schema = f"api_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    s = Store(POSTGRES_URL + f"?options=-csearch_path%3D{schema}")
    yield s
    s.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.mark.integration
def test_api_on_postgresql(pg_store, start_api):
    seeded = seed(pg_store)
    api = start_api(pg_store, token=TOKEN)
    assert call(api.url, "GET", "/ready").status == 200
    listed = call(api.url, "GET", "/alerts?severity=critical").json["alerts"]
    assert [a["id"] for a in listed] == [seeded.fed_alert.id]
    detail = call(api.url, "GET", f"/alerts/{seeded.fed_alert.id}").json
    assert [e["id"] for e in detail["evidence"]] == ["a1", "a2"]
    assert detail["evidence"][1]["text"] == SCRIPT
    entity = call(api.url, "GET", "/entities/AAPL").json
    assert [a["id"] for a in entity["articles"]] == ["a2", "a1"]
    topics = {t["topic"]: t for t in call(api.url, "GET", "/topics").json["topics"]}
    assert topics["Fed"]["articles"] == 2 and set(topics["Fed"]["windows"]) == {"1h", "1d"}
    auth = {"Authorization": f"Bearer {TOKEN}"}
    path = f"/alerts/{seeded.fed_alert.id}/ack"
    assert call(api.url, "POST", path, {"user": "alice"}, auth).status == 201
    assert call(api.url, "POST", path, {"user": "bob"}, auth).json["ack"]["user"] == "alice"
