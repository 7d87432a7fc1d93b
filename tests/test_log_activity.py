"""The log scan stamps when a batch last wrote to its log, for the watch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import logengine
from bot.store import Batch, LogSource, Server
from integrations.session import ReadRequest, ReadResult
from jobs.log_scan import log_activity, scan_server
from tests.fakes.windows import FakeWindowsFiles, FakeWindowsSession

WRITTEN = datetime(2026, 12, 4, 2, 31, tzinfo=UTC)
LOG = "D:\\Logs\\import.log"


def result(data: bytes, modified: datetime | None, error: str | None = None) -> Any:
    return ReadResult(
        path=LOG,
        start=0,
        data=data,
        size=len(data),
        head_hash=None,
        head_length=0,
        modified=modified,
        error=error,
    )


def test_it_takes_the_newest_modification_time_of_the_files_that_grew() -> None:
    now = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    earlier = WRITTEN - timedelta(hours=1)

    assert log_activity([result(b"x", earlier), result(b"y", WRITTEN)], now) == WRITTEN
    assert log_activity([result(b"x", None)], now) == now
    assert log_activity([result(b"", WRITTEN)], now) is None
    assert log_activity([result(b"x", WRITTEN, "file not found")], now) is None


@pytest.fixture
def server(runtime, monkeypatch):  # type: ignore[no-untyped-def]
    """A Windows server whose log engine reads every byte and finds nothing.

    The engine is stubbed at its public seam: only what the scan stores
    around it is under test here.
    """
    monkeypatch.setattr(
        logengine,
        "plan_reads",
        lambda spec, state, now: [ReadRequest(spec.path, (state or {}).get("at", 0))],
    )
    monkeypatch.setattr(
        logengine,
        "apply_reads",
        lambda spec, state, results, now: logengine.ScanOutcome(
            [], {"at": sum(r.start + len(r.data) for r in results)}
        ),
    )
    files = FakeWindowsFiles(runtime.clock)
    files.write(LOG, b"start\r\n", modified=WRITTEN)
    fake = FakeWindowsSession("SRV-WIN-01", files=files)
    runtime.open_session = lambda server: fake
    with runtime.store.session() as session:
        found = Server(name="SRV-WIN-01", kind="winrm", host="127.0.0.1")
        batch = Batch(name="Import", server=found)
        session.add(LogSource(batch=batch, path=LOG))
        session.flush()
        server_id = found.id
    return server_id, files


def activity(runtime) -> datetime | None:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        return session.scalars(select(LogSource.last_activity_at)).one()


def test_it_stamps_log_activity_only_when_new_bytes_came(runtime, server) -> None:
    server_id, files = server

    scan_server(runtime, server_id)
    assert activity(runtime) == WRITTEN

    runtime.clock.advance(timedelta(minutes=1))
    scan_server(runtime, server_id)
    assert activity(runtime) == WRITTEN

    later = WRITTEN + timedelta(days=1)
    files.append(LOG, b"again\r\n", modified=later)
    scan_server(runtime, server_id)
    assert activity(runtime) == later
