"""The inventory tests' fixture: the `batchops` command line on the test database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.test_zoom_roundtrip import zoom_runtime  # noqa: F401  (shared fixture)

Batchops = Callable[..., str]


@pytest.fixture
def batchops(settings, store, monkeypatch, tmp_path: Path) -> Batchops:  # type: ignore[no-untyped-def]
    """Run `batchops ARGS...` on the test database; returns what it printed.

    ``expect`` is the exit code the call must end with (0 unless told).
    """
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BATCHOPS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("BATCHOPS_LANG", "fr")
    for name in ("ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_BOT_JID"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, expect: int = 0) -> str:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == expect, result.output
        return result.output

    return run
