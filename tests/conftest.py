"""Shared fixtures: a real database, a frozen clock, a runtime, signed requests.

The database is SQLite in a temporary folder, or the PostgreSQL server named
by ``BATCHOPS_TEST_DATABASE_URL`` (a private schema is made for the run and
dropped after it).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from bot import router
from bot.clock import FrozenClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.schema import upgrade
from bot.store import Base, Store
from bot.webhook import sign

pytest_plugins = ["tests.fakes.zoom_api"]

SECRET_TOKEN = "test-webhook-secret-token"
TEST_NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    postgres = os.environ.get("BATCHOPS_TEST_DATABASE_URL")
    if not postgres:
        path = tmp_path_factory.mktemp("db") / "batchops.db"
        url = f"sqlite:///{path}"
        upgrade(Store(url))
        yield url
        return

    schema = f"batchops_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres else "?"
    url = f"{postgres}{separator}options={quote(f'-csearch_path={schema}')}"
    upgrade(Store(url))
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store(database_url)
    yield store
    with store.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    store.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(TEST_NOW)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "ZOOM_SECRET_TOKEN": SECRET_TOKEN,
            "BATCHOPS_SECRET_KEY": "test-signing-key-0123456789",
        },
        var_dir=tmp_path / "var",
    )


@pytest.fixture
def runtime(settings: Settings, store: Store, clock: FrozenClock) -> Iterator[Runtime]:
    router.load_commands()
    runtime = build_runtime(settings, clock=clock)
    runtime.store.dispose()
    runtime.store = store
    runtime.messenger.store = store  # type: ignore[attr-defined]
    yield runtime
    runtime.worker.shutdown()


def signed_headers(
    body: bytes, timestamp: int, secret: str = SECRET_TOKEN
) -> dict[str, str]:
    """Headers exactly as Zoom sends them with a webhook request."""
    stamp = str(timestamp)
    return {
        "content-type": "application/json; charset=utf-8",
        "x-zm-request-timestamp": stamp,
        "x-zm-signature": sign(secret, stamp, body),
    }


def zoom_event(event: str, payload: dict[str, Any], event_ts: int) -> bytes:
    return json.dumps(
        {"event": event, "event_ts": event_ts, "payload": payload}
    ).encode()
