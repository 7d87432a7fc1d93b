"""A local folder as a server: reading logs as the Windows reader does."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from integrations.local_folder import LocalFolderSession
from integrations.session import HEAD_BYTES, ReadRequest, RemoteError


@pytest.fixture
def server(tmp_path: Path) -> LocalFolderSession:
    return LocalFolderSession("demo-1", tmp_path)


def write(path: Path, data: bytes, modified: datetime | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if modified is not None:
        os.utime(path, (modified.timestamp(), modified.timestamp()))


def test_it_reads_a_file_from_an_offset_with_its_head_hash(
    server: LocalFolderSession, tmp_path: Path
) -> None:
    write(tmp_path / "logs/app.log", b"0123456789")

    (result,) = server.read_files([ReadRequest("logs/app.log", offset=4, max_bytes=3)])
    assert (result.start, result.data, result.size) == (4, b"456", 10)
    assert result.head_hash == hashlib.sha256(b"0123456789").hexdigest()
    assert result.head_length == 10
    assert not result.replaced and result.error is None


def test_it_hashes_at_most_the_head_bytes(
    server: LocalFolderSession, tmp_path: Path
) -> None:
    data = bytes(range(256)) * 10
    write(tmp_path / "big.log", data)

    (result,) = server.read_files([ReadRequest("big.log")])
    assert result.head_length == HEAD_BYTES
    assert result.head_hash == hashlib.sha256(data[:HEAD_BYTES]).hexdigest()


def test_it_uses_an_absolute_path_as_it_is(
    server: LocalFolderSession, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.log"
    write(elsewhere, b"abc")

    (result,) = server.read_files([ReadRequest(str(elsewhere))])
    assert result.data == b"abc"


@pytest.mark.parametrize(
    ("now_in_file", "reason"),
    [(b"0123", "it shrank"), (b"abcdefghijklmn", "it starts with other bytes")],
)
def test_it_reads_another_file_from_its_start(
    server: LocalFolderSession, tmp_path: Path, now_in_file: bytes, reason: str
) -> None:
    head = hashlib.sha256(b"0123456789").hexdigest()
    write(tmp_path / "app.log", now_in_file)

    request = ReadRequest("app.log", offset=10, head_hash=head, head_length=10)
    (result,) = server.read_files([request])
    assert (result.start, result.data, result.replaced) == (0, now_in_file, True), (
        reason
    )


def test_it_reads_a_folder_from_each_file_s_own_offset(
    server: LocalFolderSession, tmp_path: Path
) -> None:
    old = datetime(2024, 1, 1, tzinfo=UTC)
    write(tmp_path / "logs/run_1.log", b"first run", old)
    write(tmp_path / "logs/run_2.log", b"second run")
    write(tmp_path / "logs/RUN_3.LOG", b"third run")
    write(tmp_path / "logs/notes.txt", b"not a log")

    request = ReadRequest(
        "logs",
        pattern="run_*.log",
        known=(ReadRequest("logs/run_2.log", offset=7),),
        since=old + timedelta(days=1),
    )
    results = server.read_files([request])
    assert [(r.path, r.data) for r in results] == [
        ("logs/RUN_3.LOG", b"third run"),
        ("logs/run_2.log", b"run"),
    ]


def test_it_says_when_one_file_cannot_be_read(server: LocalFolderSession) -> None:
    (result,) = server.read_files([ReadRequest("missing.log", offset=5)])

    assert result.error == "file not found"
    assert result.data == b""


def test_it_lists_writes_and_copies_files(
    server: LocalFolderSession, tmp_path: Path
) -> None:
    server.write_file("deploy/batch.exe.config", b"<configuration/>")
    server.copy_file("deploy/batch.exe.config", "backup/batch.exe.config")

    listed = server.list_files("backup", "*.config")
    assert [(f.path, f.size) for f in listed] == [("backup/batch.exe.config", 16)]
    assert (tmp_path / "backup/batch.exe.config").read_bytes() == b"<configuration/>"


def test_it_refuses_scripts_it_has_no_local_version_of(
    server: LocalFolderSession,
) -> None:
    with pytest.raises(RemoteError) as raised:
        server.run_script("list_tasks", {})

    assert (
        raised.value.reason == "script list_tasks does not run on local folder servers"
    )
    assert raised.value.retryable is False


def test_it_refuses_to_list_a_folder_that_does_not_exist(
    server: LocalFolderSession,
) -> None:
    with pytest.raises(RemoteError, match="folder not found"):
        server.list_files("nowhere", "*")
