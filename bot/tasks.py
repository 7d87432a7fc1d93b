"""The scheduled tasks behind batches, read from their Windows servers.

Each batch on a Windows server maps to one task: ``Batch.task_path`` when set
(``\\Batchs\\ExportCompta``), otherwise the batch's name in the server's task
folder. What the server says is kept on the batch row with the time it was
read, so a status answers even while a server is down.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from bot.runtime import Runtime
from bot.schedules import trigger_record
from bot.store import Batch, Server
from integrations.session import RemoteError
from integrations.windows.task_xml import TaskTrigger
from integrations.windows.tasks import ScheduledTask, list_scheduled_tasks

log = logging.getLogger(__name__)

DEFAULT_TASK_FOLDER = "\\"


@dataclass
class TaskRefresh:
    server: str
    tasks: list[ScheduledTask] = field(default_factory=list)
    error: str | None = None


def task_full_name(batch: Batch, server: Server) -> str:
    """The task's full name, folder included: ``\\Batchs\\ExportCompta``."""
    if batch.task_path:
        return "\\" + batch.task_path.lstrip("\\")
    return default_task_name(server, batch.name)


def default_task_name(server: Server, name: str) -> str:
    """The task a batch named ``name`` maps to when it names none itself."""
    folder = server.task_folder or DEFAULT_TASK_FOLDER
    return "\\" + (folder.strip("\\") + "\\" + name).lstrip("\\")


def task_key(batch: Batch, server: Server) -> str:
    """The task's full name, folder included, lower-cased for matching."""
    return full_name_key(task_full_name(batch, server))


def full_name_key(full_name: str) -> str:
    """A task's full name as matched: rooted, without case."""
    return ("\\" + full_name.lstrip("\\")).lower()


def refresh_server_tasks(runtime: Runtime, server_id: int) -> TaskRefresh:
    """Read the server's task folder and store each batch's task on its row."""
    with runtime.store.session() as session:
        server = session.get_one(Server, server_id)
        session.expunge(server)
    refresh = TaskRefresh(server.name)
    if server.kind != "winrm":
        return refresh

    try:
        refresh.tasks = _read_tasks(runtime, server)
    except RemoteError as error:
        refresh.error = error.reason
        log.info("tasks of %s not read: %s", server.name, error.reason)
        return refresh

    _store_tasks(runtime, server_id, refresh.tasks)
    return refresh


def _read_tasks(runtime: Runtime, server: Server) -> list[ScheduledTask]:
    session = runtime.open_session(server)
    try:
        return list_scheduled_tasks(session, server.task_folder or DEFAULT_TASK_FOLDER)
    finally:
        session.close()


def _store_tasks(runtime: Runtime, server_id: int, tasks: list[ScheduledTask]) -> None:
    now = runtime.clock.now()
    by_key = {full_name_key(task.full_name): task for task in tasks}
    with runtime.store.session() as session:
        server = session.get_one(Server, server_id)
        for batch in session.scalars(select(Batch).where(Batch.server_id == server_id)):
            task = by_key.get(task_key(batch, server))
            batch.task_checked_at = now
            if task is None:
                batch.task_state = "Missing"
                continue
            batch.task_state = task.state
            batch.task_last_run_at = task.last_run
            batch.task_last_result = task.last_result.code if task.last_result else None
            batch.task_next_run_at = task.next_run
            batch.task_missed_runs = task.missed_runs
            _note_triggers(batch, task.triggers, now)


def _note_triggers(
    batch: Batch, triggers: tuple[TaskTrigger, ...], now: datetime
) -> None:
    """Keep the triggers for the expected runs; new ones are checked from now."""
    records = [trigger_record(trigger) for trigger in triggers]
    if records != batch.task_triggers:
        batch.task_triggers = records
        batch.expect_since = now


def refresh_tasks(
    runtime: Runtime, server_ids: list[int], max_workers: int = 8
) -> list[TaskRefresh]:
    """Refresh several servers in parallel."""
    if not server_ids:
        return []
    workers = max(1, min(max_workers, len(server_ids)))
    with ThreadPoolExecutor(workers, thread_name_prefix="tasks") as pool:
        return list(
            pool.map(lambda sid: refresh_server_tasks(runtime, sid), server_ids)
        )
