"""Task Scheduler task XML: reading its triggers and writing a batch's task.

Every task is registered from XML because ``New-ScheduledTaskTrigger`` has no
monthly trigger. Reading XML back is how monthly triggers are known too: the
CIM classes behind ``Get-ScheduledTask`` show them as bare ``MSFT_TaskTrigger``.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import datetime

NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"
_Q = f"{{{NS}}}"

DAY_NAMES = (
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
)
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class TaskTrigger:
    kind: str
    """daily, weekly, monthly (days of month), monthly_dow (e.g. last Monday),
    once, boot, logon, or another trigger's lower-case name."""
    enabled: bool = True
    start: datetime | None = None
    """Naive when the task gives no offset: the server's local time."""
    days_interval: int | None = None
    weeks_interval: int | None = None
    days_of_week: tuple[str, ...] = ()
    days_of_month: tuple[str, ...] = ()
    """"1" to "31", or "Last"."""
    weeks: tuple[str, ...] = ()
    """"1" to "4", or "Last" (monthly_dow)."""
    months: tuple[str, ...] = ()
    repetition_interval: str | None = None
    """ISO 8601 duration, e.g. PT15M."""
    repetition_duration: str | None = None


@dataclass(frozen=True)
class TaskDefinition:
    """What batchops registers for a batch."""

    command: str
    trigger: TaskTrigger
    arguments: str = ""
    working_directory: str | None = None
    description: str = ""
    author: str = "batchops"
    run_as: str = "S-1-5-18"
    """A user or SID; the default is LocalSystem."""
    logon_type: str = "ServiceAccount"
    """ServiceAccount for built-in accounts, S4U for a user without a stored
    password (no network access), Password when registered with one."""
    enabled: bool = True
    execution_time_limit: str = "PT8H"
    extra_settings: dict[str, str] = field(default_factory=dict)


