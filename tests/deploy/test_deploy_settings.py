"""The deploy's settings, checked at start-up with one line naming the variable;
and schedules typed in a command."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.deploy.schedule_words import ScheduleWordsError, read_schedule

TODAY = date(2026, 12, 4)


def test_it_defaults_to_a_folder_under_var_and_windows_roots(tmp_path: Path) -> None:
    settings = Settings.from_env({}, var_dir=tmp_path)

    assert settings.artifacts_url is None
    assert settings.artifacts_dir == tmp_path / "artifacts"
    assert (settings.deploy_root, settings.log_root) == ("D:\\Batchs", "D:\\Logs")


def test_it_reads_roots_with_spaces_accents_and_shares(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "BATCHOPS_DEPLOY_ROOT": "E:\\Batchs Clients\\Société\\",
            "BATCHOPS_LOG_ROOT": "\\\\fichiers\\logs\\batchs",
        },
        var_dir=tmp_path,
    )

    assert settings.deploy_root == "E:\\Batchs Clients\\Société"
    assert settings.log_root == "\\\\fichiers\\logs\\batchs"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        (
            {
                "BATCHOPS_ARTIFACTS_URL": "https://127.0.0.1/r",
                "BATCHOPS_ARTIFACTS_DIR": ".",
            },
            "BATCHOPS_ARTIFACTS_URL and BATCHOPS_ARTIFACTS_DIR are both set",
        ),
        (
            {
                "BATCHOPS_ARTIFACTS_URL": "https://127.0.0.1/r",
                "BATCHOPS_ARTIFACTS_USER": "u",
            },
            "BATCHOPS_ARTIFACTS_PASSWORD is missing",
        ),
        (
            {"BATCHOPS_ARTIFACTS_USER": "u", "BATCHOPS_ARTIFACTS_PASSWORD": "p"},
            "BATCHOPS_ARTIFACTS_USER is set without BATCHOPS_ARTIFACTS_URL",
        ),
        (
            {"BATCHOPS_ARTIFACTS_URL": "https://u:p@127.0.0.1/r"},
            "BATCHOPS_ARTIFACTS_URL holds credentials",
        ),
        (
            {
                "BATCHOPS_ARTIFACTS_URL": "http://10.1.2.3/r",
                "BATCHOPS_ARTIFACTS_USER": "u",
                "BATCHOPS_ARTIFACTS_PASSWORD": "p",
            },
            "the password would travel in clear",
        ),
        ({"BATCHOPS_ARTIFACTS_URL": "ftp://127.0.0.1/r"}, "BATCHOPS_ARTIFACTS_URL"),
        ({"BATCHOPS_ARTIFACTS_DIR": "/no/such/folder"}, "BATCHOPS_ARTIFACTS_DIR"),
        ({"BATCHOPS_DEPLOY_ROOT": "/opt/batchs"}, "BATCHOPS_DEPLOY_ROOT is malformed"),
        ({"BATCHOPS_LOG_ROOT": "Logs"}, "BATCHOPS_LOG_ROOT is malformed"),
    ],
)
def test_it_names_the_variable_that_is_wrong(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError, match=named) as refused:
        Settings.from_env(env, var_dir=tmp_path)

    assert "p@" not in str(refused.value)


def test_it_accepts_credentials_over_http_on_the_loopback_only(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "BATCHOPS_ARTIFACTS_URL": "http://127.0.0.1:8081/releases",
            "BATCHOPS_ARTIFACTS_USER": "deployer",
            "BATCHOPS_ARTIFACTS_PASSWORD": "secret-value",
        },
        var_dir=tmp_path,
    )

    assert settings.artifacts_user == "deployer"
    assert "secret-value" not in repr(settings)


@pytest.mark.parametrize(
    ("words", "kind", "at", "days"),
    [
        (["daily", "02:30"], "daily", (2, 30), ()),
        (["quotidien", "2h05"], "daily", (2, 5), ()),
        (["weekly", "fri,mon,lun", "06:00"], "weekly", (6, 0), ("Monday", "Friday")),
        (["hebdo", "mercredi", "23H59"], "weekly", (23, 59), ("Wednesday",)),
        (["monthly", "15,1", "03:00"], "monthly", (3, 0), ("1", "15")),
        (["mensuel", "dernier,1", "03:00"], "monthly", (3, 0), ("1", "Last")),
    ],
)
def test_it_reads_schedules_in_english_and_french(
    words: list[str], kind: str, at: tuple[int, int], days: tuple[str, ...]
) -> None:
    trigger, taken = read_schedule([*words, "client=X"], TODAY)

    assert taken == len(words)
    assert trigger.kind == kind
    assert trigger.start == datetime(2026, 12, 4, *at)
    assert (trigger.days_of_week or trigger.days_of_month) == days


@pytest.mark.parametrize(
    ("words", "key"),
    [
        (["weekly", "06:00"], "schedule.incomplete"),
        (["daily", "25:00"], "schedule.bad_time"),
        (["weekly", "mon,funday", "06:00"], "schedule.bad_day"),
        (["monthly", "32", "06:00"], "schedule.bad_month_day"),
    ],
)
def test_it_says_what_is_wrong_with_a_schedule(words: list[str], key: str) -> None:
    with pytest.raises(ScheduleWordsError) as refused:
        read_schedule(words, TODAY)

    assert refused.value.key == key
