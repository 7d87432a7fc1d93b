"""Heartbeats: a batch's script tells batchops when it starts and how it ends.

The script calls its batch's ping URL: ``/ping/<uuid>/start`` when it begins,
then ``/ping/<uuid>`` (success), ``/ping/<uuid>/fail`` or
``/ping/<uuid>/<exit code>`` when it ends, with the last lines of its output
as the body if it likes. Each start opens a run; each end closes the run
still open, or records a run of its own when none is.
"""

from __future__ import annotations

import codecs
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.store import Batch, BatchRun

MAX_BODY_BYTES = 10 * 1024
"""The output a ping may carry; the end of a long log is what helps."""


class BadPing(ValueError):
    """A ping the endpoint refuses; the text tells the script's author why."""


@dataclass(frozen=True)
class Ping:
    kind: str
    """start, success or failed."""
    exit_code: int | None = None
    output: str | None = None


def read_signal(signal: str | None) -> tuple[str, int | None]:
    """What the part of the URL after the uuid says: kind and exit code."""
    if not signal:
        return "success", None
    if signal == "start":
        return "start", None
    if signal == "fail":
        return "failed", None
    if signal.isascii() and signal.isdigit() and int(signal) <= 255:
        code = int(signal)
        return ("success" if code == 0 else "failed"), code
    raise BadPing("expected /start, /fail or an exit code from 0 to 255")


def read_output(data: bytes, charset: str | None) -> str | None:
    """The body as text: its declared charset, else UTF-8, else Windows-1252."""
    if not data.strip():
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _clean(data.decode("utf-16", errors="replace"))
    for codec in (charset, "utf-8-sig"):
        if not codec:
            continue
        try:
            return _clean(data.decode(codec))
        except (LookupError, UnicodeDecodeError):
            continue
    return _clean(data.decode("cp1252", errors="replace"))


def _clean(text: str) -> str | None:
    # PostgreSQL text cannot hold NUL characters.
    cleaned = text.replace("\x00", "").rstrip()
    return cleaned or None


def batch_for_ping(session: Session, token: str) -> Batch | None:
    """The batch whose ping uuid ``token`` is; None for anything else."""
    try:
        wanted = str(uuid.UUID(token))
    except ValueError:
        return None
    return session.scalar(select(Batch).where(Batch.ping_uuid == wanted))


def record_ping(session: Session, batch_id: int, ping: Ping, now: datetime) -> BatchRun:
    """Open or close a run of the batch; returns the run."""
    if ping.kind == "start":
        return _start_run(session, batch_id, ping, now)

    run = session.scalar(
        select(BatchRun)
        .where(BatchRun.batch_id == batch_id, BatchRun.outcome == "running")
        .order_by(BatchRun.id.desc())
        .limit(1)
    )
    if run is None:
        run = BatchRun(batch_id=batch_id, outcome="running", output=None)
        session.add(run)
    run.outcome = ping.kind
    run.finished_at = now
    run.last_ping_at = now
    run.exit_code = ping.exit_code
    run.output = ping.output or run.output
    if run.started_at is not None:
        run.duration_ms = int((now - run.started_at).total_seconds() * 1000)
    session.flush()
    return run


def _start_run(session: Session, batch_id: int, ping: Ping, now: datetime) -> BatchRun:
    # A run still open when the next one starts will never hear its end.
    session.execute(
        update(BatchRun)
        .where(BatchRun.batch_id == batch_id, BatchRun.outcome == "running")
        .values(outcome="unfinished")
        .execution_options(synchronize_session=False)
    )
    run = BatchRun(
        batch_id=batch_id,
        outcome="running",
        started_at=now,
        last_ping_at=now,
        output=ping.output,
    )
    session.add(run)
    session.flush()
    return run


def ping_url(base_url: str, batch: Batch) -> str:
    return f"{base_url.rstrip('/')}/ping/{ensure_ping_uuid(batch)}"


def ensure_ping_uuid(batch: Batch) -> str:
    """The batch's ping uuid, made now for a row written without one."""
    if batch.ping_uuid is None:
        batch.ping_uuid = str(uuid.uuid4())
    return batch.ping_uuid
