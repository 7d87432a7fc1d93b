"""The one interface through which batchops reaches a server.

A server is either a Windows host reached over PowerShell remoting or a local
folder (the demo's and the tests' servers). Everything outside
``integrations/`` sees only :class:`ServerSession`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

HEAD_BYTES = 1024
"""How many leading bytes of a file identify it across reads."""

FILE_NOT_FOUND = "file not found"
"""The ``ReadResult.error`` of a file that does not exist (any more): the log
engine then looks for it under the name a rotation gave it."""


class RemoteError(Exception):
    """A server could not do what was asked.

    ``reason`` is short and fit to show a person ("server unreachable");
    ``retryable`` says whether trying again later can help.
    """

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class ReadRequest:
    """Read the bytes of ``path`` that follow ``offset``.

    ``head_hash`` is the SHA-256 (hex) of the file's first ``head_length``
    bytes as seen at the checkpoint. When the file no longer starts with those
    bytes, or is now shorter than ``offset``, it is another file (rotation,
    truncation): the reader then starts again at 0.
    """

    path: str
    offset: int = 0
    head_hash: str | None = None
    head_length: int = 0
    max_bytes: int = 8 * 1024 * 1024
    pattern: str | None = None
    """When set, ``path`` is a folder: read every file in it whose name matches
    this glob. Files listed in ``known`` are read from their own offsets; other
    matching files are read from 0, unless last modified before ``since``."""
    known: tuple[ReadRequest, ...] = ()
    since: datetime | None = None


@dataclass(frozen=True)
class ReadResult:
    path: str
    start: int
    """The offset ``data`` starts at: the request's offset, or 0 on a new file."""
    data: bytes
    size: int
    head_hash: str | None
    """SHA-256 (hex) of the first ``head_length`` bytes of the file as it is now."""
    head_length: int
    created: datetime | None = None
    modified: datetime | None = None
    replaced: bool = False
    """True when the file was found to be another file than at the checkpoint."""
    error: str | None = None
    """A short reason when this one file could not be read ("file not found")."""


@dataclass(frozen=True)
class FileInfo:
    path: str
    size: int
    modified: datetime
    created: datetime | None = None


@dataclass
class ScriptResult:
    """The JSON document a script printed, parsed."""

    data: Any
    duration_s: float = 0.0
    warnings: list[str] = field(default_factory=list)


class ServerSession(Protocol):
    """What batchops can do on one server."""

    name: str

    def run_script(self, script: str, params: dict[str, Any]) -> ScriptResult:
        """Run the named script (``integrations/windows/scripts/NAME.ps1``)."""
        ...

    def read_files(self, requests: list[ReadRequest]) -> list[ReadResult]:
        """Read many files from their offsets in one round trip.

        One result per file read: a folder request gives one per matching file.
        A file that cannot be read gives a result with ``error`` set; only a
        failure of the whole call raises :class:`RemoteError`.
        """
        ...

    def list_files(self, folder: str, pattern: str) -> list[FileInfo]:
        """The files of ``folder`` whose names match ``pattern`` (glob)."""
        ...

    def write_file(self, path: str, data: bytes) -> None: ...

    def copy_file(self, source: str, destination: str) -> None: ...

    def close(self) -> None: ...
