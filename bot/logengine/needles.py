"""Where in a window an error entry may be: the needle search.

Every way of writing an error level or keyword contains one of the needles of
:mod:`bot.logengine.levels`; the scanner reads only the lines around them.
Searching is most of the cost of reading a big window, and needs nothing but
its bytes: a window of more than :data:`PARALLEL_BYTES` is searched part by
part by a helper process (:mod:`bot.logengine.needle_search`) while the
scanner reads the entries of the parts already searched. When the part the
scanner needs is not there yet, it searches the last part the helper has not
reached rather than wait, so that the two share the work whatever their
speeds. The helper reads the window from a mapping it shares with this
process; it is started the first time it could serve and then kept. Until it
is ready, while another scan uses it, or once it has failed, the search is
done here, with the same result.
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
from typing import Any

from bot.logengine import needle_search
from bot.logengine.levels import LINE_START_NEEDLE, NEEDLES
from bot.logengine.needle_search import (
    ANSWER,
    DONE,
    LIMIT,
    PART,
    READY,
    RECORD,
    WINDOW,
    Needle,
    Pipe,
    positions_in,
    send,
)

logger = logging.getLogger(__name__)

PARALLEL_BYTES = 2 << 20
"""Windows at least this long are searched by the helper process."""
PART_BYTES = 256 << 10
"""The helper answers for a part of about this size at a time: small enough
that the scan waits little for the first, and that they share the last well."""
STEAL_AFTER_S = 0.0
"""How long the scan waits for a part before searching the last part the
helper has not reached itself."""
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


def search(buf: bytes | str, start: int, end: int) -> Generator[list[int], None, None]:
    """The positions in ``buf[start:end]`` around which an entry may start.

    They come in lists, one after the other in order, each sorted; a line may
    be given more than once. Close the generator when leaving it early.
    """
    big = isinstance(buf, bytes) and PARALLEL_BYTES <= end - start
    if big and len(buf) <= HELPER_BYTES and _helper.is_ready():
        yield from _helper.search(buf, start, end)  # type: ignore[arg-type]
    else:
        yield positions_here(buf, start, end)


def start_helper(wait: float = 0.0) -> bool:
    """Start the helper process if it is not running; True once it answers.

    Waits at most ``wait`` seconds for it to say it is ready.
    """
    return _helper.is_ready(wait)


def helper_pid() -> int | None:
    """The helper process's id, while it runs."""
    return _helper.process.pid if _helper.process is not None else None


def stop_helper() -> None:
    """Stop the helper process; the next big window starts another."""
    _helper.close()
    _helper.failed = os.name != "posix"


def positions_here(buf: bytes | str, start: int, end: int) -> list[int]:
    """:func:`search`, in one list, searched in this process."""
    wide = isinstance(buf, str)
    first_line: Any = _FIRST_LINE_TEXT if wide else _FIRST_LINE_BYTES
    found = [start] if first_line.match(buf, start) else []
    return found + positions_in(buf, _TEXT if wide else _BYTES, start, end, end)


