"""Where in a window an error entry may be: the needle search.

Every way of writing an error level or keyword contains one of the needles of
:mod:`bot.logengine.levels`; the scanner reads only the lines around them.
Searching is most of the cost of reading a big window, and needs nothing but
its bytes: a window of more than :data:`PARALLEL_BYTES` is searched part by
part by a helper process (:mod:`bot.logengine.needle_search`) while the
scanner reads the entries of the parts already searched. The helper reads the
window from a mapping it shares with this process; it is started the first
time it could serve and then kept. Until it is ready, while another scan uses
it, or once it has failed, the search is done here, with the same result.
"""

from __future__ import annotations

import atexit
import logging
import mmap
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
from array import array
from collections.abc import Generator
from typing import IO, Any

from bot.logengine import needle_search
from bot.logengine.levels import LINE_START_NEEDLE, NEEDLES
from bot.logengine.needle_search import COUNT, READY, REQUEST, Needle, positions_in

logger = logging.getLogger(__name__)

PARALLEL_BYTES = 2 << 20
"""Windows at least this long are searched by the helper process."""
PART_BYTES = 1 << 20
"""The helper answers for a part of about this size at a time."""
HELPER_BYTES = 16 << 20
"""Size of the mapping shared with the helper: longer windows are searched
here."""

# A line-start needle is found from the line end before it: a newline is a
# fixed first character, which the regex engine finds fast.
_BYTES: list[Needle] = [(re.compile(b"\n" + LINE_START_NEEDLE.encode()), 1)]
_BYTES += [(re.compile(needle.encode()), 0) for needle in NEEDLES]
_TEXT: list[Needle] = [(re.compile("\n" + LINE_START_NEEDLE), 1)]
_TEXT += [(re.compile(needle), 0) for needle in NEEDLES]
_FIRST_LINE_BYTES = re.compile(LINE_START_NEEDLE.encode())
_FIRST_LINE_TEXT = re.compile(LINE_START_NEEDLE)


def positions(buf: bytes | str, start: int, end: int) -> Generator[int, None, None]:
    """The positions in ``buf[start:end]`` around which an entry may start.

    Sorted; a line may be given more than once. Close the iterator when
    leaving it before its end.
    """
    big = isinstance(buf, bytes) and PARALLEL_BYTES <= end - start
    if big and len(buf) <= HELPER_BYTES and _helper.is_ready():
        yield from _helper.positions(buf, start, end)  # type: ignore[arg-type]
    else:
        yield from positions_here(buf, start, end)


def start_helper(wait: float = 0.0) -> bool:
    """Start the helper process if it is not running; True once it answers.

    Waits at most ``wait`` seconds for it to say it is ready.
    """
    return _helper.is_ready(wait)


def stop_helper() -> None:
    """Stop the helper process; the next big window starts another."""
    _helper.close()
    _helper.failed = os.name != "posix"


def positions_here(
    buf: bytes | str, start: int, end: int, stop: int | None = None
) -> list[int]:
    """:func:`positions`, searched in this process; up to ``stop`` if given."""
    wide = isinstance(buf, str)
    first_line: Any = _FIRST_LINE_TEXT if wide else _FIRST_LINE_BYTES
    found = [start] if first_line.match(buf, start) else []
    needles = _TEXT if wide else _BYTES
    return found + positions_in(buf, needles, start, stop or end, end)


