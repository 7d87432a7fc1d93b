"""A folder of log files on a local-folder server, read by the engine.

Shared by the log engine's tests; it holds no tests itself.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.clock import FrozenClock
from bot.logengine import LogEntry, ScanOutcome, SourceSpec, apply_reads, plan_reads
from bot.logengine.catchup import catch_up
from integrations.local_folder import LocalFolderSession

DATA = Path(__file__).parent / "data" / "logs"
NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


class LogFolder:
    """Log files in a temporary folder, and the state of one source over them."""

    def __init__(self, root: Path, clock: FrozenClock | None = None) -> None:
        self.root = root
        self.clock = clock or FrozenClock(NOW)
        self.session = LocalFolderSession("test", root)
        self.state: dict[str, Any] | None = None

    def write(self, name: str, data: bytes | str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        self.touch(name)
        return path

    def append(self, name: str, data: bytes | str) -> None:
        with open(self.root / name, "ab") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
        self.touch(name)

    def touch(self, name: str) -> None:
        """Date the file's last change by the test's clock."""
        moment = self.clock.now().timestamp()
        os.utime(self.root / name, (moment, moment))

    def scan(self, spec: SourceSpec) -> ScanOutcome:
        """One scan: plan, read, apply; the state moves on."""
        now = self.clock.now()
        results = self.session.read_files(plan_reads(spec, self.state, now))
        outcome = apply_reads(spec, self.state, results, now)
        self.state = outcome.state
        return outcome

    def read(self, spec: SourceSpec) -> list[LogEntry]:
        """Read until caught up; the entries found."""
        entries, self.state, _ = catch_up(self.session, spec, self.state, self.clock)
        return entries


def read_file(path: Path, **spec: Any) -> list[LogEntry]:
    """All error entries of one file, read at once and its end taken."""
    folder = LogFolder(path.parent)
    return folder.read(SourceSpec(path=path.name, idle_flush_s=0, **spec))


def first_lines(entries: list[LogEntry]) -> list[str]:
    return [entry.first_line for entry in entries]
