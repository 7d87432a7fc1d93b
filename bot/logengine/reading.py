"""Reading the new bytes of one file from its checkpoint into error entries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.logengine.checkpoint import FileCheckpoint
from bot.logengine.dateorder import AUTO, shown_order
from bot.logengine.decoding import ASCII, Encoding, decide_from_line, decide_start
from bot.logengine.entries import Found, WindowScanner, fingerprint_of, message_of
from bot.logengine.lines import LINE_CAP, Window
from bot.logengine.timestamps import Clockwork

_NON_ASCII = re.compile(rb"[\x80-\xff]")


@dataclass(frozen=True)
class FileBytes:
    """Bytes read from a file: ``data`` starts at byte ``start``."""

    data: bytes
    start: int
    final: bool
    """The file is idle and ``data`` reaches its end: take what is pending."""


@dataclass(frozen=True)
class LogEntry:
    """One error entry of a log, its continuation lines included."""

    path: str
    offset: int
    """Byte offset in the file where the entry starts."""
    timestamp: datetime
    """UTC, timezone-aware."""
    level: str
    """Normalised: ERROR or FATAL."""
    message: str
    """The whole entry, its lines joined by ``\\n``, line ends removed."""
    fingerprint: str
    """Hex digest of the message with variable parts masked."""

    @property
    def first_line(self) -> str:
        return self.message.split("\n", 1)[0]


@dataclass(frozen=True)
class ReadSettings:
    """How a log source asks for its files to be read."""

    codec: str
    """A normalised codec name, or ``auto``."""
    date_order: str
    """``auto``, ``dmy`` or ``mdy``."""
    custom: re.Pattern[str] | None
    clock: Clockwork


def read_new_bytes(
    checkpoint: FileCheckpoint, read: FileBytes, settings: ReadSettings
) -> list[LogEntry]:
    """Scan ``read`` from the checkpoint on; moves the checkpoint forward."""
    data, start = _from_checkpoint(checkpoint, read)
    final = read.final

    if checkpoint.codec is None:
        encoding = decide_start(data if start == 0 else b"", settings.codec, final)
        if encoding is None:
            return []
        checkpoint.codec, checkpoint.bom = encoding.codec, encoding.bom
    if checkpoint.codec == ASCII:
        data, final = _settle_ascii(checkpoint, data, final)

    window = Window(data, Encoding(checkpoint.codec, checkpoint.bom), start, final)
    clock = settings.clock.in_order(_date_order(checkpoint, window, settings))
    path, now = checkpoint.path, settings.clock.now
    entries: list[LogEntry] = []

    def emit(found: Found) -> None:
        offset = window.offset(found.start)
        when = found.timestamp or now
        message = message_of(found.lines)
        entries.append(
            LogEntry(path, offset, when, found.level, message, fingerprint_of(found))
        )

    scanner = WindowScanner(
        window,
        checkpoint.cursor,
        final=final,
        clock=clock,
        emit=emit,
        custom=settings.custom,
    )
    scan = scanner.scan(window.first)

    checkpoint.offset = window.offset(scan.resume)
    checkpoint.cursor = scan.cursor
    return entries


def _date_order(
    checkpoint: FileCheckpoint, window: Window, settings: ReadSettings
) -> str | None:
    """The file's date order: the source's, or what its timestamps show."""
    if settings.date_order != AUTO:
        return settings.date_order
    if checkpoint.date_order is None:
        checkpoint.date_order = shown_order(window, window.first, settings.custom)
    return checkpoint.date_order


def _from_checkpoint(checkpoint: FileCheckpoint, read: FileBytes) -> tuple[bytes, int]:
    skip = checkpoint.offset - read.start
    if skip > 0:
        return read.data[skip:], checkpoint.offset
    return read.data, read.start


def _settle_ascii(
    checkpoint: FileCheckpoint, data: bytes, final: bool
) -> tuple[bytes, bool]:
    """Decide the codec at the first line holding a non-ASCII byte.

    Until that line is complete only what comes before it is read.
    """
    found = _NON_ASCII.search(data)
    if found is None:
        return data, final

    line_start = data.rfind(b"\n", 0, found.start()) + 1
    line_end = data.find(b"\n", found.start())
    if line_end < 0 and not final and len(data) - line_start <= LINE_CAP:
        return data[:line_start], False

    stop = len(data) if line_end < 0 else min(line_end, line_start + LINE_CAP)
    checkpoint.codec = decide_from_line(data[line_start:stop])
    return data, final
