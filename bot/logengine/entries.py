"""Splitting a window of a log into entries, and keeping the error ones.

An entry is a line that starts with a timestamp or a level (its header) and
the lines after it that do not: stack frames, ``--- End of ... ---`` markers,
``Exception data:`` blocks, wrapped messages.

Text before the first header of a file (a PowerShell transcript, a report, a
bare stack trace) has no levels: there an exception, a trace, or a line that
says ``Error:`` or ``TerminatingError`` is an error entry, and it goes on
only with the lines that continue a trace.

Entries are found from the error words in the window (see
:mod:`bot.logengine.needles`): only the lines around them are read.
The last entry of a window may still grow; an error one is held back (reading
resumes at its first line next time) unless ``final`` says the file is idle.
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Any

from bot.logengine import needles
from bot.logengine.fingerprint import fingerprint
from bot.logengine.folds import FoldMark, FoldResolver
from bot.logengine.levels import (
    ERROR,
    REPORTED,
    USUAL_LINE,
    Header,
    read_header,
    says_error,
    usual_level,
)
from bot.logengine.lines import LINE_CAP, Window
from bot.logengine.timestamps import Clockwork, Leading

TYPE_LINES = 20
"""The exception type of an entry is looked for in its first lines."""
MAX_ENTRY_LINES = 400
MAX_ENTRY_CHARS = 128 * 1024
ENTRY_CUT_MARK = "[entry cut]"

_USUAL_BYTES = re.compile(USUAL_LINE.encode())
_USUAL_TEXT = re.compile(USUAL_LINE)
_NEVER_FIRST_CHARS = "-+>|/\\<.,;:!?~@$%^&)]}'_`"
"""First characters of lines that neither a header nor a banner starts with,
but for a log source's own level pattern."""
_TRACE_FIRST = " \t" + _NEVER_FIRST_CHARS
"""First characters of the lines that go on a trace: frames and markers."""


def _continued_then_usual(first_chars: str) -> str:
    """Lines that cannot start an entry (blank, or starting with one of
    ``first_chars``), then the line after them, named ``line``, matched as a
    usual line when it is one."""
    continued = "[" + re.escape(first_chars) + r"][^\n]*\n|\r*\n"
    return rf"(?:{continued})*(?P<line>)(?:{USUAL_LINE})?"


_SKIPPED = {
    (custom, wide): re.compile(pattern if wide else pattern.encode())
    for custom in (False, True)
    for wide in (False, True)
    for pattern in [_continued_then_usual(" \t" if custom else _TRACE_FIRST)]
}
"""By whether the source has its own level pattern, and whether the window is
text: what :meth:`WindowScanner._next_header` passes over in one step."""
_USUAL_ENTRY = (
    USUAL_LINE
    + r"[^\n]*\n?"
    + re.sub(r"\(\?P<(\w+)>", r"(?P<next_\1>", _continued_then_usual(_TRACE_FIRST))
)
"""A usual line, the trace lines after it, and the line after them when it is a
usual one (its groups named ``next_...``): most error entries whole."""
_USUAL_ENTRY_BYTES = re.compile(_USUAL_ENTRY.encode())
_USUAL_ENTRY_TEXT = re.compile(_USUAL_ENTRY)

_TRACE_LINE = re.compile(
    r"\s+(?:at|à|bei|en)\s+\S+"
    r"|\s*---[ >]"
    r"|\s+File \""
    r"|>> "
)
"""Lines that continue a trace: frames in English, French, German, Spanish,
``--- End of ... ---`` and ``--->`` markers, Python frames, PowerShell's
continuation prompt."""
_EXCEPTION_START = re.compile(
    r"(?:[\w`+]+\.)*\w*Exception\b(?: \(0x[0-9A-Fa-f]+\))?:"
    r"|(?:[\w`+]+\.)+\w*Error:"
    r"|Traceback \(most recent call last\):"
)
_TERMINATING = re.compile(r"\bTerminatingError\(")
_BANNER = re.compile(r"\s*(?:\*{3,}|#{3,}|={3,})")
_NEVER_FIRST = {*_NEVER_FIRST_CHARS, *(bytes([c]) for c in _NEVER_FIRST_CHARS.encode())}
"""The same, to look up the first character of a line in the raw window."""
_BANNER_HEADER = Header(None, None, "")
_PASSED_OVER = {
    level: Header(level, None, "") for level in ("WARN", "INFO", "DEBUG", "TRACE")
}
"""Stand-ins for headers of entries that are not reported: only their level
is asked for."""


