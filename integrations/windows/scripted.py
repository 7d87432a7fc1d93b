"""File operations of a Windows server, built on its scripts.

Both the remoting session and the tests' fake run the same named scripts and
read the same JSON, so this is the one place that turns requests into script
parameters and script output into results.
"""

from __future__ import annotations

import base64
import json
import re
from abc import ABC, abstractmethod
from datetime import datetime
from importlib import resources
from typing import Any

from integrations.session import (
    HEAD_BYTES,
    FileInfo,
    ReadRequest,
    ReadResult,
    ScriptResult,
)
from integrations.windows.ps_json import as_list, parse_ps_datetime

DEFAULT_MAX_READ_BYTES = 16 * 1024 * 1024
"""Most bytes one read call brings back, all files together; the rest waits
for the next cycle. Keeps one answer's size (base64, in memory on both ends)
bounded."""

_SCRIPT_NAME = re.compile(r"^[a-z][a-z_]*$")


def load_script(name: str) -> str:
    """The text of ``integrations/windows/scripts/NAME.ps1``."""
    if not _SCRIPT_NAME.match(name):
        raise ValueError(f"not a script name: {name!r}")
    script = resources.files("integrations.windows") / "scripts" / f"{name}.ps1"
    if not script.is_file():
        raise ValueError(f"unknown script: {name}")
    return script.read_text(encoding="utf-8")


class ScriptedSession(ABC):
    """A server session whose file operations are scripts run on the server."""

    name: str
    max_read_bytes: int = DEFAULT_MAX_READ_BYTES

    @abstractmethod
    def run_script(self, script: str, params: dict[str, Any]) -> ScriptResult: ...

    @abstractmethod
    def close(self) -> None: ...

    def read_files(self, requests: list[ReadRequest]) -> list[ReadResult]:
        if not requests:
            return []
        params = {
            "RequestsJson": encode_read_requests(requests),
            "HeadBytes": HEAD_BYTES,
            "MaxTotalBytes": self.max_read_bytes,
        }
        return decode_read_results(self.run_script("read_chunks", params).data)

    def list_files(self, folder: str, pattern: str) -> list[FileInfo]:
        params = {"Folder": folder, "Pattern": pattern}
        data = self.run_script("list_files", params).data
        return [_file_info(item) for item in as_list(data.get("files"))]

    def write_file(self, path: str, data: bytes) -> None:
        encoded = base64.b64encode(data).decode("ascii")
        self.run_script("write_file", {"Path": path, "DataBase64": encoded})

    def copy_file(self, source: str, destination: str) -> None:
        self.run_script("copy_file", {"Source": source, "Destination": destination})


def encode_read_requests(requests: list[ReadRequest]) -> str:
    """The ``RequestsJson`` parameter of ``read_chunks.ps1``.

    Wrapped in an object because Windows PowerShell 5.1's ConvertFrom-Json
    hands a top-level array over as one item.
    """
    return json.dumps({"requests": [_request_record(r) for r in requests]})


def _request_record(request: ReadRequest) -> dict[str, Any]:
    record: dict[str, Any] = {
        "path": request.path,
        "offset": request.offset,
        "head_hash": request.head_hash,
        "head_length": request.head_length,
        "max_bytes": request.max_bytes,
    }
    if request.pattern is not None:
        record["pattern"] = request.pattern
        record["known"] = [_request_record(known) for known in request.known]
        record["since_unix_ms"] = _unix_ms(request.since)
    return record


def _unix_ms(moment: datetime | None) -> int | None:
    # Milliseconds travel as a plain number: PowerShell 7 would turn an ISO
    # string into a local DateTime on its own, 5.1 would not.
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("ReadRequest.since must be timezone-aware")
    return int(moment.timestamp() * 1000)


def decode_read_results(data: Any) -> list[ReadResult]:
    """The results ``read_chunks.ps1`` printed, with their bytes decoded."""
    return [_read_result(item) for item in as_list(data.get("results"))]


def _read_result(item: dict[str, Any]) -> ReadResult:
    return ReadResult(
        path=item["path"],
        start=int(item.get("start") or 0),
        data=base64.b64decode(item.get("data") or ""),
        size=int(item.get("size") or 0),
        head_hash=item.get("head_hash"),
        head_length=int(item.get("head_length") or 0),
        created=parse_ps_datetime(item.get("created")),
        modified=parse_ps_datetime(item.get("modified")),
        replaced=bool(item.get("replaced")),
        error=item.get("error"),
    )


def _file_info(item: dict[str, Any]) -> FileInfo:
    modified = parse_ps_datetime(item.get("modified"))
    if modified is None:
        raise ValueError(f"file without a modification time: {item.get('path')}")
    return FileInfo(
        path=item["path"],
        size=int(item.get("size") or 0),
        modified=modified,
        created=parse_ps_datetime(item.get("created")),
    )
