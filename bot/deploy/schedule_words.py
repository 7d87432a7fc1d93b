"""A task's schedule as people type it in a command, in English or French.

``daily 02:30``, ``weekly mon,thu 06:00``, ``monthly 1,15 03:00``,
``monthly last 23:00``; or ``quotidien 02h30``, ``hebdo lun,jeu 06h00``,
``mensuel dernier 23h00``. The trigger starts on the day of the command, on
the server's wall clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from integrations.windows.task_xml import DAY_NAMES, MONTH_NAMES, TaskTrigger

KINDS = {
    "daily": "daily",
    "quotidien": "daily",
    "weekly": "weekly",
    "hebdo": "weekly",
    "hebdomadaire": "weekly",
    "monthly": "monthly",
    "mensuel": "monthly",
}
_DAY_WORDS = (
    ("sun", "sunday", "dim", "dimanche"),
    ("mon", "monday", "lun", "lundi"),
    ("tue", "tuesday", "mar", "mardi"),
    ("wed", "wednesday", "mer", "mercredi"),
    ("thu", "thursday", "jeu", "jeudi"),
    ("fri", "friday", "ven", "vendredi"),
    ("sat", "saturday", "sam", "samedi"),
)
DAYS = {word: DAY_NAMES[day] for day, words in enumerate(_DAY_WORDS) for word in words}
LAST_DAY = ("last", "dernier")
CLOCK = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")


class ScheduleWordsError(ValueError):
    """Words that do not make a schedule; ``key`` names the text saying why."""

    def __init__(self, key: str, word: str = "") -> None:
        super().__init__(key)
        self.key = key
        self.word = word


def is_schedule_word(word: str) -> bool:
    return word.lower() in KINDS


def read_schedule(words: list[str], today: date) -> tuple[TaskTrigger, int]:
    """The trigger ``words`` begin with, and how many words it took."""
    kind = KINDS[words[0].lower()]
    needs_days = kind != "daily"
    taken = 3 if needs_days else 2
    if len(words) < taken:
        raise ScheduleWordsError("schedule.incomplete", words[0])

    at = _clock(words[taken - 1])
    start = datetime.combine(today, at)
    if kind == "daily":
        return TaskTrigger(kind="daily", start=start, days_interval=1), taken
    if kind == "weekly":
        days = _days_of_week(words[1])
        trigger = TaskTrigger(
            kind="weekly", start=start, weeks_interval=1, days_of_week=days
        )
        return trigger, taken
    trigger = TaskTrigger(
        kind="monthly",
        start=start,
        days_of_month=_days_of_month(words[1]),
        months=MONTH_NAMES,
    )
    return trigger, taken


def _clock(word: str) -> time:
    found = CLOCK.match(word)
    if found is None:
        raise ScheduleWordsError("schedule.bad_time", word)
    return time(int(found.group(1)), int(found.group(2)))


def _days_of_week(word: str) -> tuple[str, ...]:
    names = set()
    for part in word.lower().split(","):
        if part not in DAYS:
            raise ScheduleWordsError("schedule.bad_day", part)
        names.add(DAYS[part])
    return tuple(sorted(names, key=DAY_NAMES.index))


def _days_of_month(word: str) -> tuple[str, ...]:
    days = set()
    for part in word.lower().split(","):
        if part in LAST_DAY:
            days.add("Last")
        elif part.isdigit() and 1 <= int(part) <= 31:
            days.add(str(int(part)))
        else:
            raise ScheduleWordsError("schedule.bad_month_day", part)
    return tuple(sorted(days, key=lambda day: 32 if day == "Last" else int(day)))
