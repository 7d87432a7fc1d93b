"""When a batch is expected to run: cron expressions and Task Scheduler triggers.

A schedule names local wall-clock times, day by day, in its zone. Turning them
into instants is where daylight saving bites, and Microsoft leaves Task
Scheduler's behaviour unspecified there (KB 325413). So a wall time that does
not exist (02:30 on the spring-forward day) or exists twice (02:30 on the
autumn day) becomes one expected run whose window covers every reading of it:

- spring forward: activity from the end of the gap (03:00) counts, and the
  grace counts from 03:30, the wall time read with the offset it had before
  the change. Windows starts such a task at one of those two moments.
- autumn: one run is expected, not two. Activity from the first 02:30 (summer
  time) counts, and the grace counts from the second (winter time).

Day 31 of a monthly schedule does not fall in a 30-day month, as in Task
Scheduler and cron: use ``Last`` (``L`` in cron) for the month's last day.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from integrations.windows.task_xml import DAY_NAMES, MONTH_NAMES, TaskTrigger

LOOKBACK_DAYS = 370
"""How far back a run is looked for: a yearly schedule still has one."""

ONE_DAY = timedelta(days=1)
DST_MARGIN = timedelta(hours=3)
"""More than any daylight-saving shift: wall times further than this from
``now`` cannot be the run just before or after it, and need no conversion."""
CRON_MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}
WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
CRON_MONTH_NAMES = tuple(name[:3].lower() for name in MONTH_NAMES)
CALENDAR_KINDS = ("once", "daily", "weekly", "monthly", "monthly_dow")
_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


class ScheduleError(ValueError):
    """A schedule cannot be read; the text says what is wrong, for a person."""


class Schedule(Protocol):
    @property
    def zone(self) -> tzinfo:
        """The zone whose wall clock the schedule's times are read on."""
        ...

    def times_on(self, day: date) -> list[time]:
        """The wall-clock times the schedule fires on ``day``, in order."""
        ...


@dataclass(frozen=True, order=True)
class DueRun:
    """One expected run.

    ``at`` is when the run is due: the grace counts from it. ``earliest`` is
    the first moment activity counts for this run; both are UTC and differ
    only for a wall time that daylight saving skips or repeats.
    """

    at: datetime
    earliest: datetime


def last_due(schedules: Sequence[Schedule], now: datetime) -> DueRun | None:
    """The latest run due at or before ``now``, over all the schedules."""
    found = [run for s in schedules if (run := _last_of(s, now)) is not None]
    return max(found, default=None)


def next_due(schedules: Sequence[Schedule], now: datetime) -> DueRun | None:
    """The first run due after ``now``, over all the schedules."""
    found = [run for s in schedules if (run := _next_of(s, now)) is not None]
    return min(found, default=None)


def previous_due(schedules: Sequence[Schedule], run: DueRun) -> DueRun | None:
    """The run due just before ``run``."""
    return last_due(schedules, run.at - timedelta(microseconds=1))


def runs_on(schedule: Schedule, day: date) -> list[DueRun]:
    """The expected runs of one local day, in order, one per wall time."""
    runs: dict[datetime, DueRun] = {}
    for wall in schedule.times_on(day):
        run = due_run(day, wall, schedule.zone)
        # In an hourly schedule the skipped 02:30 and 03:30 are due at the
        # same instant: one run is expected for both.
        known = runs.get(run.at)
        if known is None or run.earliest < known.earliest:
            runs[run.at] = run
    return sorted(runs.values())


def due_run(day: date, wall: time, zone: tzinfo) -> DueRun:
    """The instants one wall time of one day stands for in ``zone``."""
    local = datetime.combine(day, wall, tzinfo=zone)
    first = local.replace(fold=0).astimezone(UTC)
    second = local.replace(fold=1).astimezone(UTC)
    if first <= second:
        return DueRun(at=second, earliest=first)
    # A skipped time: fold=0 reads it with the offset before the jump, which
    # lands after the gap; fold=1 reads it with the offset after, before it.
    return DueRun(at=first, earliest=_jump(second, first, zone))


