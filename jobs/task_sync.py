"""The task sync: each Windows server's Task Scheduler against the inventory.

What the server says wins, and every difference becomes a status change with
source ``detected``:

- a task of the server's task folder that no batch maps to enters the
  inventory as a batch of its own (ready, or disabled when the task is);
- a batch whose task is gone becomes inactive;
- a batch whose task was disabled by hand becomes disabled, and one whose
  task was enabled again becomes ready.

A disabled task is taken as agreeing with an inactive batch. The changes of
one sync are told together: one card in the team's channel, one message per
project manager. A server that does not answer is left for the next sync.
"""

from __future__ import annotations

import logging
import ntpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.runtime import Runtime
from bot.status_changes import NoticeReport, notify_status_changes, record_status_change
from bot.store import Batch, Server
from bot.tasks import (
    default_task_name,
    full_name_key,
    refresh_tasks,
    task_full_name,
    task_key,
)
from bot.texts import text
from integrations.windows.tasks import ScheduledTask

log = logging.getLogger(__name__)

RUNNABLE_TASK_STATES = ("Ready", "Running", "Queued")


@dataclass
class SyncReport:
    servers_read: int = 0
    changes: int = 0
    unread: dict[str, str] = field(default_factory=dict)
    """Servers whose tasks could not be read, with the reason."""
    notices: NoticeReport = field(default_factory=NoticeReport)


@dataclass(frozen=True)
class Drift:
    to_state: str
    why: str


def run_task_sync(
    runtime: Runtime, server_names: Sequence[str] | None = None
) -> SyncReport:
    """Compare every Windows server (or those named) with the inventory,
    record the differences, then tell the channel and the project managers."""
    server_ids = _windows_servers(runtime, server_names)
    report = SyncReport()
    for server_id, refresh in zip(
        server_ids, refresh_tasks(runtime, server_ids), strict=True
    ):
        if refresh.error:
            report.unread[refresh.server] = refresh.error
            continue
        report.servers_read += 1
        report.changes += _reconcile(runtime, server_id, refresh.tasks)

    report.notices = notify_status_changes(runtime)
    log.info(
        "task sync: %d servers read, %d changes, %d not read",
        report.servers_read,
        report.changes,
        len(report.unread),
    )
    return report


def _windows_servers(runtime: Runtime, names: Sequence[str] | None) -> list[int]:
    query = select(Server.id).where(Server.kind == "winrm").order_by(Server.name)
    if names:
        query = query.where(Server.name.in_(names))
    with runtime.store.session() as session:
        return list(session.scalars(query))


def _reconcile(runtime: Runtime, server_id: int, tasks: list[ScheduledTask]) -> int:
    try:
        with runtime.store.session() as session:
            return _record_drift(runtime, session, server_id, tasks)
    except IntegrityError:
        # Another sync added the same new task first; it told everyone.
        log.info("task sync of server %s raced another sync", server_id)
        return 0


def _record_drift(
    runtime: Runtime, session: Session, server_id: int, tasks: list[ScheduledTask]
) -> int:
    lang = runtime.settings.lang
    now = runtime.clock.now()
    who = text(lang, "sync.who")
    server = session.get_one(Server, server_id)
    batches = session.scalars(
        select(Batch)
        .where(Batch.server_id == server_id)
        .options(selectinload(Batch.client))
        .order_by(Batch.name)
    ).all()
    by_key = {full_name_key(task.full_name): task for task in tasks}

    changes = 0
    for batch in batches:
        drift = drift_of(lang, batch, server, by_key)
        if drift is not None:
            recorded = record_status_change(
                session, batch, drift.to_state, who, drift.why, "detected", now
            )
            changes += recorded is not None

    mapped = {task_key(batch, server) for batch in batches}
    names = {batch.name.lower() for batch in batches}
    for key, task in by_key.items():
        if key not in mapped:
            changes += _add_unknown_task(session, server, task, names, (who, now, lang))
    return changes


def drift_of(
    lang: str, batch: Batch, server: Server, tasks: dict[str, ScheduledTask]
) -> Drift | None:
    """The state the server's task says the batch is in, when it differs.

    ``tasks`` are the server's tasks by :func:`bot.tasks.full_name_key`.
    """
    task = tasks.get(task_key(batch, server))
    if task is None:
        if batch.state == "inactive":
            return None
        gone = task_full_name(batch, server)
        return Drift("inactive", text(lang, "sync.why.task_gone", task=gone))

    agreeing: tuple[str, ...]
    if task.state == "Disabled":
        agreeing, to_state = ("disabled", "inactive"), "disabled"
    elif task.state in RUNNABLE_TASK_STATES:
        agreeing, to_state = ("ready",), "ready"
    else:
        return None
    if batch.state in agreeing:
        return None
    task_state = text(lang, f"task.state.{task.state.lower()}")
    why = text(lang, "sync.why.task_state", task=task.full_name, task_state=task_state)
    return Drift(to_state, why)


def _add_unknown_task(
    session: Session,
    server: Server,
    task: ScheduledTask,
    names: set[str],
    context: tuple[str, datetime, str],
) -> int:
    who, now, lang = context
    if task.name.lower() in names:
        # A batch of that name maps to another task: naming a second batch
        # alike would clash, and the team must say which task is right.
        log.info("task %s on %s: its name is taken", task.full_name, server.name)
        return 0

    is_default = full_name_key(default_task_name(server, task.name)) == full_name_key(
        task.full_name
    )
    batch = Batch(
        name=task.name,
        server=server,
        task_path=None if is_default else task.full_name,
        execution_folder=_execution_folder(task),
    )
    why = text(lang, "sync.why.unknown_task", task=task.full_name)
    to_state = "disabled" if task.state == "Disabled" else "ready"
    record_status_change(session, batch, to_state, who, why, "detected", now)
    return 1


def _execution_folder(task: ScheduledTask) -> str | None:
    for action in task.actions:
        if action.working_directory:
            return action.working_directory
        if action.execute:
            return ntpath.dirname(action.execute.strip('"')) or None
    return None
