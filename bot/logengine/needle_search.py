"""The needle search, and the helper process that runs it for big windows.

This module imports nothing from the project, so that it can run as a script:
``python -I needle_search.py MAPPING PATTERN...`` is the helper process of
:mod:`bot.logengine.needles`. It maps the file MAPPING, which holds the window
to search, says it is ready, then searches the parts of each window it is
asked for, in order, until its input is closed.

Messages are records of three signed 64-bit integers. A window is a WINDOW
record (its end and its number of parts) followed by a PART record for each
part (start and stop). A LIMIT record, sent at any time during a window, says
that the parts from that index on are taken care of elsewhere: the helper
stops before them. For each part it searches the helper answers an ANSWER
record (the part's index and how many positions follow) and the positions;
after the last, an ANSWER record with index -1.
"""

from __future__ import annotations

import mmap
import os
import re
import select
import signal
import struct
import sys
from array import array
from collections.abc import Sequence
from typing import Any

MARGIN = 64
"""Longer than any needle's match: the search for a part reads this far past
its end, so that a match that starts in the part is whole."""
READY = b"R"
RECORD = struct.Struct("<3q")
WINDOW, PART, LIMIT = 1, 2, 3
ANSWER = struct.Struct("<2q")
DONE = -1

Needle = tuple[re.Pattern[Any], int]
"""A needle's pattern, and what to add to where it matches to get the
position it marks."""


def positions_in(
    buf: Any, needles: Sequence[Needle], start: int, stop: int, end: int
) -> list[int]:
    """The positions the needles mark, for matches that start in [start, stop).

    ``buf`` is the window (bytes, text or a mapping); nothing at or past
    ``end`` is read.
    """
    limit = min(end, stop + MARGIN)
    found = []
    for pattern, shift in needles:
        for match in pattern.finditer(buf, start, limit):
            at = match.start()
            if at >= stop:
                break
            found.append(at + shift)
    found.sort()
    return found


class Pipe:
    """Reads what comes from a file descriptor, so many bytes at a time."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pending = bytearray()

    def take(self, size: int) -> bytes:
        """The next ``size`` bytes, waiting as long as it takes for them."""
        while len(self.pending) < size:
            self._read()
        return self._cut(size)

    def take_within(self, size: int, seconds: float) -> bytes | None:
        """The next ``size`` bytes if they come within ``seconds``, else None."""
        while len(self.pending) < size:
            if not select.select([self.fd], [], [], seconds)[0]:
                return None
            self._read()
        return self._cut(size)

    def _read(self) -> None:
        data = os.read(self.fd, 1 << 16)
        if not data:
            raise EOFError("the other side of the pipe is closed")
        self.pending += data

    def _cut(self, size: int) -> bytes:
        taken = bytes(self.pending[:size])
        del self.pending[:size]
        return taken


def send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def serve(mapping: str, sources: list[str]) -> None:
    """Answer for the parts of the windows held in the file ``mapping``.

    Each of ``sources`` is a needle written ``SHIFT:PATTERN``.
    """
    # An interrupt from the terminal is for the scan; this process stops when
    # the scan closes its input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with open(mapping, "rb") as file:
        window = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    needles = [_needle(source) for source in sources]
    requests, answers = Pipe(sys.stdin.fileno()), sys.stdout.fileno()
    send(answers, READY)

    while True:
        try:
            kind, end, count = RECORD.unpack(requests.take(RECORD.size))
        except EOFError:
            return
        if kind != WINDOW:
            # A LIMIT that came after the window it was for was answered.
            continue
        parts = [RECORD.unpack(requests.take(RECORD.size))[1:] for _ in range(count)]
        limit = count
        for index, (start, stop) in enumerate(parts):
            limit = _limit(requests, limit)
            if index >= limit:
                break
            found = array("q", positions_in(window, needles, start, stop, end))
            send(answers, ANSWER.pack(index, len(found)) + found.tobytes())
        send(answers, ANSWER.pack(DONE, 0))


def _limit(requests: Pipe, limit: int) -> int:
    """The limit, lowered by the LIMIT records that have come."""
    while (record := requests.take_within(RECORD.size, 0)) is not None:
        kind, value, _ = RECORD.unpack(record)
        if kind == LIMIT:
            limit = min(limit, value)
    return limit


def _needle(source: str) -> Needle:
    shift, pattern = source.split(":", 1)
    return re.compile(pattern.encode("ascii")), int(shift)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
