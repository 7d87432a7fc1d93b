"""The deploy tests' fixtures: a runtime talking to the fake Zoom, fake
Windows servers, and an artifact repository folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime import Runtime
from tests.deploy.support import ARCHIVE, ZoomChannel, archive, publish
from tests.fakes.zoom_api import FakeZoom
from tests.test_zoom_roundtrip import runtime_on, zoom_settings


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
        BATCHOPS_LANG="en",
    )
    yield from runtime_on(settings, store, clock)


@pytest.fixture
def channel(deploy_runtime: Runtime, zoom_api: FakeZoom) -> ZoomChannel:
    return ZoomChannel(deploy_runtime, zoom_api)
