import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FrozenClock
from integrations.session import ReadRequest, RemoteError
from tests.fakes.windows import FakeWindowsFiles, FakeWindowsSession

START = datetime(2025, 3, 30, 0, 30, tzinfo=UTC)
LOG = "D:\\Logs\\ACME\\envoi.log"


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture
def session(clock):
    files = FakeWindowsFiles(clock)
    files.write(LOG, b"2025-03-30 02:00:01|INFO|first\r\n")
    return FakeWindowsSession("SRV-BATCH-01", files=files, clock=clock)


def _head(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_it_reads_a_file_from_its_offset_and_returns_its_identity(session):
    session.files.append(LOG, b"next line\r\n")
    first = b"2025-03-30 02:00:01|INFO|first\r\n"
    request = ReadRequest(LOG, len(first), head_hash=_head(first), head_length=32)

    (result,) = session.read_files([request])

    assert result.data == b"next line\r\n"
    assert result.start == len(first)
    assert result.size == len(first) + 11
    assert not result.replaced
    assert result.head_length == result.size
    assert result.head_hash == _head(first + b"next line\r\n")
    assert result.modified == START


def test_it_starts_again_at_zero_when_the_file_was_rotated(session):
    session.files.write(LOG, b"2025-03-30 03:00:00|INFO|a new file\r\n")
    request = ReadRequest(LOG, offset=5, head_hash=_head(b"other"), head_length=5)

    (result,) = session.read_files([request])

    assert result.replaced
    assert result.start == 0
    assert result.data.startswith(b"2025-03-30 03:00:00")


def test_it_starts_again_at_zero_when_the_file_was_truncated(session):
    session.files.write(LOG, b"short")

    (result,) = session.read_files([ReadRequest(LOG, offset=100)])

    assert result.replaced
    assert result.data == b"short"


def test_it_reads_every_source_of_a_server_in_one_round_trip(session, clock):
    folder = "D:\\Logs\\Mutuelle"
    session.files.write(folder + "\\import-old.log", b"old", START - timedelta(days=3))
    session.files.write(folder + "\\import-0330.log", b"0123456789")
    session.files.write(folder + "\\IMPORT-0331.LOG", b"new")
    session.files.write(folder + "\\import.txt", b"not a log")
    known = ReadRequest(folder + "\\import-0330.log", offset=4)
    requests = [
        ReadRequest(LOG),
        ReadRequest(
            folder,
            pattern="import-*.log",
            known=(known,),
            since=START - timedelta(days=1),
        ),
        ReadRequest("D:\\Logs\\ACME\\missing.log"),
        ReadRequest("E:\\Nowhere", pattern="*.log"),
    ]

    results = session.read_files(requests)

    assert session.round_trips == 1
    assert [(r.path, r.data, r.error) for r in results] == [
        (LOG, b"2025-03-30 02:00:01|INFO|first\r\n", None),
        (folder + "\\import-0330.log", b"456789", None),
        (folder + "\\IMPORT-0331.LOG", b"new", None),
        ("D:\\Logs\\ACME\\missing.log", b"", "file not found"),
        ("E:\\Nowhere", b"", "folder not found"),
    ]


def test_it_stops_reading_when_the_call_budget_is_spent(session):
    session.max_read_bytes = 10
    session.files.write("D:\\Logs\\b.log", b"x" * 50)

    first, second = session.read_files(
        [ReadRequest(LOG), ReadRequest("D:\\Logs\\b.log")]
    )

    assert len(first.data) == 10
    assert second.data == b""
    assert second.size == 50


def test_it_reports_a_file_it_may_not_open(session):
    session.files.denied.add(LOG)

    (result,) = session.read_files([ReadRequest(LOG)])

    assert result.error == "access denied"


def test_it_lists_writes_and_copies_files(session):
    session.write_file("D:\\Batches\\ACME\\appsettings.json", b"{}")
    session.copy_file(
        "D:\\Batches\\ACME\\appsettings.json", "D:\\Backup\\appsettings.json"
    )

    listed = session.list_files("D:\\Backup", "*.json")

    assert [(f.path, f.size) for f in listed] == [("D:\\Backup\\appsettings.json", 2)]
    assert session.scripts_called() == ["write_file", "copy_file", "list_files"]


def test_it_fails_like_the_script_on_a_missing_folder(session):
    with pytest.raises(RemoteError, match="folder not found"):
        session.list_files("Z:\\Absent", "*.log")


def test_it_fails_every_call_while_unreachable(session):
    session.unreachable = True

    with pytest.raises(RemoteError) as caught:
        session.read_files([ReadRequest(LOG)])

    assert caught.value.reason == "server unreachable"
    assert caught.value.retryable
    assert session.round_trips == 1


def test_it_spends_its_latency_through_the_injected_sleep(clock):
    def sleep(seconds):
        clock.advance(timedelta(seconds=seconds))

    session = FakeWindowsSession(
        "SRV", {"list_tasks": '{"tasks":[]}'}, latency_s=0.1, sleep=sleep
    )

    session.run_script("list_tasks", {"TaskPath": "\\"})

    assert clock.now() == START + timedelta(milliseconds=100)


def test_it_refuses_a_script_that_does_not_exist(session):
    with pytest.raises(ValueError, match="unknown script"):
        session.run_script("format_disk", {})
