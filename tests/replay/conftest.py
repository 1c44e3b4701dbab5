from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="package")
def broker() -> Iterator[object]:
    """One embedded broker (Tansu, in memory) for the replay tests; each module uses its own topics."""
    from newsrisk.streams.broker import BrokerError, start_broker

    try:
        b = start_broker()
    except BrokerError as exc:
        pytest.skip(f"embedded broker unavailable: {exc}")
    yield b
    b.stop()
