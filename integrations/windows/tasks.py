"""Scheduled tasks of a Windows server: reading them and acting on them.

``parse_task_list`` reads what ``list_tasks.ps1`` prints, and also the shapes
Windows PowerShell 5.1 gives when a task list is captured by hand with
``Get-ScheduledTask | ConvertTo-Json``: cmdlet property names, enums as
numbers, dates as ``/Date(ms)/``, lists of one item unwrapped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from integrations.session import ServerSession
from integrations.windows.ps_json import as_list, enum_name, first_of
from integrations.windows.task_results import (
    TaskResult,
    decode_task_result,
    parse_task_time,
)
from integrations.windows.task_xml import (
    DAY_NAMES,
    TaskDefinition,
    TaskTrigger,
    build_task_xml,
    triggers_from_xml,
)

TASK_STATES = {0: "Unknown", 1: "Disabled", 2: "Queued", 3: "Ready", 4: "Running"}

_CIM_TRIGGER_KINDS = {"time": "once", "": "other"}


@dataclass(frozen=True)
class TaskAction:
    execute: str
    arguments: str = ""
    working_directory: str = ""


@dataclass(frozen=True)
class ScheduledTask:
    name: str
    folder: str
    """The task folder, with its backslashes: ``\\Batches\\``."""
    state: str
    """Ready, Running, Disabled, Queued or Unknown."""
    actions: tuple[TaskAction, ...] = ()
    triggers: tuple[TaskTrigger, ...] = ()
    last_run: datetime | None = None
    """None when the task never ran."""
    last_result: TaskResult | None = None
    next_run: datetime | None = None
    missed_runs: int = 0
    description: str = ""

    @property
    def full_name(self) -> str:
        return self.folder + self.name


def parse_task_list(document: str | Any) -> list[ScheduledTask]:
    """Tasks from ``list_tasks.ps1`` output (text or parsed JSON)."""
    data = json.loads(document) if isinstance(document, str) else document
    if isinstance(data, Mapping) and "tasks" in data:
        data = data["tasks"]
    return [_task(record) for record in as_list(data)]


_CMDLET_NAMES = {
    "name": "TaskName",
    "path": "TaskPath",
    "last_task_result": "LastTaskResult",
    "last_run_time": "LastRunTime",
    "next_run_time": "NextRunTime",
    "number_of_missed_runs": "NumberOfMissedRuns",
    "working_directory": "WorkingDirectory",
    "start": "StartBoundary",
    "days_interval": "DaysInterval",
    "weeks_interval": "WeeksInterval",
    "days_of_week": "DaysOfWeek",
}
"""Names our scripts write, and the cmdlets' own names for the same fields."""


def _field(record: Mapping[str, Any], key: str) -> Any:
    cmdlet_name = _CMDLET_NAMES.get(key, key[:1].upper() + key[1:])
    return first_of(record, key, cmdlet_name)


def _task(record: Mapping[str, Any]) -> ScheduledTask:
    xml = record.get("xml")
    if xml:
        triggers = tuple(triggers_from_xml(xml))
    else:
        triggers = tuple(_trigger(t) for t in as_list(_field(record, "triggers")))

    result = _field(record, "last_task_result")
    return ScheduledTask(
        name=_field(record, "name"),
        folder=_field(record, "path") or "\\",
        state=enum_name(_field(record, "state"), TASK_STATES),
        actions=tuple(_action(a) for a in as_list(_field(record, "actions"))),
        triggers=triggers,
        last_run=parse_task_time(_field(record, "last_run_time")),
        last_result=None if result is None else decode_task_result(result),
        next_run=parse_task_time(_field(record, "next_run_time")),
        missed_runs=int(_field(record, "number_of_missed_runs") or 0),
        description=_field(record, "description") or "",
    )


def _action(record: Mapping[str, Any]) -> TaskAction:
    return TaskAction(
        execute=_field(record, "execute") or "",
        arguments=_field(record, "arguments") or "",
        working_directory=_field(record, "working_directory") or "",
    )


