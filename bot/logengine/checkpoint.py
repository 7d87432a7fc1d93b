"""Checkpoints: how far each file of a log source has been read.

A checkpoint is where the next read starts, what the file was like then (size,
hash of its first bytes), the encoding and the date order decided for it, and
where reading stands between entries. The whole state of a source is plain JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.logengine.entries import Cursor

STATE_VERSION = 1


@dataclass
class FileCheckpoint:
    path: str
    offset: int = 0
    """Next read starts here: the end of what was handled, or the first line
    of an error entry held back until it is complete."""
    size: int = 0
    head_hash: str | None = None
    head_length: int = 0
    codec: str | None = None
    """None until decided; ``ascii`` while only ASCII has been read."""
    bom: int = 0
    date_order: str | None = None
    """``dmy`` or ``mdy`` once the file's dates have shown it, else None."""
    cursor: Cursor = field(default_factory=Cursor)
    changed_at: datetime | None = None
    """When the file was last seen to change size (the engine's clock)."""
    modified: datetime | None = None
    """Last modification time reported by the server (its clock)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "offset": self.offset,
            "size": self.size,
            "head_hash": self.head_hash,
            "head_length": self.head_length,
            "codec": self.codec,
            "bom": self.bom,
            "date_order": self.date_order,
            "cursor": self.cursor.to_json(),
            "changed_at": _time_to_json(self.changed_at),
            "modified": _time_to_json(self.modified),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileCheckpoint:
        return cls(
            path=str(data["path"]),
            offset=int(data.get("offset", 0)),
            size=int(data.get("size", 0)),
            head_hash=data.get("head_hash"),
            head_length=int(data.get("head_length", 0)),
            codec=data.get("codec"),
            bom=int(data.get("bom", 0)),
            date_order=data.get("date_order"),
            cursor=Cursor.from_json(data.get("cursor")),
            changed_at=_time_from_json(data.get("changed_at")),
            modified=_time_from_json(data.get("modified")),
        )


@dataclass
class SourceState:
    """Everything the engine keeps about one log source."""

    files: dict[str, FileCheckpoint] = field(default_factory=dict)
    """Files being read: the source's file, or a folder's matching files, and
    a rotated file whose last bytes are still to be read."""
    orphans: list[FileCheckpoint] = field(default_factory=list)
    """Checkpoints of files that were rotated away before their end was read:
    the file whose first bytes match takes the checkpoint over."""
    since: datetime | None = None
    """Folder files last modified before this are not read from their start."""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "files": {path: cp.to_json() for path, cp in sorted(self.files.items())},
            "orphans": [cp.to_json() for cp in self.orphans],
            "since": _time_to_json(self.since),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SourceState:
        if not data or data.get("version") != STATE_VERSION:
            return cls()
        return cls(
            files={
                path: FileCheckpoint.from_json(cp)
                for path, cp in data.get("files", {}).items()
            },
            orphans=[FileCheckpoint.from_json(cp) for cp in data.get("orphans", [])],
            since=_time_from_json(data.get("since")),
        )


def _time_to_json(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _time_from_json(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
