"""Configuration from the environment, checked at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import ConfigError, Settings

ZOOM = {
    "ZOOM_CLIENT_ID": "id",
    "ZOOM_CLIENT_SECRET": "very-secret-value",
    "ZOOM_BOT_JID": "bot@xmpp.zoom.us",
    "ZOOM_ACCOUNT_ID": "acct",
    "ZOOM_SECRET_TOKEN": "token",
    "BATCHOPS_SECRET_KEY": "0123456789abcdef0123",
}


def test_it_runs_on_defaults_with_sqlite_under_var(tmp_path: Path) -> None:
    settings = Settings.from_env({}, var_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'batchops.db'}"
    assert settings.timezone == "Europe/Paris"
    assert settings.lang == "fr"
    assert not settings.zoom_enabled


def test_it_accepts_a_platform_postgres_url(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgres://u@db:5432/x"}, var_dir=tmp_path
    )
    assert settings.database_url == "postgresql+psycopg://u@db:5432/x"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BATCHOPS_TIMEZONE": "Paris"}, "BATCHOPS_TIMEZONE"),
        ({"BATCHOPS_LANG": "de"}, "BATCHOPS_LANG"),
        ({"ZOOM_API_URL": "api.zoom.us"}, "ZOOM_API_URL"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"BATCHOPS_SECRET_KEY": "short"}, "BATCHOPS_SECRET_KEY"),
        ({**ZOOM, "ZOOM_BOT_JID": ""}, "ZOOM_BOT_JID"),
        ({**ZOOM, "ZOOM_SECRET_TOKEN": ""}, "ZOOM_SECRET_TOKEN"),
    ],
)
def test_it_names_the_setting_that_is_wrong(
    env: dict[str, str], named: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env, var_dir=tmp_path)
    assert str(error.value).startswith(named)
    assert "\n" not in str(error.value)


def test_it_keeps_secrets_out_of_its_repr(tmp_path: Path) -> None:
    settings = Settings.from_env(ZOOM, var_dir=tmp_path)
    assert settings.zoom_enabled
    assert "very-secret-value" not in repr(settings)
    assert "0123456789abcdef0123" not in repr(settings)


def test_it_stops_the_cli_with_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BATCHOPS_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("BATCHOPS_TIMEZONE", "Mars/Olympus")
    result = CliRunner().invoke(main, ["chat", "help"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: BATCHOPS_TIMEZONE is malformed: 'Mars/Olympus' is not an IANA "
        "time zone such as Europe/Paris"
    ]


def test_it_says_in_one_line_when_the_database_does_not_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BATCHOPS_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/folder/x.db")
    result = CliRunner().invoke(main, ["chat", "help"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: the database does not answer (unable to open database file); "
        "check DATABASE_URL and that the database server runs"
    ]


def test_it_refuses_a_port_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "99999")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert "99999 is not in the range 1<=x<=65535" in result.output