def decode_task_xml(data: bytes) -> str:
    """The text of a task XML file, whatever its bytes and declaration say.

    Exports are UTF-16 with a BOM, but files written by some tools declare
    UTF-16 over 8-bit bytes: trust the BOM, then the bytes, never the
    declaration.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec)
    if data[:2] == b"<\x00":
        return data.decode("utf-16-le")
    if data[:2] == b"\x00<":
        return data.decode("utf-16-be")
    return data.decode("utf-8")


def parse_task_xml(text: str) -> ET.Element:
    # ElementTree refuses text that still carries an encoding declaration.
    return ET.fromstring(_DECLARATION.sub("", text, count=1))


def triggers_from_xml(text: str) -> list[TaskTrigger]:
    """The triggers of a task, monthly ones included."""
    triggers = parse_task_xml(text).find(f"{_Q}Triggers")
    if triggers is None:
        return []
    return [_trigger(element) for element in triggers]


def _trigger(element: ET.Element) -> TaskTrigger:
    name = element.tag.removeprefix(_Q)
    common = TaskTrigger(
        kind={"TimeTrigger": "once"}.get(name, name.removesuffix("Trigger").lower()),
        enabled=_text(element, "Enabled", "true").lower() == "true",
        start=_datetime(_text(element, "StartBoundary")),
        repetition_interval=_text(element, "Repetition/Interval") or None,
        repetition_duration=_text(element, "Repetition/Duration") or None,
    )
    if name != "CalendarTrigger":
        return common
    return _calendar_trigger(element, common)


def _calendar_trigger(element: ET.Element, common: TaskTrigger) -> TaskTrigger:
    if (by_day := element.find(f"{_Q}ScheduleByDay")) is not None:
        interval = int(_text(by_day, "DaysInterval", "1"))
        return replace(common, kind="daily", days_interval=interval)
    if (by_week := element.find(f"{_Q}ScheduleByWeek")) is not None:
        return replace(
            common,
            kind="weekly",
            weeks_interval=int(_text(by_week, "WeeksInterval", "1")),
            days_of_week=_children(by_week, "DaysOfWeek"),
        )
    if (by_month := element.find(f"{_Q}ScheduleByMonth")) is not None:
        return replace(
            common,
            kind="monthly",
            days_of_month=_texts(by_month, "DaysOfMonth/Day"),
            months=_children(by_month, "Months"),
        )
    if (by_dow := element.find(f"{_Q}ScheduleByMonthDayOfWeek")) is not None:
        return replace(
            common,
            kind="monthly_dow",
            weeks=_texts(by_dow, "Weeks/Week"),
            days_of_week=_children(by_dow, "DaysOfWeek"),
            months=_children(by_dow, "Months"),
        )
    return replace(common, kind="calendar")


def _text(element: ET.Element, path: str, default: str = "") -> str:
    found = element.find("/".join(_Q + part for part in path.split("/")))
    if found is None or found.text is None:
        return default
    return found.text.strip()


def _texts(element: ET.Element, path: str) -> tuple[str, ...]:
    found = element.findall("/".join(_Q + part for part in path.split("/")))
    return tuple((item.text or "").strip() for item in found)


def _children(element: ET.Element, path: str) -> tuple[str, ...]:
    parent = element.find(_Q + path)
    if parent is None:
        return ()
    return tuple(child.tag.removeprefix(_Q) for child in parent)


def _datetime(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def build_task_xml(definition: TaskDefinition) -> str:
    """Task XML for ``register_task_xml.ps1``."""
    task = ET.Element("Task", {"version": "1.2", "xmlns": NS})
    info = ET.SubElement(task, "RegistrationInfo")
    _add(info, "Author", definition.author)
    _add(info, "Description", definition.description)

    triggers = ET.SubElement(task, "Triggers")
    _add_trigger(triggers, definition.trigger)

    principal = ET.SubElement(
        ET.SubElement(task, "Principals"), "Principal", {"id": "Author"}
    )
    _add(principal, "UserId", definition.run_as)
    _add(principal, "LogonType", definition.logon_type)
    _add_settings(task, definition)
    _add_action(task, definition)

    ET.indent(task)
    body = ET.tostring(task, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-16"?>\n' + body


def encode_task_xml(text: str) -> bytes:
    """Task XML as Task Scheduler exports it: UTF-16 LE with a BOM and CRLF
    line ends, agreeing with the ``encoding="UTF-16"`` declaration."""
    lines = text.replace("\r\n", "\n").split("\n")
    return codecs.BOM_UTF16_LE + "\r\n".join(lines).encode("utf-16-le")


def _add(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _add_settings(task: ET.Element, definition: TaskDefinition) -> None:
    settings = ET.SubElement(task, "Settings")
    # A batch started again while still running would process its input twice.
    _add(settings, "MultipleInstancesPolicy", "IgnoreNew")
    _add(settings, "StartWhenAvailable", "true")
    _add(settings, "Enabled", "true" if definition.enabled else "false")
    _add(settings, "ExecutionTimeLimit", definition.execution_time_limit)
    for tag, value in definition.extra_settings.items():
        _add(settings, tag, value)


def _add_action(task: ET.Element, definition: TaskDefinition) -> None:
    actions = ET.SubElement(task, "Actions", {"Context": "Author"})
    execute = ET.SubElement(actions, "Exec")
    _add(execute, "Command", definition.command)
    if definition.arguments:
        _add(execute, "Arguments", definition.arguments)
    if definition.working_directory:
        _add(execute, "WorkingDirectory", definition.working_directory)


def _add_trigger(triggers: ET.Element, trigger: TaskTrigger) -> None:
    if trigger.start is None:
        raise ValueError("a scheduled trigger needs a start")
    if trigger.kind == "once":
        element = ET.SubElement(triggers, "TimeTrigger")
    else:
        element = ET.SubElement(triggers, "CalendarTrigger")
    if trigger.repetition_interval:
        repetition = ET.SubElement(element, "Repetition")
        _add(repetition, "Interval", trigger.repetition_interval)
        if trigger.repetition_duration:
            _add(repetition, "Duration", trigger.repetition_duration)
    _add(element, "StartBoundary", trigger.start.isoformat())
    _add(element, "Enabled", "true" if trigger.enabled else "false")
    _add_schedule(element, trigger)


def _add_schedule(element: ET.Element, trigger: TaskTrigger) -> None:
    if trigger.kind == "once":
        return
    if trigger.kind == "daily":
        schedule = ET.SubElement(element, "ScheduleByDay")
        _add(schedule, "DaysInterval", str(trigger.days_interval or 1))
    elif trigger.kind == "weekly":
        schedule = ET.SubElement(element, "ScheduleByWeek")
        _add(schedule, "WeeksInterval", str(trigger.weeks_interval or 1))
        _add_names(schedule, "DaysOfWeek", trigger.days_of_week, DAY_NAMES)
    elif trigger.kind == "monthly":
        schedule = ET.SubElement(element, "ScheduleByMonth")
        days = ET.SubElement(schedule, "DaysOfMonth")
        for day in trigger.days_of_month:
            _add(days, "Day", _month_day(day))
        _add_names(schedule, "Months", trigger.months or MONTH_NAMES, MONTH_NAMES)
    elif trigger.kind == "monthly_dow":
        schedule = ET.SubElement(element, "ScheduleByMonthDayOfWeek")
        weeks = ET.SubElement(schedule, "Weeks")
        for week in trigger.weeks:
            _add(weeks, "Week", _week(week))
        _add_names(schedule, "DaysOfWeek", trigger.days_of_week, DAY_NAMES)
        _add_names(schedule, "Months", trigger.months or MONTH_NAMES, MONTH_NAMES)
    else:
        raise ValueError(f"cannot schedule a {trigger.kind} trigger")


def _add_names(
    parent: ET.Element, tag: str, names: tuple[str, ...], allowed: tuple[str, ...]
) -> None:
    if not names:
        raise ValueError(f"{tag} needs at least one of {', '.join(allowed)}")
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise ValueError(f"not in {tag}: {', '.join(unknown)}")
    holder = ET.SubElement(parent, tag)
    for name in sorted(names, key=allowed.index):
        ET.SubElement(holder, name)


def _month_day(day: str) -> str:
    if day == "Last" or (day.isdigit() and 1 <= int(day) <= 31):
        return day
    raise ValueError(f"not a day of the month: {day!r}")


def _week(week: str) -> str:
    if week in ("1", "2", "3", "4", "Last"):
        return week
    raise ValueError(f"not a week of the month: {week!r}")