def _jump(before: datetime, after: datetime, zone: tzinfo) -> datetime:
    """The instant the offset changed, between ``before`` and ``after``."""
    target = after.astimezone(zone).utcoffset()
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(zone).utcoffset() == target:
            after = middle
        else:
            before = middle
    return after.replace(microsecond=0)


def _local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def _last_of(schedule: Schedule, now: datetime) -> DueRun | None:
    wall_now = now.astimezone(schedule.zone).replace(tzinfo=None)
    best: DueRun | None = None
    best_wall = wall_now
    for offset in range(-1, LOOKBACK_DAYS):
        day = wall_now.date() - offset * ONE_DAY
        for wall in reversed(schedule.times_on(day)):
            naive = datetime.combine(day, wall)
            if naive > wall_now + DST_MARGIN:
                continue
            if best is not None and naive < best_wall - DST_MARGIN:
                return best
            run = due_run(day, wall, schedule.zone)
            if run.at <= now and _replaces(run, best, latest=True):
                best, best_wall = run, naive
    return best


def _next_of(schedule: Schedule, now: datetime) -> DueRun | None:
    wall_now = now.astimezone(schedule.zone).replace(tzinfo=None)
    best: DueRun | None = None
    best_wall = wall_now
    for offset in range(-1, LOOKBACK_DAYS):
        day = wall_now.date() + offset * ONE_DAY
        for wall in schedule.times_on(day):
            naive = datetime.combine(day, wall)
            if naive < wall_now - DST_MARGIN:
                continue
            if best is not None and naive > best_wall + DST_MARGIN:
                return best
            run = due_run(day, wall, schedule.zone)
            if run.at > now and _replaces(run, best, latest=False):
                best, best_wall = run, naive
    return best


def _replaces(run: DueRun, best: DueRun | None, *, latest: bool) -> bool:
    """Whether ``run`` is a better answer than ``best``: later (or sooner).
    Of two runs due at the same instant, the one open earlier stands for both."""
    if best is None:
        return True
    if run.at == best.at:
        return run.earliest < best.earliest
    return (run.at > best.at) == latest


