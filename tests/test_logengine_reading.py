"""Reading after appends, rotations and truncations: nothing lost, nothing twice."""

from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from bot.logengine import SourceSpec, apply_reads, plan_reads
from bot.logengine.lines import CUT_MARK, LINE_CAP
from integrations.session import ReadResult
from tests.test_logengine_helpers import NOW, LogFolder, first_lines

APP = SourceSpec(path="app.log", timezone="UTC")


def line(second: int, level: str, text: str) -> str:
    return f"2025-01-06 08:00:{second:02d}.0000 {level} {text}\n"


@pytest.fixture
def logs(tmp_path: Path) -> LogFolder:
    return LogFolder(tmp_path)


def test_it_reads_only_what_was_added(logs: LogFolder) -> None:
    logs.write("app.log", line(1, "ERROR", "first") + line(2, "INFO", "ok"))
    assert first_lines(logs.scan(APP).entries) == [line(1, "ERROR", "first").strip()]

    logs.append("app.log", line(3, "INFO", "again") + line(4, "ERROR", "second"))
    logs.append("app.log", line(5, "INFO", "next"))
    assert first_lines(logs.scan(APP).entries) == [line(4, "ERROR", "second").strip()]
    assert logs.scan(APP).entries == []


def test_it_holds_the_last_entry_back_until_the_next_one_starts(
    logs: LogFolder,
) -> None:
    logs.write("app.log", line(1, "ERROR", "failed") + "   at Batch.Run()\n")
    assert logs.scan(APP).entries == []

    logs.append("app.log", "   at Batch.Main()\n" + line(2, "INFO", "next"))
    (entry,) = logs.scan(APP).entries
    assert entry.message.split("\n")[1:] == ["   at Batch.Run()", "   at Batch.Main()"]


def test_it_takes_the_last_entry_once_the_file_has_been_idle(logs: LogFolder) -> None:
    logs.write("app.log", line(1, "INFO", "start") + line(2, "FATAL", "crashed"))
    assert logs.scan(APP).entries == []

    logs.clock.advance(timedelta(seconds=APP.idle_flush_s))
    (entry,) = logs.scan(APP).entries
    assert entry.level == "FATAL"

    logs.append("app.log", "   at Batch.Main()\n" + line(9, "INFO", "restart"))
    assert logs.scan(APP).entries == []


def test_it_waits_for_the_end_of_a_partial_line(logs: LogFolder) -> None:
    logs.write("app.log", line(1, "INFO", "start") + "2025-01-06 08:00:02.0000 ERR")
    assert logs.scan(APP).entries == []

    logs.append("app.log", "OR disk full\n" + line(3, "INFO", "next"))
    assert first_lines(logs.scan(APP).entries) == [
        line(2, "ERROR", "disk full").strip()
    ]


def test_it_takes_a_partial_last_line_of_an_idle_file_once(logs: LogFolder) -> None:
    logs.write("app.log", line(1, "ERROR", "no newline").rstrip("\n"))
    logs.clock.advance(timedelta(seconds=APP.idle_flush_s))
    assert len(logs.scan(APP).entries) == 1

    logs.append("app.log", " after all\n" + line(2, "ERROR", "next"))
    logs.clock.advance(timedelta(seconds=APP.idle_flush_s))
    assert first_lines(logs.scan(APP).entries) == [line(2, "ERROR", "next").strip()]


@pytest.mark.parametrize("ending", ["\r\n", "\r\r\n", "\n"])
def test_it_removes_line_ends_of_every_kind(logs: LogFolder, ending: str) -> None:
    text = line(1, "ERROR", "failed") + "   at Batch.Run()\n" + line(2, "INFO", "ok")
    logs.write("app.log", text.replace("\n", ending))

    (entry,) = logs.scan(APP).entries
    assert entry.message == line(1, "ERROR", "failed") + "   at Batch.Run()"


