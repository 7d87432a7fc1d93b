"""Log sources: which files to read, and following them through rotations.

A source is one file, or a folder with a name pattern (a file per day or per
run). Each file it reads has a checkpoint. When a file turns out to be another
one (renamed and recreated, copied and truncated, replaced, shrunk), the new
file is read from its start and the old checkpoint becomes an orphan: the
rotated copy, found by its first bytes, is read on from where the old
checkpoint stood, so its last lines are neither lost nor read twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.logengine import reading
from bot.logengine.checkpoint import FileCheckpoint, SourceState
from integrations.session import FILE_NOT_FOUND, HEAD_BYTES, ReadRequest, ReadResult

if TYPE_CHECKING:
    from bot.logengine.api import SourceSpec

logger = logging.getLogger(__name__)

KEEP_IDLE_FILES = timedelta(days=7)
"""Folder files unchanged this long are forgotten (and not read again)."""


@dataclass(frozen=True)
class ScanContext:
    spec: SourceSpec
    settings: reading.ReadSettings

    @property
    def now(self) -> datetime:
        return self.settings.clock.now


def plan(spec: SourceSpec, source: SourceState) -> list[ReadRequest]:
    """Read requests for a source in the state ``source``."""
    if spec.pattern:
        known = tuple(_request(cp, spec.max_bytes) for cp in source.files.values())
        return [
            ReadRequest(
                path=spec.path,
                pattern=spec.pattern,
                known=known,
                since=source.since,
                max_bytes=spec.max_bytes,
            )
        ]

    main = source.files.get(spec.path) or FileCheckpoint(spec.path)
    drained = [cp for path, cp in source.files.items() if path != spec.path]
    requests = [_request(cp, spec.max_bytes) for cp in (main, *drained)]
    if not source.orphans:
        return requests

    folder, name = split_path(spec.path)
    return [
        ReadRequest(
            path=folder,
            pattern=rotation_pattern(name),
            known=tuple(requests),
            since=_earliest(cp.modified for cp in source.orphans),
            max_bytes=spec.max_bytes,
        )
    ]


def apply(
    context: ScanContext, source: SourceState, results: list[ReadResult]
) -> tuple[list[reading.LogEntry], list[str]]:
    """Read ``results`` into ``source``; the entries found and the errors."""
    found: list[reading.LogEntry] = []
    errors: list[str] = []
    searched = list(source.orphans)
    source.orphans = []
    if not context.spec.pattern and context.spec.path not in source.files:
        source.files[context.spec.path] = _fresh(source, context.spec.path)
    results = [_as_tracked(source, result) for result in results]
    tracked = [r for r in results if r.path in source.files]
    untracked = [r for r in results if r.path not in source.files]

    for result in tracked:
        if result.error:
            errors.append(f"{result.path}: {result.error}")
            _lose(source, result)
            continue
        found += _read_tracked(context, source, result)

    for result in untracked:
        if result.error:
            errors.append(f"{result.path}: {result.error}")
        else:
            found += _read_untracked(context, source, result, searched)

    _forget_idle(context, source)
    return found, errors


def _as_tracked(source: SourceState, result: ReadResult) -> ReadResult:
    """The result under the path its file is tracked as.

    A server may spell a path with other separators or letter case (Windows
    lists a folder's files by their full names); it is the same file.
    """
    if result.path in source.files:
        return result
    key = _path_key(result.path)
    for path in source.files:
        if _path_key(path) == key:
            return replace(result, path=path)
    return result


def _path_key(path: str) -> str:
    return path.replace("\\", "/").lower()


def _read_tracked(
    context: ScanContext, source: SourceState, result: ReadResult
) -> list[reading.LogEntry]:
    checkpoint = source.files[result.path]
    if result.replaced:
        logger.info("log file %s was rotated or replaced", result.path)
        source.orphans.append(checkpoint)
        checkpoint = _fresh(source, result.path)
        source.files[result.path] = checkpoint
    return _read(context, checkpoint, result)


def _read_untracked(
    context: ScanContext,
    source: SourceState,
    result: ReadResult,
    searched: list[FileCheckpoint],
) -> list[reading.LogEntry]:
    orphan = _rotated_from(result, [*searched, *source.orphans])
    if orphan is not None:
        logger.info("reading the end of %s in %s", orphan.path, result.path)
        _drop(searched, orphan)
        _drop(source.orphans, orphan)
        checkpoint = FileCheckpoint.from_json({**orphan.to_json(), "path": result.path})
    elif context.spec.pattern and result.start == 0:
        checkpoint = _fresh(source, result.path)
    else:
        return []
    source.files[result.path] = checkpoint
    return _read(context, checkpoint, result)


def _read(
    context: ScanContext, checkpoint: FileCheckpoint, result: ReadResult
) -> list[reading.LogEntry]:
    final = _is_final(context, checkpoint, result)
    read = reading.FileBytes(result.data, result.start, final)
    entries = reading.read_new_bytes(checkpoint, read, context.settings)

    if result.size != checkpoint.size or checkpoint.changed_at is None:
        checkpoint.changed_at = context.now
    checkpoint.size = result.size
    checkpoint.modified = result.modified or checkpoint.modified
    checkpoint.head_hash = result.head_hash
    checkpoint.head_length = result.head_length
    return entries


def _is_final(
    context: ScanContext, checkpoint: FileCheckpoint, result: ReadResult
) -> bool:
    """True when the file has reached its end and been idle long enough."""
    if result.start + len(result.data) < result.size:
        return False
    idle = timedelta(seconds=context.spec.idle_flush_s)
    if not idle:
        return True
    unchanged = checkpoint.changed_at is not None and result.size == checkpoint.size
    if unchanged and context.now - checkpoint.changed_at >= idle:  # type: ignore[operator]
        return True
    return result.modified is not None and context.now - result.modified >= idle


def _fresh(source: SourceState, path: str) -> FileCheckpoint:
    """A checkpoint for a file to read from its start.

    It takes the date order another file of the source has shown: the writer
    is the same, and a file written early in a month may not show it.
    """
    known = (cp.date_order for cp in [*source.files.values(), *source.orphans])
    return FileCheckpoint(path, date_order=next(filter(None, known), None))


def _rotated_from(
    result: ReadResult, orphans: list[FileCheckpoint]
) -> FileCheckpoint | None:
    """The orphan whose file ``result`` is, judged by its first bytes."""
    if result.start != 0:
        return None
    for orphan in orphans:
        if orphan.head_hash is None or orphan.head_length > len(result.data):
            continue
        head = result.data[: orphan.head_length]
        if hashlib.sha256(head).hexdigest() == orphan.head_hash:
            return orphan
    return None


def _lose(source: SourceState, result: ReadResult) -> None:
    """A tracked file is gone: its end may turn up under another name."""
    if result.error != FILE_NOT_FOUND:
        return
    checkpoint = source.files.pop(result.path)
    if checkpoint.offset > 0:
        source.orphans.append(checkpoint)


def _forget_idle(context: ScanContext, source: SourceState) -> None:
    """Stop tracking files that were read to their end long ago."""
    main = None if context.spec.pattern else context.spec.path
    keep = (
        KEEP_IDLE_FILES
        if context.spec.pattern
        else timedelta(seconds=context.spec.idle_flush_s)
    )
    for path, checkpoint in list(source.files.items()):
        read_out = checkpoint.offset >= checkpoint.size
        stale = checkpoint.changed_at and context.now - checkpoint.changed_at > keep
        if path != main and read_out and stale:
            del source.files[path]
            if checkpoint.modified and context.spec.pattern:
                newest = checkpoint.modified + timedelta(seconds=1)
                source.since = max(source.since or newest, newest)


def _request(checkpoint: FileCheckpoint, max_bytes: int) -> ReadRequest:
    return ReadRequest(
        path=checkpoint.path,
        offset=checkpoint.offset,
        head_hash=checkpoint.head_hash,
        head_length=min(checkpoint.head_length, HEAD_BYTES),
        max_bytes=max_bytes,
    )


def _drop(checkpoints: list[FileCheckpoint], checkpoint: FileCheckpoint) -> None:
    if checkpoint in checkpoints:
        checkpoints.remove(checkpoint)


def _earliest(moments: Iterable[datetime | None]) -> datetime | None:
    """The earliest of ``moments``; None when one of them is not known."""
    known = list(moments)
    if not known or None in known:
        return None
    return min(m for m in known if m is not None)


def split_path(path: str) -> tuple[str, str]:
    """Folder and name of a Windows or POSIX path."""
    cut = max(path.rfind("/"), path.rfind("\\"))
    if cut < 0:
        return ".", path
    return path[: cut or 1], path[cut + 1 :]


def rotation_pattern(name: str) -> str:
    """A glob that matches the names a rotated copy of ``name`` takes."""
    stem = name.split(".", 1)[0]
    return f"{stem}*"
