"""Against a real Windows server, only when one is named in the environment.

Set BATCHOPS_TEST_WINRM_HOST, BATCHOPS_TEST_WINRM_USER and
BATCHOPS_TEST_WINRM_PASSWORD (optionally _PORT, _AUTH, and
BATCHOPS_TEST_WINRM_CERT_VALIDATION=0 for a self-signed test certificate).
Everything here only reads.
"""

import os

import pytest

from integrations.session import ReadRequest
from integrations.windows.remoting import WinRMSession
from integrations.windows.tasks import list_scheduled_tasks

pytestmark = pytest.mark.live_winrm

SETTINGS = {
    key: os.environ.get(f"BATCHOPS_TEST_WINRM_{key}")
    for key in ("HOST", "USER", "PASSWORD", "PORT", "AUTH", "CERT_VALIDATION")
}


@pytest.fixture(scope="module")
def session():
    if not (SETTINGS["HOST"] and SETTINGS["USER"] and SETTINGS["PASSWORD"]):
        pytest.skip("no live Windows server configured (BATCHOPS_TEST_WINRM_*)")
    live = WinRMSession(
        "live",
        SETTINGS["HOST"],
        port=int(SETTINGS["PORT"] or 5986),
        username=SETTINGS["USER"],
        password=SETTINGS["PASSWORD"],
        auth=SETTINGS["AUTH"] or "negotiate",
        cert_validation=SETTINGS["CERT_VALIDATION"] != "0",
    )
    yield live
    live.close()


def test_it_lists_the_root_task_folder(session):
    tasks = list_scheduled_tasks(session, "\\")

    assert all(task.folder == "\\" for task in tasks)


def test_it_reads_a_system_file_from_an_offset_in_one_call(session):
    path = "C:\\Windows\\win.ini"

    whole, missing = session.read_files(
        [ReadRequest(path), ReadRequest("C:\\Windows\\no-such-file.log")]
    )
    (tail,) = session.read_files([ReadRequest(path, offset=10)])

    assert whole.error is None
    assert whole.size == len(whole.data)
    assert tail.data == whole.data[10:]
    assert missing.error == "file not found"


def test_it_lists_files_by_pattern(session):
    files = session.list_files("C:\\Windows", "*.ini")

    assert any(f.path.lower().endswith("win.ini") for f in files)