def test_it_joins_a_crlf_split_across_two_reads(logs: LogFolder) -> None:
    logs.write("app.log", line(1, "ERROR", "failed").replace("\n", "\r"))
    assert logs.scan(APP).entries == []

    logs.append("app.log", "\n" + line(2, "INFO", "ok").replace("\n", "\r\n"))
    assert [e.message for e in logs.scan(APP).entries] == [
        line(1, "ERROR", "failed").strip()
    ]


def test_it_follows_a_file_renamed_and_recreated(logs: LogFolder) -> None:
    batch = SourceSpec(path="relances/app.log", timezone="UTC")
    logs.write("relances/app.log", line(1, "ERROR", "before") + line(2, "INFO", "ok"))
    assert len(logs.scan(batch).entries) == 1
    logs.append("relances/app.log", line(3, "ERROR", "unread") + line(4, "INFO", "-"))

    os.rename(logs.root / "relances/app.log", logs.root / "relances/app.log.1")
    logs.write("relances/app.log", line(5, "ERROR", "after") + line(6, "INFO", "ok"))

    found = [e for _ in range(3) for e in logs.scan(batch).entries]
    assert [(e.path, e.first_line) for e in found] == [
        ("relances/app.log", line(5, "ERROR", "after").strip()),
        ("relances/app.log.1", line(3, "ERROR", "unread").strip()),
    ]


def test_it_follows_a_copy_and_truncate_rotation(logs: LogFolder) -> None:
    logs.write("app.log", line(1, "ERROR", "before") + line(2, "INFO", "ok"))
    logs.scan(APP)
    logs.append("app.log", line(3, "ERROR", "unread") + line(4, "INFO", "ok"))

    shutil.copyfile(logs.root / "app.log", logs.root / "app.log.1")
    logs.write("app.log", "")
    logs.append("app.log", line(5, "ERROR", "after") + line(6, "INFO", "ok"))

    found = [e for _ in range(3) for e in logs.scan(APP).entries]
    assert sorted(first_lines(found)) == [
        line(3, "ERROR", "unread").strip(),
        line(5, "ERROR", "after").strip(),
    ]


def test_it_skips_the_zero_bytes_a_writer_leaves_after_truncation(
    logs: LogFolder,
) -> None:
    first = line(1, "ERROR", "before") + line(2, "INFO", "ok")
    logs.write("app.log", first)
    logs.scan(APP)

    # The writer kept its position: the truncated file is zeros up to it.
    logs.write("app.log", b"\x00" * len(first) + line(3, "ERROR", "after").encode())
    logs.append("app.log", line(4, "INFO", "ok"))

    found = [e for _ in range(2) for e in logs.scan(APP).entries]
    assert first_lines(found) == [line(3, "ERROR", "after").strip()]


def test_it_reads_a_file_replaced_by_another_from_its_start(logs: LogFolder) -> None:
    logs.write("app.log", line(1, "INFO", "x" * 80) + line(2, "ERROR", "old"))
    logs.write("app.log", line(2, "INFO", "ok"))
    logs.scan(APP)

    logs.write("app.log", line(7, "ERROR", "new") + line(8, "INFO", "y" * 200))
    assert first_lines(logs.scan(APP).entries) == [line(7, "ERROR", "new").strip()]


def test_it_reads_a_file_that_shrank_from_its_start(logs: LogFolder) -> None:
    logs.write("app.log", line(1, "INFO", "x" * 200) + line(2, "INFO", "ok"))
    logs.scan(APP)

    logs.write("app.log", line(3, "ERROR", "short") + line(4, "INFO", "ok"))
    assert first_lines(logs.scan(APP).entries) == [line(3, "ERROR", "short").strip()]


