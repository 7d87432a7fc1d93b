"""The needle search, and the helper process that runs it for big windows.

This module imports nothing from the project, so that it can run as a script:
``python -I needle_search.py MAPPING PATTERN...`` is the helper process of
:mod:`bot.logengine.needles`. It maps the file MAPPING, which holds the window
to search, says it is ready, then answers each request read on its standard
input (a part of the window to search) with the positions found, on its
standard output, until its input is closed.
"""

from __future__ import annotations

import mmap
import re
import struct
import sys
from array import array
from collections.abc import Sequence
from typing import Any

MARGIN = 64
"""Longer than any needle's match: the search for a part reads this far past
its end, so that a match that starts in the part is whole."""
READY = b"R"
REQUEST = struct.Struct("<3Q")
"""A part to search: its start, its stop, and the end of the window."""
COUNT = struct.Struct("<Q")
"""How many positions follow, each a signed 64-bit integer."""

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


def serve(mapping: str, sources: list[str]) -> None:
    """Answer requests for parts of the window held in the file ``mapping``.

    Each of ``sources`` is a needle written ``SHIFT:PATTERN``.
    """
    with open(mapping, "rb") as file:
        window = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    needles = [_needle(source) for source in sources]
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    answers.write(READY)
    answers.flush()

    while len(request := requests.read(REQUEST.size)) == REQUEST.size:
        start, stop, end = REQUEST.unpack(request)
        found = array("q", positions_in(window, needles, start, stop, end))
        answers.write(COUNT.pack(len(found)) + found.tobytes())
        answers.flush()


def _needle(source: str) -> Needle:
    shift, pattern = source.split(":", 1)
    return re.compile(pattern.encode("ascii")), int(shift)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
