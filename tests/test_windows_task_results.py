from datetime import UTC, datetime

import pytest

from integrations.windows.task_results import decode_task_result, parse_task_time


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (0, "success"),
        (0x41300, "ready"),
        (267009, "running"),
        (0x41302, "disabled"),
        (267011, "never_run"),
        ("267011", "never_run"),
        (0x41306, "terminated"),
        (0x8004131F, "already_running"),
        (-2147216609, "already_running"),
        (0x800710E0, "refused"),
        (0xC000013A, "killed"),
        (-1073741510, "killed"),
        (1, "exit_code"),
    ],
)
def test_it_names_task_scheduler_constants(value, kind):
    assert decode_task_result(value).kind == kind


def test_it_normalises_a_signed_result_from_schtasks():
    result = decode_task_result("-2147024894")

    assert result.code == 0x80070002
    assert result.text_en == "exit code 2147942402 (0x80070002)"
    assert result.text_fr == "code de sortie 2147942402 (0x80070002)"


def test_it_shows_a_plain_exit_code_in_french_by_default():
    assert decode_task_result(2).text() == "code de sortie 2"
    assert decode_task_result(2).is_failure


def test_it_does_not_count_never_run_as_a_failure():
    result = decode_task_result(267011)

    assert not result.is_failure
    assert result.text("en") == "never run"
    assert result.text("fr") == "jamais exécutée"


def test_it_accepts_hex_text():
    assert decode_task_result("0x41301").kind == "running"


def test_it_rejects_values_outside_32_bits():
    with pytest.raises(ValueError):
        decode_task_result(2**32)


@pytest.mark.parametrize(
    "value",
    [
        "1999-11-30T00:00:00",
        "1999-11-29T23:00:00.0000000Z",
        "1999-11-30T00:00:00-08:00",
        "/Date(943916400000)/",
        {"value": "/Date(943920000000)/", "DisplayHint": 2},
        None,
        "",
    ],
)
def test_it_reads_the_never_run_date_as_none(value):
    assert parse_task_time(value) is None


def test_it_reads_a_real_run_time():
    moment = parse_task_time("2025-04-08T19:00:01.1234567Z")

    assert moment == datetime(2025, 4, 8, 19, 0, 1, 123456, tzinfo=UTC)


def test_it_reads_a_run_time_in_the_ms_date_form():
    moment = parse_task_time("\\/Date(1744138801000)\\/")

    assert moment == datetime(2025, 4, 8, 19, 0, 1, tzinfo=UTC)