def test_it_follows_new_files_of_a_folder_source(logs: LogFolder) -> None:
    daily = SourceSpec(path="logs", pattern="export_*.log", timezone="UTC")
    logs.write("logs/export_20250105.log", line(1, "ERROR", "day one"))
    logs.write("logs/readme.txt", line(1, "ERROR", "not a log"))
    logs.clock.advance(timedelta(minutes=5))
    assert first_lines(logs.scan(daily).entries) == [
        line(1, "ERROR", "day one").strip()
    ]

    logs.write("logs/export_20250106.log", line(2, "ERROR", "day two"))
    logs.clock.advance(timedelta(minutes=5))
    found = logs.scan(daily).entries
    assert [(e.path, e.first_line) for e in found] == [
        ("logs/export_20250106.log", line(2, "ERROR", "day two").strip())
    ]
    assert logs.scan(daily).entries == []


def test_it_finds_the_same_entries_when_a_scan_is_applied_again(
    logs: LogFolder,
) -> None:
    logs.write("app.log", line(1, "ERROR", "a") + line(2, "ERROR", "b"))
    logs.write(
        "app.log", line(1, "ERROR", "a") + line(2, "ERROR", "b") + line(3, "I", "c")
    )
    state = logs.state
    results = logs.session.read_files(plan_reads(APP, state, NOW))

    first = apply_reads(APP, state, results, NOW)
    again = apply_reads(APP, state, results, NOW)
    assert first == again
    assert len(first.entries) == 2


def test_it_cuts_a_very_long_line_and_reads_on(logs: LogFolder) -> None:
    logs.write(
        "app.log", line(1, "ERROR", "x" * (3 * LINE_CAP)) + line(2, "ERROR", "b")
    )
    logs.clock.advance(timedelta(seconds=APP.idle_flush_s))
    entries = logs.read(APP)

    assert entries[0].message.endswith(CUT_MARK)
    assert len(entries[0].message) < LINE_CAP + 100
    assert first_lines(entries)[1:] == [line(2, "ERROR", "b").strip()]


def test_it_cuts_a_line_longer_than_a_read(logs: LogFolder) -> None:
    small = SourceSpec(path="app.log", timezone="UTC", max_bytes=LINE_CAP * 2)
    logs.write(
        "app.log", line(1, "ERROR", "x" * (5 * LINE_CAP)) + line(2, "ERROR", "b")
    )
    logs.clock.advance(timedelta(seconds=APP.idle_flush_s))
    entries = logs.read(small)

    assert [e.message.endswith(CUT_MARK) for e in entries] == [True, False]
    assert entries[1].first_line == line(2, "ERROR", "b").strip()


def test_it_keeps_the_encoding_it_decided_across_reads(logs: LogFolder) -> None:
    logs.write("app.log", "\ufeff" + line(1, "INFO", "début"))
    logs.scan(APP)

    logs.append("app.log", line(2, "ERROR", "échec à l'étape 2") + line(3, "INFO", "."))
    assert first_lines(logs.scan(APP).entries) == [
        line(2, "ERROR", "échec à l'étape 2").strip()
    ]


def test_it_reads_utf16_cut_in_the_middle_of_a_character(logs: LogFolder) -> None:
    data = (line(1, "ERROR", "échec") + line(2, "INFO", "fin")).encode("utf-16-le")
    logs.write("app.log", b"\xff\xfe" + data[:51])
    logs.scan(APP)
    logs.append("app.log", data[51:])

    assert [e.first_line for e in logs.scan(APP).entries] == [
        line(1, "ERROR", "échec").strip()
    ]


def test_it_reads_a_big_file_in_rounds_without_losing_entries(
    logs: LogFolder,
) -> None:
    text = "".join(
        line(i % 60, "ERROR" if i % 7 == 0 else "INFO", f"step {i}") + "   at X.Y()\n"
        for i in range(500)
    )
    logs.write("app.log", text)
    logs.clock.advance(timedelta(seconds=APP.idle_flush_s))
    small = SourceSpec(path="app.log", timezone="UTC", max_bytes=997)

    entries = logs.read(small)
    assert [e.first_line for e in entries] == [
        line(i % 60, "ERROR", f"step {i}").strip() for i in range(0, 500, 7)
    ]
    assert all(e.message.endswith("   at X.Y()") for e in entries)


