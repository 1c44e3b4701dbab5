from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
POSTGRES_URL = os.environ.get("NEWSRISK_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def classifier():
    from newsrisk.classifiers import load_classifier

    return load_classifier(None, device="cpu", max_batch=64)


@pytest.fixture(scope="session")
def resolver():
    from newsrisk.core.components import build_resolver

    return build_resolver()


def postgres_available() -> bool:
    try:
        import sqlalchemy

        eng = sqlalchemy.create_engine(POSTGRES_URL)
        with eng.connect():
            pass
        eng.dispose()
        return True
    except Exception:
        return False
