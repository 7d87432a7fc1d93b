"""The deploy's scripts do the same on a local folder server and on the fake
Windows server: what the demo does is what the tests check."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from integrations.local_folder import LocalFolderSession
from integrations.session import RemoteError, ServerSession
from integrations.windows.folders import (
    expand_archive,
    make_folder,
    move_path,
    remove_path,
)
from integrations.windows.task_xml import (
    TaskDefinition,
    TaskTrigger,
    build_task_xml,
    decode_task_xml,
)
from integrations.windows.tasks import (
    export_task,
    register_task_xml,
    set_task_enabled,
    unregister_task,
)
from tests.deploy.support import archive
from tests.fakes.windows import FakeTaskScheduler, FakeWindowsSession

START = datetime(2026, 12, 4, 2, 30)
FOLDER = "D:\\Batchs\\Société Générale\\Import"


@pytest.fixture(params=["local", "fake"])
def session(request: pytest.FixtureRequest, tmp_path: Path) -> ServerSession:
    if request.param == "local":
        return LocalFolderSession("LOCAL", tmp_path)
    tasks = FakeTaskScheduler()
    return FakeWindowsSession("FAKE", tasks.responses())


def test_it_says_which_folders_it_made(session: ServerSession) -> None:
    assert make_folder(session, FOLDER) is True
    assert make_folder(session, FOLDER) is False
    assert remove_path(session, FOLDER) is True
    assert remove_path(session, FOLDER) is False


def test_it_unpacks_an_archive_and_counts_its_files(session: ServerSession) -> None:
    path = FOLDER + ".zip"
    session.write_file(path, archive({"Import.exe": b"MZ", "lib/a.dll": b"x"}))

    assert expand_archive(session, path, FOLDER) == 2
    assert remove_path(session, path) is True


def test_it_moves_a_folder_aside_and_back(session: ServerSession) -> None:
    make_folder(session, FOLDER)
    session.write_file(FOLDER + "\\Import.exe", b"MZ")

    assert move_path(session, FOLDER, FOLDER + ".previous") is True
    assert make_folder(session, FOLDER) is True
    with pytest.raises(RemoteError, match="already exists"):
        move_path(session, FOLDER, FOLDER + ".previous")
    remove_path(session, FOLDER)
    assert move_path(session, FOLDER + ".previous", FOLDER) is True
    assert move_path(session, FOLDER + ".previous", FOLDER + ".other") is False


def test_it_keeps_tasks_and_their_state(session: ServerSession) -> None:
    trigger = TaskTrigger(kind="daily", start=START)
    xml = build_task_xml(
        TaskDefinition(command="D:\\Batchs\\Import\\Import.bat", trigger=trigger)
    )

    assert export_task(session, "\\Batchs\\", "Import") == (None, None)
    assert register_task_xml(session, "\\Batchs\\", "Import", xml) == "Ready"
    assert set_task_enabled(session, "\\Batchs\\", "Import", False) == "Disabled"
    kept, state = export_task(session, "\\Batchs\\", "Import")
    assert state == "Disabled"
    assert "<Command>D:\\Batchs\\Import\\Import.bat</Command>" in (kept or "")
    assert set_task_enabled(session, "\\Batchs\\", "Import", True) == "Ready"
    assert unregister_task(session, "\\Batchs\\", "Import") is True
    assert unregister_task(session, "\\Batchs\\", "Import") is False
    with pytest.raises(RemoteError):
        set_task_enabled(session, "\\Batchs\\", "Import", True)


def test_it_writes_a_local_task_as_windows_exports_it(tmp_path: Path) -> None:
    session = LocalFolderSession("LOCAL", tmp_path)
    trigger = TaskTrigger(kind="daily", start=START)
    xml = build_task_xml(TaskDefinition(command="C:\\x.bat", trigger=trigger))

    register_task_xml(session, "\\Batchs\\", "Import", xml)

    data = (tmp_path / "Tasks" / "Batchs" / "Import.xml").read_bytes()
    assert data.startswith(b"\xff\xfe<\x00?\x00x\x00m\x00l\x00")
    assert b"\r\x00\n\x00" in data
    assert decode_task_xml(data).replace("\r\n", "\n") == xml


def test_it_refuses_an_archive_entry_that_leaves_its_folder(tmp_path: Path) -> None:
    session = LocalFolderSession("LOCAL", tmp_path)
    session.write_file("D:\\a.zip", archive({"../escape.txt": b"x"}))

    with pytest.raises(RemoteError, match="unsafe entry"):
        expand_archive(session, "D:\\a.zip", "D:\\Batchs\\A")
    assert not (tmp_path / "D" / "escape.txt").exists()