@dataclass(frozen=True)
class CronSchedule:
    """A five-field cron expression read on the wall clock of ``zone``.

    Fields: minute, hour, day of month (``L`` for the last day), month,
    weekday (0 or 7 is Sunday; names allowed). Each takes ``*``, values,
    ranges, lists and steps (``*/15``, ``1-5``, ``mon,wed``). As in cron, when
    both the day of month and the weekday are restricted, either one matching
    is enough.
    """

    expression: str
    zone: tzinfo
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    last_day: bool
    months: frozenset[int]
    weekdays: frozenset[int]
    days_restricted: bool
    weekdays_restricted: bool

    @classmethod
    def parse(cls, expression: str, zone: tzinfo) -> CronSchedule:
        text = CRON_MACROS.get(expression.strip().lower(), expression)
        parts = text.split()
        if len(parts) != 5:
            raise ScheduleError(
                f"{expression!r}: a cron expression has 5 fields "
                "(minute hour day month weekday), e.g. '30 2 * * *'"
            )
        minute, hour, day, month, weekday = parts
        day_parts = day.upper().split(",")
        other_days = ",".join(part for part in day_parts if part != "L")
        return cls(
            expression=" ".join(parts),
            zone=zone,
            minutes=tuple(sorted(_cron_field(minute, 0, 59, "minute"))),
            hours=tuple(sorted(_cron_field(hour, 0, 23, "hour"))),
            days=_cron_field(other_days, 1, 31, "day") if other_days else frozenset(),
            last_day="L" in day_parts,
            months=_cron_field(month, 1, 12, "month", CRON_MONTH_NAMES, 1),
            weekdays=frozenset(
                value % 7
                for value in _cron_field(weekday, 0, 7, "weekday", WEEKDAY_NAMES)
            ),
            days_restricted=not day.startswith("*"),
            weekdays_restricted=not weekday.startswith("*"),
        )

    def times_on(self, day: date) -> list[time]:
        if not self._fires_on(day):
            return []
        return [time(hour, minute) for hour in self.hours for minute in self.minutes]

    def _fires_on(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_day = day.day in self.days or (self.last_day and _is_last_day(day))
        by_weekday = (day.weekday() + 1) % 7 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return by_day or by_weekday
        return by_day and by_weekday


def _cron_field(
    text: str,
    low: int,
    high: int,
    what: str,
    names: Sequence[str] = (),
    first_name: int = 0,
) -> frozenset[int]:
    values: set[int] = set()
    for part in text.lower().split(","):
        values |= _cron_part(part, low, high, what, names, first_name)
    return frozenset(values)


def _cron_part(
    part: str, low: int, high: int, what: str, names: Sequence[str], first_name: int
) -> set[int]:
    span, _, step_text = part.partition("/")
    step = _cron_number(step_text, what, (), 0) if step_text else 1
    if span == "*":
        start, end = low, high
    elif "-" in span:
        left, _, right = span.partition("-")
        start = _cron_number(left, what, names, first_name)
        end = _cron_number(right, what, names, first_name)
    else:
        start = _cron_number(span, what, names, first_name)
        end = high if step_text else start
    if not low <= start <= end <= high or step < 1:
        raise ScheduleError(f"{what} {part!r} is out of range {low}-{high}")
    return set(range(start, end + 1, step))


def _cron_number(text: str, what: str, names: Sequence[str], first_name: int) -> int:
    if text in names:
        return names.index(text) + first_name
    if not text.isdigit():
        raise ScheduleError(f"{what} {text!r} is not a number")
    return int(text)


def _is_last_day(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


@dataclass(frozen=True)
class TriggerSchedule:
    """A Task Scheduler calendar trigger, read on the server's wall clock.

    Weeks of a weekly trigger are counted from the week (Sunday first) of the
    trigger's start, as Task Scheduler does. A repetition (every 15 minutes
    for 12 hours) fires at the start and every interval after it while the
    duration lasts; without a duration it goes on until the next occurrence.
    """

    trigger: TaskTrigger
    zone: tzinfo
    start: datetime
    """The trigger's start on the wall clock of ``zone`` (naive)."""
    interval: timedelta | None
    duration: timedelta | None

    def times_on(self, day: date) -> list[time]:
        if self.interval is None:
            if day >= self.start.date() and self._occurs_on(day):
                return [self.start.time()]
            return []

        day_start = datetime.combine(day, time())
        day_end = day_start + ONE_DAY
        firsts = [datetime.combine(d, self.start.time()) for d in self._reaching(day)]
        times: set[time] = set()
        for index, first in enumerate(firsts):
            end = first + self.duration if self.duration else day_end
            if self.duration is None and index + 1 < len(firsts):
                end = firsts[index + 1]
            times.update(_repeats(first, self.interval, day_start, min(end, day_end)))
        return sorted(times)

    def _reaching(self, day: date) -> list[date]:
        """Occurrences whose repetitions may still fire on ``day``, in order."""
        if self.duration is not None:
            back = -(-self.duration // ONE_DAY)
            days = [day - offset * ONE_DAY for offset in range(back, -1, -1)]
            return [d for d in days if d >= self.start.date() and self._occurs_on(d)]
        before = self._occurrence_before(day)
        found = [before] if before else []
        return found + ([day] if self._occurs_on(day) else [])

    def _occurrence_before(self, day: date) -> date | None:
        if self.trigger.kind == "once":
            return self.start.date() if self.start.date() < day else None
        for offset in range(1, LOOKBACK_DAYS):
            candidate = day - offset * ONE_DAY
            if candidate < self.start.date():
                return None
            if self._occurs_on(candidate):
                return candidate
        return None

    def _occurs_on(self, day: date) -> bool:
        if day < self.start.date():
            return False
        trigger = self.trigger
        if trigger.kind == "once":
            return day == self.start.date()
        if trigger.kind == "daily":
            return (day - self.start.date()).days % (trigger.days_interval or 1) == 0
        if trigger.kind == "weekly":
            weeks = (_sunday(day) - _sunday(self.start.date())).days // 7
            return (
                _day_name(day) in trigger.days_of_week
                and weeks % (trigger.weeks_interval or 1) == 0
            )
        if not trigger.months or MONTH_NAMES[day.month - 1] in trigger.months:
            return _month_matches(trigger, day)
        return False


def _month_matches(trigger: TaskTrigger, day: date) -> bool:
    if trigger.kind == "monthly":
        return str(day.day) in trigger.days_of_month or (
            "Last" in trigger.days_of_month and _is_last_day(day)
        )
    week = str((day.day - 1) // 7 + 1)
    in_last_week = day.day + 7 > calendar.monthrange(day.year, day.month)[1]
    return _day_name(day) in trigger.days_of_week and (
        week in trigger.weeks or ("Last" in trigger.weeks and in_last_week)
    )


def _repeats(
    first: datetime, interval: timedelta, start: datetime, end: datetime
) -> Iterator[time]:
    """Wall times ``first + k * interval`` that fall in ``[start, end)``."""
    skipped = max(0, -(-(start - first) // interval))
    moment = first + skipped * interval
    while moment < end:
        yield moment.time()
        moment += interval


def _sunday(day: date) -> date:
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _day_name(day: date) -> str:
    return DAY_NAMES[(day.weekday() + 1) % 7]


def schedule_from_trigger(trigger: TaskTrigger, zone: tzinfo) -> TriggerSchedule | None:
    """The schedule of a calendar trigger; None for boot, logon and others.

    A start without an offset is the server's local time, read in ``zone``.
    A start with one ("synchronise across time zones") fires at the same UTC
    time all year: it is read on that fixed offset.
    """
    if not trigger.enabled or trigger.start is None:
        return None
    if trigger.kind not in CALENDAR_KINDS:
        return None
    start = trigger.start
    if start.tzinfo is not None:
        zone = start.tzinfo
        start = start.replace(tzinfo=None)
    interval = parse_duration(trigger.repetition_interval)
    return TriggerSchedule(
        trigger=trigger,
        zone=zone,
        start=start,
        interval=interval if interval else None,
        duration=parse_duration(trigger.repetition_duration) if interval else None,
    )


def parse_duration(text: str | None) -> timedelta | None:
    """An ISO 8601 duration as Task Scheduler writes them (PT15M, P1D)."""
    if not text:
        return None
    match = _DURATION.match(text.strip())
    if match is None:
        raise ScheduleError(f"{text!r} is not a duration such as PT15M or P1D")
    parts = {name: int(value or 0) for name, value in match.groupdict().items()}
    return timedelta(**parts) or None


def trigger_record(trigger: TaskTrigger) -> dict[str, Any]:
    """A trigger as JSON, to keep it on the batch's row."""
    record = {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in dataclasses.asdict(trigger).items()
    }
    record["start"] = trigger.start.isoformat() if trigger.start else None
    return record


def trigger_from_record(record: Mapping[str, Any]) -> TaskTrigger:
    known = {f.name for f in dataclasses.fields(TaskTrigger)}
    values = {key: value for key, value in record.items() if key in known}
    for key, value in values.items():
        if isinstance(value, list):
            values[key] = tuple(value)
    start = values.get("start")
    values["start"] = datetime.fromisoformat(start) if start else None
    return TaskTrigger(**values)


def trigger_schedules(
    records: Iterable[Mapping[str, Any]], zone: tzinfo
) -> list[TriggerSchedule]:
    """The schedules of a task's stored triggers, boot and logon ones left out."""
    schedules = (schedule_from_trigger(trigger_from_record(r), zone) for r in records)
    return [schedule for schedule in schedules if schedule is not None]