@dataclass
class Cursor:
    """Where reading stands in a file between two windows; JSON-serialisable."""

    preamble: bool = True
    """No line of the file has started an entry yet."""
    skip_rest: bool = False
    """The lines that continue the entry at the resume point were handled."""
    mid_line: bool = False
    """The resume point is inside a line that was handled (cut or taken)."""
    fold_wall: datetime | None = None
    """Wall time of the last header before the resume point, when it is in
    the hour repeated by the autumn clock change; ``fold`` is its pass."""
    fold: int = 0

    def copy(self) -> Cursor:
        return Cursor(**self.__dict__)

    def to_json(self) -> dict[str, Any]:
        return {
            "preamble": self.preamble,
            "skip_rest": self.skip_rest,
            "mid_line": self.mid_line,
            "fold_wall": self.fold_wall.isoformat() if self.fold_wall else None,
            "fold": self.fold,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Cursor:
        data = data or {}
        wall = data.get("fold_wall")
        return cls(
            preamble=bool(data.get("preamble", True)),
            skip_rest=bool(data.get("skip_rest", False)),
            mid_line=bool(data.get("mid_line", False)),
            fold_wall=datetime.fromisoformat(wall) if wall else None,
            fold=int(data.get("fold", 0)),
        )

    def carried_fold(self) -> FoldMark | None:
        return FoldMark(-1, self.fold_wall, self.fold) if self.fold_wall else None


@dataclass
class Found:
    """An error entry found in a window."""

    start: int
    level: str
    lines: list[str]
    header: Header | None
    timestamp: datetime | None = None
    """UTC, from the header; None when the entry has no date of its own."""

    @property
    def summary(self) -> str:
        return self.header.summary if self.header else self.lines[0]


@dataclass
class WindowScan:
    resume: int = 0
    """Window position that the next read of the file starts from."""
    cursor: Cursor = field(default_factory=Cursor)


class WindowScanner:
    """Finds the error entries of one window of one file.

    Each is handed to ``emit`` once complete, as the scan goes: the needle
    search of the parts still to read goes on meanwhile.
    """

    def __init__(
        self,
        window: Window,
        cursor: Cursor,
        *,
        final: bool,
        clock: Clockwork,
        emit: Callable[[Found], None],
        custom: re.Pattern[str] | None = None,
    ) -> None:
        self.window = window
        self.final = final
        self.custom = custom
        self.emit = emit
        self.cursor = cursor.copy()
        self.folds = FoldResolver(clock, cursor.carried_fold())
        self._header_cache: tuple[int, Header | None] = (-1, None)
        self._long_tail = False
        self._last_start: tuple[int, Header | None] = (-1, None)

    def scan(self, start: int) -> WindowScan:
        w = self.window
        pos = start
        if self.cursor.mid_line:
            newline = w.buf.find(w.nl, pos, w.end)  # type: ignore[arg-type]
            if newline < 0:
                # All of it is the rest of a line that was already handled.
                return WindowScan(w.end, self.cursor)
            pos = newline + 1
            self.cursor.mid_line = False

        end = w.end if self.final else w.last_line_end(pos)
        if not self.final and w.end - end > LINE_CAP:
            # Take a line that goes on and on now, cut, and drop its rest.
            self._long_tail = True
            end = w.end

        resume = end
        if self.cursor.preamble and pos < end:
            pos, resume = self._scan_preamble(pos, end)
        if not self.cursor.preamble and pos < end:
            with _collector_paused():
                resume = self._scan_entries(pos, end)

        if self._long_tail and resume == end:
            self.cursor.mid_line = True
        return WindowScan(resume, self.cursor)

    # -- text before the first header ------------------------------------

    def _scan_preamble(self, pos: int, end: int) -> tuple[int, int]:
        """Read free text line by line; returns (first header, resume)."""
        w = self.window
        entry: Found | None = None
        lookback: tuple[int, str] | None = None
        while pos < end:
            stop = w.line_end(pos)
            line = w.text(pos, stop)
            if self._header_at(pos, line) is not None:
                self._close(entry)
                self.cursor.preamble = False
                self.cursor.skip_rest = False
                return pos, end

            if self.cursor.skip_rest and _TRACE_LINE.match(line):
                pos = stop
                continue
            self.cursor.skip_rest = False

            entry, lookback = self._free_line(pos, line, entry, lookback)
            pos = stop

        return end, self._preamble_resume(entry, lookback, end)

    def _free_line(
        self,
        pos: int,
        line: str,
        entry: Found | None,
        lookback: tuple[int, str] | None,
    ) -> tuple[Found | None, tuple[int, str] | None]:
        if not line.strip() or _BANNER.match(line):
            self._close(entry)
            return None, None
        if entry is not None and _continues(entry, line):
            entry.lines.append(line)
            return entry, None

        self._close(entry)
        if _EXCEPTION_START.match(line):
            return Found(pos, ERROR, [line], None), None
        if _TERMINATING.search(line) or says_error(line):
            return Found(pos, ERROR, [line], None), None
        if _TRACE_LINE.match(line) and not line.startswith(">> "):
            if lookback is not None:
                return Found(lookback[0], ERROR, [lookback[1], line], None), None
            return Found(pos, ERROR, [line], None), None
        return None, (pos, line)

    def _preamble_resume(
        self, entry: Found | None, lookback: tuple[int, str] | None, end: int
    ) -> int:
        if entry is not None:
            if self._may_grow(entry):
                return entry.start
            self._close(entry)
            self.cursor.skip_rest = True
            return end
        if lookback is not None and not (self.final or self._long_tail):
            # A trace starting on the next line would begin with this one.
            return lookback[0]
        return end

    # -- entries ----------------------------------------------------------

    def _scan_entries(self, pos: int, end: int) -> int:
        if self.cursor.skip_rest:
            pos = self._next_header(pos, end)
            self.cursor.skip_rest = False
        floor = pos
        covered = pos
        resume = end
        with closing(self._candidates(pos, end)) as batches:
            for candidate in chain.from_iterable(batches):
                if candidate < covered:
                    continue
                line = self.window.line_start(candidate)
                found = self._usual_entry(line, floor, end)
                if found is None:
                    found = self._entry_at(line, floor, end)
                if found is None:
                    covered = self.window.line_end(candidate)
                    continue
                entry, covered = found
                if covered == end and self._may_grow(entry):
                    resume = entry.start
                    break
                self._close(entry)

        if resume == end:
            # Whatever entry the window ends in has been dealt with.
            self.cursor.skip_rest = True
        self._carry_fold(resume, floor)
        return resume

    def _usual_entry(self, line: int, floor: int, end: int) -> tuple[Found, int] | None:
        """The error entry a usual line at ``line`` starts, and where it stops.

        None when the line is not a usual one with an error level: it is read
        the long way (:meth:`_entry_at`).
        """
        if self.custom is not None:
            return None
        w = self.window
        pattern: Any = _USUAL_ENTRY_TEXT if w.wide else _USUAL_ENTRY_BYTES
        usual = pattern.match(w.buf, line, end)
        level = _field_level(usual["field"]) if usual else None
        if level not in REPORTED:
            return None

        stop = usual.start("next_line")
        following = usual["next_field"]
        if stop < end and not (following and _field_level(following)):
            stop = self._next_header(stop, end)
        lines = self._lines(line, stop)
        header = _usual_header(usual, level, lines[0], line)
        when = self.folds.clock.iso_utc(usual)
        if when is None:
            when = self._timestamp(line, header, floor)
        return Found(line, level, lines, header, when), stop

    def _entry_at(self, line: int, floor: int, end: int) -> tuple[Found, int] | None:
        """The error entry that holds the line at ``line``, and where it stops."""
        start, header = self._entry_start(line, floor)
        if header is None or header.level not in REPORTED:
            return None
        stop = self._next_header(self.window.line_end(start), end)
        when = self._timestamp(start, header, floor)
        return Found(start, header.level, self._lines(start, stop), header, when), stop

    def _timestamp(self, start: int, header: Header, floor: int) -> datetime | None:
        stamp = header.stamp
        if stamp is None:
            return None
        clock = self.folds.clock
        wall = clock.local(stamp)
        if wall is None:
            return None
        fold = 0
        if stamp.offset_minutes is None and clock.is_ambiguous(wall):
            fold = self.folds.fold(start, header, floor, self._previous_header)
        return clock.to_utc(stamp, wall, fold)

    def _carry_fold(self, resume: int, floor: int) -> None:
        pos, header = self._previous_header(resume, floor)
        if header is None:
            return
        mark = self.folds.mark(pos, header, floor, self._previous_header)
        self.cursor.fold_wall = mark.wall if mark else None
        self.cursor.fold = mark.fold if mark else 0

    def _previous_header(self, pos: int, floor: int) -> tuple[int, Header | None]:
        """The last line before ``pos``, down to ``floor``, with a header."""
        while pos > floor:
            pos = self.window.line_start(pos - 1)
            header = self._header_at(pos)
            if header is not None:
                return pos, header
        return floor, None

    def _candidates(self, start: int, end: int) -> Generator[list[int], None, None]:
        if self.custom is not None:
            yield self._line_starts(start, end)
        else:
            yield from needles.search(self.window.buf, start, end)

    def _line_starts(self, start: int, end: int) -> list[int]:
        starts = []
        while start < end:
            starts.append(start)
            start = self.window.line_end(start)
        return starts

    def _entry_start(self, pos: int, floor: int) -> tuple[int, Header | None]:
        """The header line of the entry that holds the line at ``pos``."""
        w = self.window
        while True:
            if pos == self._last_start[0]:
                return self._last_start
            usual = self._usual(pos)
            level = _field_level(usual["field"]) if usual else None
            if level in _PASSED_OVER:
                return pos, _PASSED_OVER[level]
            if usual is not None and level in REPORTED:
                w = self.window
                text = w.text(pos, w.line_end(pos))
                header: Header | None = _usual_header(usual, level, text, pos)
                self._header_cache = (pos, header)
            else:
                header = self._header_at(pos)
            if header is not None:
                self._last_start = (pos, header)
                return pos, header
            if pos <= floor:
                return floor, None
            pos = w.line_start(pos - 1)

    def _next_header(self, pos: int, end: int) -> int:
        """The first line at or after ``pos`` that starts an entry, or ``end``."""
        w = self.window
        skip: Any = _SKIPPED[self.custom is not None, w.wide]
        while pos < end:
            # Trace lines never start one; the line after them most often does.
            found = skip.match(w.buf, pos, end)
            pos = found.start("line")
            if pos >= end:
                break
            field = found["field"] if self.custom is None else None
            if field and _field_level(field) or self._header_at(pos) is not None:
                return pos
            pos = w.line_end(pos)
        return end

    def _usual(self, pos: int) -> re.Match[Any] | None:
        """The usual line at ``pos``, matched on the raw window.

        None when the line is not a usual one: its header is read in full.
        """
        if self.custom is not None:
            return None
        usual = _USUAL_TEXT if self.window.wide else _USUAL_BYTES
        return usual.match(self.window.buf, pos)  # type: ignore[arg-type]

    def _header_at(self, pos: int, line: str | None = None) -> Header | None:
        if self._header_cache[0] == pos:
            return self._header_cache[1]
        w = self.window
        first = w.buf[pos : pos + 1]
        if first in _NEVER_FIRST and self.custom is None:
            # A trace's marker or continuation: no format starts a line so.
            return None
        if w.indented(pos):
            return None
        if line is None:
            line = w.text(pos, w.line_end(pos))
        if len(line) <= _KEPT_LINE_CHARS:
            header = _read_header_kept(line, self.custom)
        else:
            header = read_header(line, self.custom)
        if header is None and not self.cursor.preamble and _BANNER.match(line):
            # Between entries a banner line (a new session) ends the last one.
            header = _BANNER_HEADER
        self._header_cache = (pos, header)
        return header

    def _lines(self, start: int, stop: int) -> list[str]:
        return self.window.lines(start, stop, MAX_ENTRY_LINES + 1)

    # -- emitting -----------------------------------------------------------

    def _may_grow(self, entry: Found) -> bool:
        """True when an entry open at the window's end is to be held back."""
        if self.final or self._long_tail:
            return False
        return (
            len(entry.lines) < MAX_ENTRY_LINES
            and sum(len(line) for line in entry.lines) < MAX_ENTRY_CHARS
        )

    def _close(self, entry: Found | None) -> None:
        if entry is not None:
            self.emit(entry)


def _usual_header(
    usual: re.Match[Any], level: str | None, text: str, pos: int
) -> Header:
    """The header of the usual line ``text`` at ``pos``, as read_header reads it.

    ``usual`` is its match on the raw window.
    """
    # The timestamp and level are ASCII: positions in the raw window and in
    # the decoded line are the same.
    when = Leading("iso", usual, usual.start("field") - pos)
    return Header(level, when, text[usual.end("field") - pos :], trim=True)


_KEPT_LINE_CHARS = 300
_read_header_kept = functools.lru_cache(maxsize=1024)(read_header)
"""read_header, that keeps what it read of short lines: the lines after an
error's first line (an exception's type and message) repeat from one entry to
the next."""


@functools.lru_cache(maxsize=256)
def _field_level(field: str | bytes) -> str | None:
    """The level a usual line's first field gives; mostly the same few words."""
    return usual_level(field if isinstance(field, str) else field.decode("latin-1"))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused, while entries are read.

    Reading them makes no reference cycles, but so many short-lived objects
    that the collector would run every few entries, for nothing.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _continues(entry: Found, line: str) -> bool:
    if _TRACE_LINE.match(line):
        return True
    if _EXCEPTION_START.match(line) or says_error(line):
        return False
    # An exception's message may wrap onto lines of its own.
    return bool(_EXCEPTION_START.match(entry.lines[0]))


def message_of(lines: list[str]) -> str:
    """An entry's message: its lines joined, trailing blank lines dropped."""
    kept = list(lines)
    while len(kept) > 1 and not kept[-1].strip():
        kept.pop()
    text = "\n".join(kept[:MAX_ENTRY_LINES])
    if len(kept) > MAX_ENTRY_LINES or len(text) > MAX_ENTRY_CHARS:
        text = text[:MAX_ENTRY_CHARS] + "\n" + ENTRY_CUT_MARK
    return text


def fingerprint_of(found: Found) -> str:
    detail = found.header.detail if found.header else ""
    head = found.lines[:TYPE_LINES]
    return fingerprint(found.summary, [*head, detail])
