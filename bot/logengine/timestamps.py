"""Timestamps at the start of log lines, and their conversion to UTC.

Batch logs write local time without an offset, in the server's zone, in many
layouts: ISO 8601, ``dd/MM/yyyy`` as the team writes it or ``MM/dd/yyyy`` as
US programs do, time before date, syslog months in English or French, no
year, or no date at all. What is written without an offset is read in the log
source's zone; a date that is missing is taken from ``now``.

Where day and month may come in either order, a stamp keeps the order it was
read in: the one its numbers show when one is over 12, else its layout's
usual one, which the file's own order (see :mod:`bot.logengine.dateorder`)
overrides.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo


class Stamp(NamedTuple):
    """A timestamp as written: what the line does not say is None."""

    year: int | None
    month: int | None
    day: int | None
    hour: int
    minute: int
    second: int
    microsecond: int = 0
    offset_minutes: int | None = None
    order: str | None = None
    """``dmy`` or ``mdy`` for a layout that writes day and month in either
    order: how ``day`` and ``month`` were read; None when the layout fixes it."""
    shown: bool = False
    """The numbers show the order themselves: one of them is over 12."""
    wall: datetime | None = None
    """The wall-clock time itself, when the stamp was read whole at once."""

    @property
    def shown_order(self) -> str | None:
        """The date order this stamp proves, if it proves one."""
        return self.order if self.shown else None

    def month_and_day(self, order: str | None) -> tuple[int | None, int | None]:
        """Month and day, read in ``order`` when the numbers leave it open."""
        if self.shown or order is None or self.order in (None, order):
            return self.month, self.day
        return self.day, self.month


DMY = "dmy"
MDY = "mdy"

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

ISO_STAMP = (
    r"(?P<y>\d{4})-" + _MONTH + "-" + _DAY + r"(?:[T ]|, ?)(?P<clock>" + _TIME + ")"
) + _ZONE
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
    (
        "dashed",
        re.compile(r"(?P<a>[0-3]\d)-(?P<b>[0-3]\d)-(?P<yy>\d\d)[, ]" + _TIME),
    ),
    ("month-day", re.compile(_MONTH + r"\." + _DAY + " " + _TIME)),
    ("time", re.compile(_TIME + r"(?=[\s\]|,;\"]|$)")),
]
_NAMED_LAYOUTS: list[tuple[str, re.Pattern[str]]] = [
    ("syslog", re.compile(r"(?P<mon>[A-Za-zéû]{3,9})\.? +(?P<d>[0-3]?\d) " + _TIME)),
]

_OPENERS = '[("'
_CLOSERS = {"[": "]", "(": ")", '"': '"'}
_SEPARATORS = re.compile(SEPARATORS)


class Leading(NamedTuple):
    """A timestamp found at the start of a line, read into a Stamp on demand."""

    layout: str
    match: re.Match[Any]
    """A match of the layout's pattern, on the line's text or on its bytes."""
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
    if layout in _USUAL_ORDERS:
        return _day_and_month_fit(int(match["a"]), int(match["b"]))
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
    micro = _microseconds(fraction) if fraction else 0
    return hour, int(match["mi"]), min(int(match["s"] or 0), 59), micro


def _offset(match: re.Match[str]) -> int | None:
    zone = match["z"] if "z" in match.re.groupindex else None
    return _zone_minutes(zone) if zone else None


def _zone_minutes(zone: str) -> int:
    if zone == "Z":
        return 0
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return -minutes if zone[0] == "-" else minutes


def _stamp(
    match: re.Match[str],
    year: int | None,
    month: int | None,
    day: int | None,
    order: str | None = None,
    shown: bool = False,
) -> Stamp:
    hour, minute, second, micro = _clock(match)
    offset = _offset(match)
    return Stamp(year, month, day, hour, minute, second, micro, offset, order, shown)


_USUAL_ORDERS = {"slashed": DMY, "time-first": DMY, "dashed": MDY}
"""Layouts whose dates come in either order, and the order each is read in
until the numbers or the file tell: slashed dates as the team writes them,
dashed two-digit-year dates as the US programs that write them do."""


def _day_and_month_fit(first: int, second: int) -> bool:
    return 1 <= first <= 31 and 1 <= second <= 31 and min(first, second) <= 12


def _shown_order(first: int, second: int) -> str | None:
    """The order two date numbers show: the one over 12 is the day."""
    if first > 12:
        return DMY
    return MDY if second > 12 else None


def _either_way(layout: str, match: re.Match[str], year: int) -> Stamp:
    first, second = int(match["a"]), int(match["b"])
    shown = _shown_order(first, second)
    order = shown or _USUAL_ORDERS[layout]
    day, month = (first, second) if order == DMY else (second, first)
    return _stamp(match, year, month, day, order, shown is not None)


def _full(match: re.Match[str]) -> Stamp:
    return _stamp(match, int(match["y"]), int(match["mo"]), int(match["d"]))


def iso_stamp(match: re.Match[Any]) -> Stamp:
    """The stamp of an :data:`ISO_STAMP` match, on text or on bytes.

    Most lines start with one: the C parser of ISO 8601 reads it when it can,
    which it does the same way; else it is read field by field.
    """
    zone = match["z"]
    offset = (
        _zone_minutes(zone if isinstance(zone, str) else zone.decode())
        if zone
        else None
    )
    wall = _whole_wall(match)
    if wall is None:
        return _iso_fields(match, offset)
    return Stamp(
        wall.year,
        wall.month,
        wall.day,
        wall.hour,
        wall.minute,
        wall.second,
        wall.microsecond,
        offset,
        wall=wall,
    )


def _whole_wall(match: re.Match[Any]) -> datetime | None:
    text = match.string[match.start("y") : match.end("clock")]
    try:
        return datetime.fromisoformat(text if isinstance(text, str) else text.decode())
    except ValueError:
        return None


def _iso_fields(match: re.Match[Any], offset: int | None) -> Stamp:
    year, month, day, hour, minute, second, fraction = match.group(
        "y", "mo", "d", "h", "mi", "s", "f"
    )
    return Stamp(
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        min(int(second), 59) if second else 0,
        _microseconds(fraction) if fraction else 0,
        offset,
    )


def _microseconds(fraction: str | bytes) -> int:
    digits = fraction[:6]
    return int(digits) * 10 ** (6 - len(digits))


_BUILDERS: dict[str, Callable[[re.Match[str]], Stamp]] = {
    "iso": iso_stamp,
    "slashed": lambda m: _either_way("slashed", m, int(m["y"])),
    "time-first": lambda m: _either_way("time-first", m, int(m["y"])),
    "dotted": _full,
    "dashed": lambda m: _either_way("dashed", m, 2000 + int(m["yy"])),
    "month-day": lambda m: _stamp(m, None, int(m["mo"]), int(m["d"])),
    "syslog": lambda m: _stamp(m, None, _MONTHS[m["mon"].lower()], int(m["d"])),
    "time": lambda m: _stamp(m, None, None, None),
}


_WALL_EPOCH = datetime(1970, 1, 1)
_UTC_EPOCH = _WALL_EPOCH.replace(tzinfo=UTC)


class Clockwork:
    """Turns stamps into UTC datetimes in one zone, relative to ``now``.

    ``date_order`` is the order of day and month in the file being read, when
    known: it settles the dates whose numbers leave it open.
    """

    def __init__(self, zone: str, now: datetime, date_order: str | None = None):
        self.zone = ZoneInfo(zone)
        self.now = now.astimezone(UTC)
        self.local_now = self.now.astimezone(self.zone)
        self.date_order = date_order
        wall_now = self.local_now.replace(tzinfo=None)
        self._latest_dated = wall_now + timedelta(days=1)
        self._latest_timed = wall_now + timedelta(hours=1)
        self._offsets: dict[tuple[int, int, int, int], tuple[timedelta, ...]] = {}
        self._last: tuple[datetime | None, tuple[timedelta, ...]] = (None, ())

    def in_order(self, date_order: str | None) -> Clockwork:
        """This clock for a file whose dates are in ``date_order``."""
        if date_order == self.date_order:
            return self
        # The copy shares the offsets looked up so far: the zone is the same.
        other = copy.copy(self)
        other.date_order = date_order
        return other

    def local(self, stamp: Stamp) -> datetime | None:
        """The naive wall-clock time a stamp stands for, its gaps filled in."""
        if stamp.wall is not None:
            return stamp.wall
        month, day = stamp.month_and_day(self.date_order)
        try:
            moment = datetime(
                stamp.year or self.local_now.year,
                month or self.local_now.month,
                day or self.local_now.day,
                stamp.hour,
                stamp.minute,
                stamp.second,
                stamp.microsecond,
            )
        except ValueError:
            return None

        if stamp.year is None and month is not None and moment > self._latest_dated:
            moment = _year_before(moment)
        if day is None and moment > self._latest_timed:
            moment -= timedelta(days=1)
        return moment

    def iso_utc(self, match: re.Match[Any]) -> datetime | None:
        """UTC of an :data:`ISO_STAMP` match, when it can be told at once.

        None when it is to be worked out the long way (see :meth:`local` and
        :meth:`to_utc`): written with an offset, not read whole, or in the
        hour that the autumn clock change repeats.
        """
        if match["z"]:
            return None
        wall = _whole_wall(match)
        if wall is None:
            return None
        first, second = self._offsets_at(wall)
        return _UTC_EPOCH + (wall - first - _WALL_EPOCH) if first == second else None

    def is_ambiguous(self, wall: datetime) -> bool:
        """True in the hour that the autumn clock change repeats."""
        first, second = self._offsets_at(wall)
        return first != second

    def to_utc(self, stamp: Stamp, wall: datetime, fold: int = 0) -> datetime:
        if stamp.offset_minutes is not None:
            offset = timedelta(minutes=stamp.offset_minutes)
        else:
            offset = self._offsets_at(wall)[fold]
        # The same moment as (wall - offset).replace(tzinfo=UTC), in a third of
        # the time: this runs once per error entry.
        return _UTC_EPOCH + (wall - offset - _WALL_EPOCH)

    def _offsets_at(self, wall: datetime) -> tuple[timedelta, ...]:
        """The zone's offset at ``wall`` in its first and its second pass."""
        if wall is self._last[0]:
            # Asked for the same time twice in a row: is it ambiguous, then UTC.
            return self._last[1]
        # Zones change offset on the hour or half hour: one lookup per half hour.
        key = (wall.year, wall.month, wall.day, wall.hour * 2 + wall.minute // 30)
        offsets = self._offsets.get(key)
        if offsets is None:
            offsets = tuple(
                wall.replace(tzinfo=self.zone, fold=fold).utcoffset() or timedelta()
                for fold in (0, 1)
            )
            self._offsets[key] = offsets
        self._last = (wall, offsets)
        return offsets


def _year_before(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)