def test_it_says_which_file_could_not_be_read(logs: LogFolder) -> None:
    outcome = logs.scan(SourceSpec(path="missing.log"))

    assert outcome.errors == ["missing.log: file not found"]
    assert outcome.entries == []


def test_it_dates_an_entry_without_a_date_when_it_is_read(logs: LogFolder) -> None:
    logs.write("app.log", "ERROR no date here\nINFO next\n")

    (entry,) = logs.scan(APP).entries
    assert entry.timestamp == NOW


def test_it_follows_a_rotation_inside_a_folder_source(logs: LogFolder) -> None:
    runs = SourceSpec(path="logs", pattern="app*.log", timezone="UTC")
    logs.write("logs/app.log", line(1, "ERROR", "before") + line(2, "INFO", "ok"))
    assert len(logs.scan(runs).entries) == 1
    logs.append("logs/app.log", line(3, "ERROR", "unread") + line(4, "INFO", "-"))

    os.rename(logs.root / "logs/app.log", logs.root / "logs/app.1.log")
    logs.write("logs/app.log", line(5, "ERROR", "after") + line(6, "INFO", "ok"))

    found = [e for _ in range(2) for e in logs.scan(runs).entries]
    assert sorted((e.path, e.first_line) for e in found) == [
        ("logs/app.1.log", line(3, "ERROR", "unread").strip()),
        ("logs/app.log", line(5, "ERROR", "after").strip()),
    ]


def test_it_forgets_folder_files_idle_for_a_week_and_does_not_read_them_again(
    logs: LogFolder,
) -> None:
    daily = SourceSpec(path="logs", pattern="*.log", timezone="UTC")
    logs.write("logs/monday.log", line(1, "ERROR", "monday"))
    logs.clock.advance(timedelta(minutes=5))
    assert len(logs.scan(daily).entries) == 1

    logs.clock.advance(timedelta(days=8))
    logs.scan(daily)
    assert logs.state is not None
    assert list(logs.state["files"]) == []
    assert logs.scan(daily).entries == []


def test_it_keeps_its_state_as_plain_json(logs: LogFolder) -> None:
    logs.write("app.log", line(1, "ERROR", "held back"))
    outcome = logs.scan(APP)

    assert json.loads(json.dumps(outcome.state)) == outcome.state


def test_it_knows_a_file_the_server_spells_another_way(logs: LogFolder) -> None:
    spec = SourceSpec(path="D:\\Logs\\Relances.log", timezone="UTC")
    data = (line(1, "ERROR", "a") + line(2, "INFO", "b")).encode()
    first = ReadResult("D:\\Logs\\Relances.log", 0, data, len(data), None, 0)
    state = apply_reads(spec, None, [first], NOW).state

    more = line(3, "ERROR", "c").encode() + line(4, "INFO", "d").encode()
    listed = ReadResult(
        "d:/logs/relances.log", len(data), more, len(data + more), None, 0
    )
    outcome = apply_reads(spec, state, [listed], NOW)

    assert [(e.path, e.first_line) for e in outcome.entries] == [
        ("D:\\Logs\\Relances.log", line(3, "ERROR", "c").strip())
    ]
    assert list(outcome.state["files"]) == ["D:\\Logs\\Relances.log"]


def test_it_keeps_the_pass_of_the_repeated_hour_across_reads(logs: LogFolder) -> None:
    paris = SourceSpec(path="app.log", timezone="Europe/Paris")
    logs.write("app.log", "2024-10-27 02:50:00.000 INFO avant\n")
    logs.scan(paris)

    logs.append("app.log", "2024-10-27 02:10:00.000 ERROR après le changement\n")
    logs.append("app.log", "2024-10-27 02:20:00.000 INFO suite\n")
    (entry,) = logs.scan(paris).entries
    assert entry.timestamp.isoformat() == "2024-10-27T01:10:00+00:00"
