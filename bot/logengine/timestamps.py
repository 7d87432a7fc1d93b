"""Timestamps at the start of log lines, and their conversion to UTC.

Batch logs write local time without an offset, in the server's zone, in many
layouts: ISO 8601, ``dd/MM/yyyy`` as the team writes it (``MM/dd/yyyy`` when
the day cannot be the month), time before date, syslog months in English or
French, no year, or no date at all. What is written without an offset is read
in the log source's zone; a date that is missing is taken from ``now``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Stamp:
    """A timestamp as written: what the line does not say is None."""

    year: int | None
    month: int | None
    day: int | None
    hour: int
    minute: int
    second: int
    microsecond: int = 0
    offset_minutes: int | None = None

    @property
    def local_key(self) -> tuple[int, ...]:
        """Sortable wall-clock reading, for telling when the clock went back."""
        return (
            self.year or 0,
            self.month or 0,
            self.day or 0,
            self.hour,
            self.minute,
            self.second,
            self.microsecond,
        )


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "janv", "janvier", "january"),
            ("feb", "fev", "fév", "févr", "fevr", "février", "february"),
            ("mar", "mars", "march"),
            ("apr", "avr", "avril", "april"),
            ("may", "mai"),
            ("jun", "juin", "june"),
            ("jul", "juil", "juillet", "july"),
            ("aug", "aoû", "aou", "août", "aout", "august"),
            ("sep", "sept", "septembre", "september"),
            ("oct", "octobre", "october"),
            ("nov", "novembre", "november"),
            ("dec", "déc", "décembre", "decembre", "december"),
        ),
        start=1,
    )
    for name in names
}

_TIME = (
    r"(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d|60))?"
    r"(?:[.,:](?P<f>\d{1,9}))?"
)
_AMPM = r"(?:\s?(?P<ampm>[AaPp][Mm])\b)?"
_ZONE = r"(?:\s?(?P<z>Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)(?![\d:]))?"

_LAYOUTS: list[tuple[str, re.Pattern[str]]] = [
    (
        "iso",
        re.compile(
            r"(?P<y>\d{4})-(?P<mo>[01]\d)-(?P<d>[0-3]\d)(?:[T ]|, ?)" + _TIME + _ZONE
        ),
    ),
    (
        "slashed",
        re.compile(
            r"(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<y>\d{4})(?:,? |T)" + _TIME + _AMPM
        ),
    ),
    (
        "time-first",
        re.compile(_TIME + r" (?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<y>\d{4})\b"),
    ),
    (
        "dotted",
        re.compile(r"(?P<d>[0-3]?\d)\.(?P<mo>[01]?\d)\.(?P<y>\d{4}),? " + _TIME),
    ),
    (
        "short-us",
        re.compile(r"(?P<mo>[01]\d)-(?P<d>[0-3]\d)-(?P<yy>\d\d)[, ]" + _TIME),
    ),
    ("month-day", re.compile(r"(?P<mo>[01]\d)\.(?P<d>[0-3]\d) " + _TIME)),
    (
        "syslog",
        re.compile(r"(?P<mon>[A-Za-zéû]{3,9})\.? +(?P<d>[0-3]?\d) " + _TIME),
    ),
    ("time", re.compile(_TIME + r"(?=[\s\]|,;\"]|$)")),
]

_OPENERS = '[("'
_CLOSERS = {"[": "]", "(": ")", '"': '"'}


def parse_leading(line: str) -> tuple[Stamp, int] | None:
    """The timestamp a line starts with, and where the rest of the line begins.

    A bracket or quote around the timestamp, and the separators after it, are
    part of it.
    """
    start = 1 if line[:1] in _OPENERS else 0
    if start >= len(line) or not (line[start].isdigit() or line[start].isalpha()):
        return None

    for layout, pattern in _LAYOUTS:
        match = pattern.match(line, start)
        if match is None:
            continue
        stamp = _BUILDERS[layout](match)
        if stamp is not None:
            return stamp, _rest_start(line, match.end(), line[:start])
    return None


def _rest_start(line: str, end: int, opener: str) -> int:
    if opener and line[end : end + 1] == _CLOSERS[opener]:
        end += 1
    while end < len(line) and line[end] in " \t,;|:-":
        if line[end] == "-" and line[end + 1 : end + 2] not in (" ", ""):
            break
        end += 1
    return end


def _clock(match: re.Match[str]) -> tuple[int, int, int, int]:
    hour = int(match["h"])
    ampm = match.groupdict().get("ampm")
    if ampm:
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    fraction = match["f"] or ""
    micro = int((fraction + "000000")[:6]) if fraction else 0
    return hour, int(match["mi"]), min(int(match["s"] or 0), 59), micro


def _offset(match: re.Match[str]) -> int | None:
    zone = match.groupdict().get("z")
    if not zone:
        return None
    if zone == "Z":
        return 0
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return -minutes if zone[0] == "-" else minutes


def _stamp(
    match: re.Match[str], year: int | None, month: int | None, day: int | None
) -> Stamp | None:
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    hour, minute, second, micro = _clock(match)
    return Stamp(year, month, day, hour, minute, second, micro, _offset(match))


def _day_month(match: re.Match[str]) -> Stamp | None:
    """``dd/MM/yyyy`` as the team writes it, ``MM/dd/yyyy`` when day > 12."""
    first, second = int(match["a"]), int(match["b"])
    if second > 12 >= first:
        first, second = second, first
    return _stamp(match, int(match["y"]), second, first)


def _syslog(match: re.Match[str]) -> Stamp | None:
    month = _MONTHS.get(match["mon"].lower())
    if month is None:
        return None
    return _stamp(match, None, month, int(match["d"]))


_BUILDERS: dict[str, Callable[[re.Match[str]], Stamp | None]] = {
    "iso": lambda m: _stamp(m, int(m["y"]), int(m["mo"]), int(m["d"])),
    "slashed": _day_month,
    "time-first": _day_month,
    "dotted": lambda m: _stamp(m, int(m["y"]), int(m["mo"]), int(m["d"])),
    "short-us": lambda m: _stamp(m, 2000 + int(m["yy"]), int(m["mo"]), int(m["d"])),
    "month-day": lambda m: _stamp(m, None, int(m["mo"]), int(m["d"])),
    "syslog": _syslog,
    "time": lambda m: _stamp(m, None, None, None),
}


class Clockwork:
    """Turns stamps into UTC datetimes in one zone, relative to ``now``."""

    def __init__(self, zone: str, now: datetime) -> None:
        self.zone = ZoneInfo(zone)
        self.now = now.astimezone(UTC)
        self.local_now = self.now.astimezone(self.zone)
        self._offsets: dict[tuple[int, int, int, int, int], timedelta] = {}

    def local(self, stamp: Stamp) -> datetime | None:
        """The naive wall-clock time a stamp stands for, its gaps filled in."""
        year = stamp.year or self.local_now.year
        month = stamp.month or self.local_now.month
        day = stamp.day or self.local_now.day
        try:
            moment = datetime(
                year,
                month,
                day,
                stamp.hour,
                stamp.minute,
                stamp.second,
                stamp.microsecond,
            )
        except ValueError:
            return None

        wall_now = self.local_now.replace(tzinfo=None)
        if (
            stamp.year is None
            and stamp.month is not None
            and moment > wall_now + (timedelta(days=1))
        ):
            moment = _year_before(moment)
        if stamp.day is None and moment > wall_now + timedelta(hours=1):
            moment -= timedelta(days=1)
        return moment

    def is_ambiguous(self, wall: datetime) -> bool:
        """True in the hour that the autumn clock change repeats."""
        return self._offset(wall, 0) != self._offset(wall, 1)

    def to_utc(self, stamp: Stamp, wall: datetime, fold: int = 0) -> datetime:
        if stamp.offset_minutes is not None:
            offset = timedelta(minutes=stamp.offset_minutes)
        else:
            offset = self._offset(wall, fold)
        return (wall - offset).replace(tzinfo=UTC)

    def _offset(self, wall: datetime, fold: int) -> timedelta:
        # Zones change offset on the hour or half hour: one lookup per half hour.
        key = (wall.year, wall.month, wall.day, wall.hour * 2 + wall.minute // 30, fold)
        offset = self._offsets.get(key)
        if offset is None:
            probe = wall.replace(tzinfo=self.zone, fold=fold)
            offset = probe.utcoffset() or timedelta()
            self._offsets[key] = offset
        return offset


def _year_before(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)
