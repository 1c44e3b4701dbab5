from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_support import Seeded, seed

from newsrisk.api import ApiThread, create_api, run_api_in_thread
from newsrisk.storage.store import Store

StartApi = Callable[..., ApiThread]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'api.db'}")
    yield s
    s.dispose()


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed(store)


@pytest.fixture
def start_api() -> Iterator[StartApi]:
    """Start the real app on a free loopback port; every server started is stopped after."""
    running: list[ApiThread] = []

    def start(store: Store, token: str | None = None, ready: Callable[[], bool] = lambda: True,
              **kwargs: object) -> ApiThread:
        api = run_api_in_thread(create_api(store, ready, token, **kwargs), "127.0.0.1", 0)
        running.append(api)
        return api

    yield start
    for api in running:
        api.stop()