def _trigger(record: Mapping[str, Any]) -> TaskTrigger:
    repetition = record.get("Repetition") or {}
    start = _field(record, "start")
    enabled = _field(record, "enabled")
    return TaskTrigger(
        kind=_trigger_kind(record),
        enabled=enabled is None or str(enabled).lower() == "true",
        start=datetime.fromisoformat(start) if start else None,
        days_interval=_field(record, "days_interval"),
        weeks_interval=_field(record, "weeks_interval"),
        days_of_week=_day_names(_field(record, "days_of_week")),
        repetition_interval=(
            record.get("repetition_interval") or repetition.get("Interval")
        ),
        repetition_duration=(
            record.get("repetition_duration") or repetition.get("Duration")
        ),
    )


def _trigger_kind(record: Mapping[str, Any]) -> str:
    kind = record.get("kind")
    if kind is None:
        kind = _cim_class_name(record.get("CimClass"))
    kind = str(kind).removeprefix("MSFT_Task").removesuffix("Trigger").lower()
    return _CIM_TRIGGER_KINDS.get(kind, kind)


def _cim_class_name(cim_class: Any) -> str:
    # 5.1 writes CimClass either as "namespace:MSFT_TaskDailyTrigger" or as an
    # object, depending on the depth it was converted with.
    if isinstance(cim_class, Mapping):
        return str(cim_class.get("CimClassName", ""))
    return str(cim_class or "").rsplit(":", 1)[-1]


def _day_names(value: Any) -> tuple[str, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return tuple(day for bit, day in enumerate(DAY_NAMES) if value & (1 << bit))
    return tuple(str(day) for day in as_list(value))


def list_scheduled_tasks(session: ServerSession, folder: str) -> list[ScheduledTask]:
    """The tasks of one task folder (``\\Batches\\``) on the server."""
    return parse_task_list(session.run_script("list_tasks", {"TaskPath": folder}).data)


def set_task_enabled(
    session: ServerSession, folder: str, name: str, enabled: bool
) -> str:
    """Enable or disable a task; returns its state afterwards."""
    script = "enable_task" if enabled else "disable_task"
    return _task_state(session, script, {"TaskPath": folder, "TaskName": name})


def start_task(session: ServerSession, folder: str, name: str) -> str:
    """Start a task now; returns its state just after."""
    return _task_state(session, "start_task", {"TaskPath": folder, "TaskName": name})


def register_task(
    session: ServerSession, folder: str, name: str, definition: TaskDefinition
) -> str:
    """Create or replace a task from its definition; returns its state."""
    return register_task_xml(session, folder, name, build_task_xml(definition))


def register_task_xml(session: ServerSession, folder: str, name: str, xml: str) -> str:
    """Create or replace a task from its XML text; returns its state."""
    params = {"TaskPath": folder, "TaskName": name, "Xml": xml}
    return _task_state(session, "register_task_xml", params)


def export_task(
    session: ServerSession, folder: str, name: str
) -> tuple[str | None, str | None]:
    """A task's XML text and state; two Nones when there is no such task."""
    params = {"TaskPath": folder, "TaskName": name}
    data = session.run_script("export_task", params).data
    state = data.get("state")
    return data.get("xml"), None if state is None else enum_name(state, TASK_STATES)


def unregister_task(session: ServerSession, folder: str, name: str) -> bool:
    """Delete a task; False when it was already gone."""
    params = {"TaskPath": folder, "TaskName": name}
    return bool(session.run_script("unregister_task", params).data.get("removed"))


def split_task_name(full_name: str) -> tuple[str, str]:
    """``\\Batchs\\Export`` as its folder ``\\Batchs\\`` and name ``Export``."""
    folder, _, name = ("\\" + full_name.lstrip("\\")).rpartition("\\")
    return folder + "\\", name


def _task_state(session: ServerSession, script: str, params: dict[str, Any]) -> str:
    data = session.run_script(script, params).data
    return enum_name(first_of(data, "state", "State"), TASK_STATES)
