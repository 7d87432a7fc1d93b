"""Dates written day first or month first: each file's order, from its dates."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.logengine import LogEntry, SourceSpec, apply_reads
from bot.logengine.checkpoint import FileCheckpoint, SourceState
from tests.test_logengine_helpers import DATA, NOW, LogFolder, read_file

EXCHANGE = DATA / "open" / "exchange-setup-failed-mount-database.log"
SKYDRIVE = DATA / "open" / "skydrive-error-log-czech-utf8-crlf.log"
SPEC = SourceSpec(path="batch.log", timezone="UTC", idle_flush_s=0)


@pytest.fixture
def logs(tmp_path: Path) -> LogFolder:
    return LogFolder(tmp_path)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def stamps(entries: list[LogEntry]) -> list[datetime]:
    return [entry.timestamp for entry in entries]


def test_it_reads_an_exchange_setup_log_month_first_once_a_date_shows_it(
    logs: LogFolder,
) -> None:
    # The next setup run, a week later, shows the order for the whole file.
    later_run = b"[03/15/2021 09:00:00.0000] [0] Starting Microsoft Exchange Setup\n"
    logs.write("batch.log", EXCHANGE.read_bytes() + later_run)

    entries = logs.read(SPEC)

    # Lines 139 and 140 of the file: [03/07/2021 19:33:28.0539] [2] [ERROR] ...
    assert len(entries) == 10
    assert stamps(entries)[:2] == [
        utc(2021, 3, 7, 19, 33, 28, 53900),
        utc(2021, 3, 7, 19, 33, 28, 58600),
    ]
    assert {entry.timestamp.date() for entry in entries} == {utc(2021, 3, 7).date()}


def test_it_reads_an_exchange_setup_log_month_first_when_its_source_says_so() -> None:
    entries = read_file(EXCHANGE, timezone="UTC", date_order="mdy")

    assert entries[0].timestamp == utc(2021, 3, 7, 19, 33, 28, 53900)
    assert entries[-1].timestamp == utc(2021, 3, 7, 19, 33, 28, 65100)


def test_it_reads_the_skydrive_log_month_first() -> None:
    entries = read_file(SKYDRIVE, timezone="UTC")

    # Lines 2 and 25: 07-25-13,16:03:24.649 and 08-01-13,21:23:30.745
    assert entries[0].timestamp == utc(2013, 7, 25, 16, 3, 24, 649000)
    assert entries[-1].timestamp == utc(2013, 8, 1, 21, 23, 30, 745000)
    assert len(entries) == 13


def test_it_reads_a_file_whose_dates_never_tell_day_first(logs: LogFolder) -> None:
    logs.write(
        "batch.log",
        "03/04/2024 10:00:00 INFO Début\n"
        "03/04/2024 10:00:01 ERROR Import interrompu\n"
        "04/04/2024 10:00:00 ERROR Import interrompu\n",
    )

    assert stamps(logs.read(SPEC)) == [
        utc(2024, 4, 3, 10, 0, 1),
        utc(2024, 4, 4, 10, 0, 0),
    ]
    assert logs.state is not None
    assert logs.state["files"]["batch.log"]["date_order"] is None


def test_it_dates_entries_read_before_the_telling_date_in_its_order(
    logs: LogFolder,
) -> None:
    logs.write(
        "batch.log",
        "03/12/2024 23:59:00 ERROR Import interrompu\n"
        "03/13/2024 00:00:01 INFO Reprise\n",
    )

    assert stamps(logs.read(SPEC)) == [utc(2024, 3, 12, 23, 59)]


def test_it_applies_an_order_shown_in_a_later_read_from_then_on(
    logs: LogFolder,
) -> None:
    logs.write("batch.log", "03/04/2024 10:00:00 ERROR Import interrompu\n")
    first = logs.scan(SPEC)
    logs.append(
        "batch.log",
        "03/25/2024 10:00:00 INFO Reprise\n"
        "03/26/2024 10:00:00 ERROR Import interrompu\n"
        "04/01/2024 10:00:00 ERROR Import interrompu\n",
    )
    later = logs.scan(SPEC)

    assert stamps(first.entries) == [utc(2024, 4, 3, 10)]
    assert stamps(later.entries) == [utc(2024, 3, 26, 10), utc(2024, 4, 1, 10)]


def test_it_keeps_the_date_order_of_a_file_across_reads(logs: LogFolder) -> None:
    logs.write("batch.log", "25/03/2024 10:00:00 INFO Début\n")
    logs.scan(SPEC)
    logs.state = json.loads(json.dumps(logs.state))
    logs.append("batch.log", "04/01/2024 10:00:00 ERROR Import interrompu\n")

    assert stamps(logs.scan(SPEC).entries) == [utc(2024, 1, 4, 10)]
    assert logs.state is not None
    assert logs.state["files"]["batch.log"]["date_order"] == "dmy"


def test_it_reads_day_first_dashed_dates_once_a_date_shows_it(
    logs: LogFolder,
) -> None:
    logs.write(
        "batch.log",
        "25-07-13,10:00:00.000,ERR,Sync interrompue\n"
        "03-08-13,10:00:00.000,ERR,Sync interrompue\n",
    )

    assert stamps(logs.read(SPEC)) == [
        utc(2013, 7, 25, 10),
        utc(2013, 8, 3, 10),
    ]


def test_it_follows_the_order_a_source_sets_over_what_dates_show(
    logs: LogFolder,
) -> None:
    logs.write(
        "batch.log",
        "03/25/2024 10:00:00 INFO Reprise\n"
        "03/04/2024 10:00:00 ERROR Import interrompu\n"
        "25/03/2024 10:00:00 ERROR Import interrompu\n",
    )
    entries = logs.read(replace(SPEC, date_order="dmy"))

    # A date that can be read only one way is read that way.
    assert stamps(entries) == [utc(2024, 4, 3, 10), utc(2024, 3, 25, 10)]


def test_it_refuses_an_unknown_date_order() -> None:
    with pytest.raises(ValueError, match="date order"):
        apply_reads(SourceSpec(path="x.log", date_order="ymd"), None, [], NOW)


def test_it_gives_a_new_file_of_a_folder_the_order_its_sibling_showed(
    logs: LogFolder,
) -> None:
    spec = SourceSpec(path=".", pattern="*.log", timezone="UTC", idle_flush_s=0)
    logs.write("run-1.log", "03/25/2024 10:00:00 INFO Début\n")
    logs.read(spec)
    logs.write("run-2.log", "04/02/2024 10:00:00 ERROR Import interrompu\n")

    assert stamps(logs.read(spec)) == [utc(2024, 4, 2, 10)]


def test_it_loads_a_state_kept_before_files_had_a_date_order() -> None:
    older = {"path": "batch.log", "offset": 120, "codec": "ascii"}
    state = SourceState.from_json(
        {"version": 1, "files": {"batch.log": older}, "orphans": []}
    )

    checkpoint = state.files["batch.log"]
    assert checkpoint.date_order is None
    assert FileCheckpoint.from_json(checkpoint.to_json()) == checkpoint
