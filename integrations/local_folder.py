"""A server that is a folder on this machine: the demo's and the tests' servers.

Paths in requests are relative to the folder given at construction; absolute
paths are used as they are.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from integrations.local_scripts import LocalScripts
from integrations.session import (
    FILE_NOT_FOUND,
    HEAD_BYTES,
    FileInfo,
    ReadRequest,
    ReadResult,
    RemoteError,
    ScriptResult,
)

logger = logging.getLogger(__name__)


DRIVE = re.compile(r"([A-Za-z]):/*")


class LocalFolderSession:
    """:class:`~integrations.session.ServerSession` over a local folder."""

    def __init__(self, name: str, root: str | Path) -> None:
        self.name = name
        self.root = Path(root)

    def run_script(self, script: str, params: dict[str, Any]) -> ScriptResult:
        """The deploy and task scripts, done on the folder's files; any other
        script is refused."""
        return ScriptResult(LocalScripts(self._resolve, self.root).run(script, params))

    def read_files(self, requests: list[ReadRequest]) -> list[ReadResult]:
        results: list[ReadResult] = []
        for request in requests:
            if request.pattern:
                results += self._read_folder(request)
            else:
                results.append(self._read_file(request))
        return results

    def list_files(self, folder: str, pattern: str) -> list[FileInfo]:
        base = self._resolve(folder)
        if not base.is_dir():
            raise RemoteError(f"folder not found: {folder}", retryable=False)
        return [
            _file_info(_join(folder, entry.name), entry.stat())
            for entry in _matching(base, pattern)
        ]

    def write_file(self, path: str, data: bytes) -> None:
        target = self._resolve(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as error:
            raise RemoteError(_reason(error), retryable=False) from error

    def copy_file(self, source: str, destination: str) -> None:
        target = self._resolve(destination)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self._resolve(source), target)
        except OSError as error:
            raise RemoteError(_reason(error), retryable=False) from error

    def close(self) -> None:
        """Nothing is held open between calls."""

    def _resolve(self, path: str) -> Path:
        """A path as the inventory writes it, on this folder.

        A local folder stands for a Windows server, so ``Logs\\app.log`` is
        ``ROOT/Logs/app.log`` and a drive path ``D:\\Logs`` is ``ROOT/D/Logs``.
        """
        normal = path.replace("\\", "/")
        drive = DRIVE.match(normal)
        if drive:
            return self.root / drive.group(1) / normal[drive.end() :]
        candidate = Path(normal)
        return candidate if candidate.is_absolute() else self.root / candidate

    def _read_folder(self, request: ReadRequest) -> list[ReadResult]:
        base = self._resolve(request.path)
        if not base.is_dir():
            return [ReadResult(request.path, 0, b"", 0, None, 0, error=FILE_NOT_FOUND)]

        known = {_same_file_key(k.path): k for k in request.known}
        results = []
        for entry in _matching(base, request.pattern or "*"):
            path = _join(request.path, entry.name)
            own = known.pop(_same_file_key(path), None)
            if own is None and _older_than(entry.stat(), request.since):
                continue
            own = own or ReadRequest(path, max_bytes=request.max_bytes)
            results.append(self._read_file(own))

        # Known files that are no longer in the folder say so.
        results += [self._read_file(gone) for gone in known.values()]
        return results

    def _read_file(self, request: ReadRequest) -> ReadResult:
        try:
            return _read_open_file(request, self._resolve(request.path))
        except FileNotFoundError:
            return ReadResult(request.path, 0, b"", 0, None, 0, error=FILE_NOT_FOUND)
        except OSError as error:
            logger.warning("could not read %s: %s", request.path, error)
            return ReadResult(request.path, 0, b"", 0, None, 0, error=_reason(error))


def _read_open_file(request: ReadRequest, path: Path) -> ReadResult:
    # Opened only for the time of one read, as the Windows reader does with
    # FileShare.ReadWrite|Delete so that a writer can go on writing and rotate
    # the file; on Linux a plain open never stands in a writer's way.
    with open(path, "rb") as handle:
        status = os.fstat(handle.fileno())
        head = handle.read(min(status.st_size, HEAD_BYTES))
        replaced = _is_another_file(request, head, status.st_size)
        start = 0 if replaced else request.offset
        handle.seek(start)
        data = handle.read(request.max_bytes)

    return ReadResult(
        path=request.path,
        start=start,
        data=data,
        size=max(status.st_size, start + len(data)),
        head_hash=hashlib.sha256(head).hexdigest(),
        head_length=len(head),
        created=_created(status),
        modified=datetime.fromtimestamp(status.st_mtime, UTC),
        replaced=replaced,
    )


def _is_another_file(request: ReadRequest, head: bytes, size: int) -> bool:
    if size < request.offset:
        return True
    if request.head_hash is None:
        return False
    if len(head) < request.head_length:
        return True
    seen = hashlib.sha256(head[: request.head_length]).hexdigest()
    return seen != request.head_hash


def _matching(base: Path, pattern: str) -> list[os.DirEntry[str]]:
    # Windows matches names without regard to case; the demo servers stand in
    # for Windows ones.
    wanted = pattern.lower()
    with os.scandir(base) as entries:
        found = [
            e
            for e in entries
            if e.is_file() and fnmatch.fnmatchcase(e.name.lower(), wanted)
        ]
    return sorted(found, key=lambda e: e.name)


def _join(folder: str, name: str) -> str:
    separator = "\\" if "\\" in folder and "/" not in folder else "/"
    return folder.rstrip("/\\") + separator + name


def _same_file_key(path: str) -> str:
    """Paths that name the same file give the same key (Windows: any case)."""
    return os.path.normpath(path.replace("\\", "/")).lower()


def _older_than(status: os.stat_result, since: datetime | None) -> bool:
    return since is not None and datetime.fromtimestamp(status.st_mtime, UTC) < since


def _created(status: os.stat_result) -> datetime | None:
    birth = getattr(status, "st_birthtime", None)
    return datetime.fromtimestamp(birth, UTC) if birth else None


def _file_info(path: str, status: os.stat_result) -> FileInfo:
    return FileInfo(
        path=path,
        size=status.st_size,
        modified=datetime.fromtimestamp(status.st_mtime, UTC),
        created=_created(status),
    )


def _reason(error: OSError) -> str:
    return (error.strerror or type(error).__name__).lower()
