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
_MONTH = r"(?P<mo>0[1-9]|1[0-2])"
_DAY = r"(?P<d>0[1-9]|[12]\d|3[01])"

ISO_STAMP = r"(?P<y>\d{4})-" + _MONTH + "-" + _DAY + r"(?:[T ]|, ?)" + _TIME + _ZONE
"""ISO 8601 and its relatives: the layout most lines start with."""
SEPARATORS = r"(?:[ \t,;|:]|-(?= |$))*"
"""What may stand between a timestamp and the rest of the line."""

_NUMERIC_LAYOUTS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(ISO_STAMP)),
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
        re.compile(
            r"(?P<d>0?[1-9]|[12]\d|3[01])\.(?P<mo>0?[1-9]|1[0-2])\.(?P<y>\d{4}),? "
            + _TIME
        ),
    ),
    ("short-us", re.compile(_MONTH + "-" + _DAY + r"-(?P<yy>\d\d)[, ]" + _TIME)),
    ("month-day", re.compile(_MONTH + r"\." + _DAY + " " + _TIME)),
    ("time", re.compile(_TIME + r"(?=[\s\]|,;\"]|$)")),
]
_NAMED_LAYOUTS: list[tuple[str, re.Pattern[str]]] = [
    ("syslog", re.compile(r"(?P<mon>[A-Za-zéû]{3,9})\.? +(?P<d>[0-3]?\d) " + _TIME)),
]

_OPENERS = '[("'
_CLOSERS = {"[": "]", "(": ")", '"': '"'}
_SEPARATORS = re.compile(SEPARATORS)


@dataclass(frozen=True, slots=True)
class Leading:
    """A timestamp found at the start of a line, read into a Stamp on demand."""

    layout: str
    match: re.Match[str]
    rest: int
    """Where the rest of the line begins."""

    def stamp(self) -> Stamp:
        return _BUILDERS[self.layout](self.match)


def find_leading(line: str) -> Leading | None:
    """The timestamp a line starts with, if it does.

    A bracket or quote around the timestamp, and the separators after it, are
    part of it.
    """
    start = 1 if line[:1] in _OPENERS else 0
    first = line[start : start + 1]
    if first.isdigit():
        layouts = _NUMERIC_LAYOUTS
    elif first.isalpha():
        layouts = _NAMED_LAYOUTS
    else:
        return None

    for layout, pattern in layouts:
        match = pattern.match(line, start)
        if match is not None and _plausible(layout, match):
            return Leading(layout, match, _rest_start(line, match.end(), line[:start]))
    return None


def _plausible(layout: str, match: re.Match[str]) -> bool:
    if layout in ("slashed", "time-first"):
        return _day_and_month(match) is not None
    if layout == "syslog":
        return match["mon"].lower() in _MONTHS and 1 <= int(match["d"]) <= 31
    return True


def _rest_start(line: str, end: int, opener: str) -> int:
    if opener and line[end : end + 1] == _CLOSERS[opener]:
        end += 1
    return _SEPARATORS.match(line, end).end()  # type: ignore[union-attr]


def _clock(match: re.Match[str]) -> tuple[int, int, int, int]:
    hour = int(match["h"])
    if "ampm" in match.re.groupindex and match["ampm"]:
        hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    fraction = match["f"]
    micro = int((fraction + "00000")[:6]) if fraction else 0
    return hour, int(match["mi"]), min(int(match["s"] or 0), 59), micro


def _offset(match: re.Match[str]) -> int | None:
    zone = match["z"] if "z" in match.re.groupindex else None
    if not zone:
        return None
    if zone == "Z":
        return 0
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return -minutes if zone[0] == "-" else minutes


def _stamp(
    match: re.Match[str], year: int | None, month: int | None, day: int | None
) -> Stamp:
    hour, minute, second, micro = _clock(match)
    return Stamp(year, month, day, hour, minute, second, micro, _offset(match))


def _day_and_month(match: re.Match[str]) -> tuple[int, int] | None:
    """``dd/MM/yyyy`` as the team writes it, ``MM/dd/yyyy`` when day > 12."""
    first, second = int(match["a"]), int(match["b"])
    if second > 12 >= first:
        first, second = second, first
    if not (1 <= second <= 12 and 1 <= first <= 31):
        return None
    return first, second


def _slashed(match: re.Match[str]) -> Stamp:
    day, month = _day_and_month(match) or (1, 1)
    return _stamp(match, int(match["y"]), month, day)


def _full(match: re.Match[str]) -> Stamp:
    return _stamp(match, int(match["y"]), int(match["mo"]), int(match["d"]))


_BUILDERS: dict[str, Callable[[re.Match[str]], Stamp]] = {
    "iso": _full,
    "slashed": _slashed,
    "time-first": _slashed,
    "dotted": _full,
    "short-us": lambda m: _stamp(m, 2000 + int(m["yy"]), int(m["mo"]), int(m["d"])),
    "month-day": lambda m: _stamp(m, None, int(m["mo"]), int(m["d"])),
    "syslog": lambda m: _stamp(m, None, _MONTHS[m["mon"].lower()], int(m["d"])),
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