class _Helper:
    """The helper process, its shared mapping, and who is using it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.answers: Pipe | None = None
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
            if select.select([self._answers.fd], [], [], wait)[0]:
                self._take_ready()
        except (OSError, ValueError, EOFError) as error:
            self._fail(error)
        return self.ready

    def search(
        self, buf: bytes, start: int, end: int
    ) -> Generator[list[int], None, None]:
        if not self.lock.acquire(blocking=False):
            yield positions_here(buf, start, end)
            return
        try:
            yield from self._search(buf, start, end)
        finally:
            self.lock.release()

    def _search(
        self, buf: bytes, start: int, end: int
    ) -> Generator[list[int], None, None]:
        """The helper searches the parts in order; rather than wait for one, this
        process searches the last part the helper has not reached, and tells
        it to stop there."""
        parts = _parts(buf, start, end)
        search = Search(len(parts))
        resume = start  # the positions before it have been given
        try:
            self.mapping[: len(buf)] = buf  # type: ignore[index]
            self._send(RECORD.pack(WINDOW, end, len(parts)))
            self._send(b"".join(RECORD.pack(PART, a, b) for a, b in parts))
            if _FIRST_LINE_BYTES.match(buf, start):
                yield [start]
            for index, (_, stop) in enumerate(parts):
                while not search.has(index):
                    self._advance(search, index, buf, parts, end)
                yield search.take(index)
                resume = stop
        except (OSError, EOFError, ValueError) as error:
            self._fail(error)
            if resume == start:
                yield positions_here(buf, start, end)
            else:
                yield positions_in(buf, _BYTES, resume, end, end)
        finally:
            self._finish(search)

    def _advance(
        self,
        search: Search,
        index: int,
        buf: bytes,
        parts: list[tuple[int, int]],
        end: int,
    ) -> None:
        """One step towards having the positions of part ``index``."""
        if search.done:
            # The helper stopped before it: it is this process's to search.
            search.stolen[index] = positions_in(buf, _BYTES, *parts[index], end)
            return
        last = index >= search.limit - 1
        if self._collect(search, wait=None if last else STEAL_AFTER_S):
            return
        search.limit -= 1
        self._send(RECORD.pack(LIMIT, search.limit, 0))
        taken = search.limit
        search.stolen[taken] = positions_in(buf, _BYTES, *parts[taken], end)

    def _collect(self, search: Search, wait: float | None) -> bool:
        """Read one answer of the helper, waiting at most ``wait`` seconds
        (None: as long as it takes); False when none came."""
        answers = self._answers
        if wait is None:
            head: bytes | None = answers.take(ANSWER.size)
        else:
            head = answers.take_within(ANSWER.size, wait)
        if head is None:
            return False
        index, count = ANSWER.unpack(head)
        if index == DONE:
            search.done = True
            return True
        found = array("q")
        found.frombytes(answers.take(count * found.itemsize))
        search.answers[index] = found.tolist()
        return True

    def _finish(self, search: Search) -> None:
        """Let the helper stop and say so, when the scan left the window early."""
        if self.failed:
            return
        try:
            if not search.done:
                self._send(RECORD.pack(LIMIT, 0, 0))
            while not search.done:
                self._collect(search, wait=None)
        except (OSError, EOFError, ValueError) as error:
            self._fail(error)

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
        self.answers = Pipe(self.process.stdout.fileno())  # type: ignore[union-attr]
        logger.info("needle search helper started (pid %s)", self.process.pid)

    def _take_ready(self) -> None:
        if self._answers.take(len(READY)) != READY:
            raise OSError("the needle search helper did not start")
        self.ready = True
        # Both processes hold the mapping now: the file is no longer needed.
        self._forget_file()

    def _send(self, data: bytes) -> None:
        send(self.process.stdin.fileno(), data)  # type: ignore[union-attr]

    @property
    def _answers(self) -> Pipe:
        if self.answers is None:
            raise EOFError("the needle search helper is not running")
        return self.answers

    def _fail(self, error: Exception) -> None:
        logger.warning("needle search helper given up, searching here: %s", error)
        self.failed = True
        self.close()

    def _forget_file(self) -> None:
        if self.path is not None:
            os.unlink(self.path)
            self.path = None

    def close(self) -> None:
        """Stop the helper; it also stops by itself when this process ends."""
        self.ready = False
        self.answers = None
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


class Search:
    """Where the search of one window stands."""

    def __init__(self, parts: int) -> None:
        self.limit = parts
        """Parts from this index on are searched in this process."""
        self.answers: dict[int, list[int]] = {}
        self.stolen: dict[int, list[int]] = {}
        self.done = False
        """The helper has answered all it will for this window."""

    def has(self, index: int) -> bool:
        return index in self.answers or index in self.stolen

    def take(self, index: int) -> list[int]:
        # The helper may have answered for a part searched here meanwhile.
        answer = self.answers.pop(index, [])
        return self.stolen.pop(index, answer)


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
