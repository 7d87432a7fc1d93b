"""The deploy tests' fixtures: a runtime talking to the fake Zoom, fake
Windows servers, and an artifact repository folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import router
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from tests.conftest import SECRET_TOKEN
from tests.deploy.support import ARCHIVE, ZoomChannel, archive, publish
from tests.fakes.zoom_api import FakeZoom


def zoom_settings(
    zoom_api: FakeZoom, database_url: str, var: Path, **extra: str
) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "ZOOM_CLIENT_ID": zoom_api.client_id,
            "ZOOM_CLIENT_SECRET": zoom_api.client_secret,
            "ZOOM_BOT_JID": zoom_api.bot_jid,
            "ZOOM_ACCOUNT_ID": zoom_api.account_id,
            "ZOOM_SECRET_TOKEN": SECRET_TOKEN,
            "ZOOM_API_URL": zoom_api.api_url,
            "ZOOM_OAUTH_URL": zoom_api.oauth_url,
            "ZOOM_ALERT_CHANNEL_JID": zoom_api.channel_jid,
            "BATCHOPS_SECRET_KEY": "test-signing-key-0123456789",
            "BATCHOPS_LANG": "en",
            **extra,
        },
        var_dir=var,
    )


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """The artifact folder, holding the batch's archive and its checksum."""
    folder = tmp_path / "artifacts"
    publish(folder, ARCHIVE, archive())
    return folder


@pytest.fixture
def deploy_runtime(
    zoom_api: FakeZoom, database_url, store, clock, tmp_path: Path, repository: Path
) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    settings = zoom_settings(
        zoom_api,
        database_url,
        tmp_path / "var",
        BATCHOPS_ARTIFACTS_DIR=str(repository),
        BATCHOPS_DEPLOY_ROOT="D:\\Batchs Clients\\Société Générale",
    )
    router.load_commands()
    runtime = build_runtime(settings, clock=clock)
    runtime.store.dispose()
    runtime.store = store
    yield runtime
    runtime.worker.shutdown()


@pytest.fixture
def channel(deploy_runtime: Runtime, zoom_api: FakeZoom) -> ZoomChannel:
    return ZoomChannel(deploy_runtime, zoom_api)
