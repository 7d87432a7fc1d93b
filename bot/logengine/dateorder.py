"""Which of day and month a file writes first in its dates.

``03/07/2021`` is the 3rd of July as the team writes it and the 7th of March
as a US program writes it. One date rarely tells, a file usually does: a date
with a number over 12 shows which number is the day. The order is decided per
file, like its encoding, from the first timestamp that shows it, kept in the
file's checkpoint and applied to every date of the file that its numbers leave
open. All the bytes of a read are looked at before any entry is dated, so an
entry read before the first telling timestamp is dated in the file's order too.

Until a file shows its order, each layout is read as it is usually written:
slashed dates day-first, dashed two-digit-year dates month-first (see
:mod:`bot.logengine.timestamps`). A log source may also set the order.
"""

from __future__ import annotations

import re

from bot.logengine.levels import read_header
from bot.logengine.lines import LINE_CAP, Window
from bot.logengine.timestamps import DMY, MDY, Stamp

AUTO = "auto"
SNIFF_BYTES = LINE_CAP
"""How far into a read its first timestamp is looked for, to tell whether the
file writes dates that come in either order at all."""

_OVER_12 = r"(?:1[3-9]|2\d|3[01])"
_UP_TO_12 = r"(?:0?[1-9]|1[0-2])"
_TELLING_DATE = (
    rf"(?<!\d)(?:{_OVER_12}[/-]{_UP_TO_12}|{_UP_TO_12}[/-]{_OVER_12})[/-]\d\d"
)
"""A date with one number over 12; a line holding one may start with it."""
_TELLING_TEXT = re.compile(_TELLING_DATE)
_TELLING_BYTES = re.compile(_TELLING_DATE.encode())


def normalise_date_order(setting: str) -> str:
    """``auto``, ``dmy`` or ``mdy``; ValueError for anything else."""
    key = setting.strip().lower()
    if key not in (AUTO, DMY, MDY):
        raise ValueError(f"unsupported date order: {setting}")
    return key


def shown_order(
    window: Window, start: int, custom: re.Pattern[str] | None
) -> str | None:
    """The date order the timestamps of ``window`` show, or None."""
    if not _dates_either_way(window, start, custom):
        return None

    telling = _TELLING_TEXT if window.wide else _TELLING_BYTES
    looked_at = -1
    for match in telling.finditer(window.buf, start):  # type: ignore[arg-type]
        line_start = window.line_start(match.start())
        if line_start == looked_at:
            continue
        looked_at = line_start
        stamp = _line_stamp(window, line_start, custom)
        if stamp is not None and stamp.shown_order is not None:
            return stamp.shown_order
    return None


def _dates_either_way(
    window: Window, start: int, custom: re.Pattern[str] | None
) -> bool:
    """True when the first timestamp of the window is in such a layout.

    Most files never write one: they are not searched.
    """
    pos = start
    stop = min(window.end, start + SNIFF_BYTES)
    while pos < stop:
        stamp = _line_stamp(window, pos, custom)
        if stamp is not None:
            return stamp.order is not None
        pos = window.line_end(pos)
    return False


def _line_stamp(
    window: Window, line_start: int, custom: re.Pattern[str] | None
) -> Stamp | None:
    """The timestamp of the entry header at ``line_start``, if it is one."""
    line = window.text(line_start, window.line_end(line_start))
    header = read_header(line, custom)
    return header.stamp if header is not None else None