class _Helper:
    """The helper process, its shared mapping, and who is using it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.mapping: mmap.mmap | None = None
        self.path: str | None = None
        self.ready = False
        self.failed = os.name != "posix"
        """The helper is not used again (``select`` on pipes is POSIX)."""

    def is_ready(self, wait: float = 0.0) -> bool:
        """True once the helper answers; starts it when it is not running."""
        if self.ready or self.failed:
            return self.ready
        try:
            if self.process is None:
                self._start()
            if select.select([self._answers], [], [], wait)[0]:
                self._take_ready()
        except (OSError, ValueError) as error:
            self._fail(error)
        return self.ready

    def positions(self, buf: bytes, start: int, end: int) -> Generator[int, None, None]:
        if not self.lock.acquire(blocking=False):
            yield from positions_here(buf, start, end)
            return
        try:
            yield from self._search(buf, start, end)
        finally:
            self.lock.release()

    def _search(self, buf: bytes, start: int, end: int) -> Generator[int, None, None]:
        (first, first_stop), *parts = _parts(buf, start, end)
        resume = start  # the positions before it have been given
        asked = answered = 0
        try:
            self.mapping[: len(buf)] = buf  # type: ignore[index]
            self._ask(parts, end)
            asked = len(parts)
            # The first part is searched here meanwhile: the scan starts at once.
            yield from positions_here(buf, first, end, first_stop)
            resume = first_stop
            for _, stop in parts:
                found = self._answer()
                answered += 1
                yield from found
                resume = stop
        except (OSError, EOFError, ValueError) as error:
            self._fail(error)
            if resume == start:
                yield from positions_here(buf, start, end)
            else:
                yield from positions_in(buf, _BYTES, resume, end, end)
        finally:
            # Parts not read when the scan stopped early are still answered.
            while not self.failed and answered < asked:
                self._answer()
                answered += 1

    def _start(self) -> None:
        folder = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        handle, self.path = tempfile.mkstemp(prefix="batchops-needles-", dir=folder)
        try:
            os.ftruncate(handle, HELPER_BYTES)
            self.mapping = mmap.mmap(handle, HELPER_BYTES)
        finally:
            os.close(handle)
        atexit.register(self.close)

        sources = [f"{shift}:{p.pattern.decode('ascii')}" for p, shift in _BYTES]
        command = [sys.executable, "-I", needle_search.__file__, self.path, *sources]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        logger.info("needle search helper started (pid %s)", self.process.pid)

    def _take_ready(self) -> None:
        if self._answers.read(len(READY)) != READY:
            raise OSError("the needle search helper did not start")
        self.ready = True
        # Both processes hold the mapping now: the file is no longer needed.
        self._forget_file()

    def _ask(self, parts: list[tuple[int, int]], end: int) -> None:
        requests: IO[bytes] = self.process.stdin  # type: ignore[union-attr, assignment]
        requests.write(b"".join(REQUEST.pack(a, b, end) for a, b in parts))
        requests.flush()

    def _answer(self) -> list[int]:
        head = self._read(COUNT.size)
        (count,) = COUNT.unpack(head)
        found = array("q")
        found.frombytes(self._read(count * found.itemsize))
        return found.tolist()

    def _read(self, size: int) -> bytes:
        data = self._answers.read(size)
        if len(data) != size:
            raise EOFError("the needle search helper stopped")
        return data

    @property
    def _answers(self) -> IO[bytes]:
        return self.process.stdout  # type: ignore[union-attr, return-value]

    def _fail(self, error: Exception) -> None:
        logger.warning("needle search helper given up, searching here: %s", error)
        self.failed = True
        self.ready = False
        self.close()

    def _forget_file(self) -> None:
        if self.path is not None:
            os.unlink(self.path)
            self.path = None

    def close(self) -> None:
        """Stop the helper; it also stops by itself when this process ends."""
        self.ready = False
        if self.process is not None:
            for pipe in (self.process.stdin, self.process.stdout):
                if pipe is not None:
                    pipe.close()
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
        if self.mapping is not None:
            self.mapping.close()
            self.mapping = None
        self._forget_file()


_helper = _Helper()


def _parts(buf: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut into parts of about PART_BYTES, at line starts."""
    parts = []
    while start < end:
        stop = min(end, start + PART_BYTES)
        if stop < end:
            stop = buf.rfind(b"\n", start, stop) + 1 or stop
        parts.append((start, stop))
        start = stop
    return parts
