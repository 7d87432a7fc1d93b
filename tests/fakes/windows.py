"""A Windows server in memory, behind the same session interface.

``FakeWindowsSession`` answers each script by name. Task scripts answer with
the JSON they are given (captured or written the way Windows PowerShell 5.1
prints it); the file scripts (``read_chunks``, ``list_files``, ``write_file``,
``copy_file``) are served from a ``FakeWindowsFiles`` with the same rules as
the ``.ps1`` files, unless a response is given for them too. Every call is
recorded and counts as one round trip.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import json
import ntpath
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.clock import Clock, SystemClock
from integrations.local_scripts import task_state_of
from integrations.session import RemoteError, ScriptResult
from integrations.windows.scripted import ScriptedSession, load_script

Response = str | dict | list | RemoteError | Callable[[dict[str, Any]], Any]


@dataclass
class FakeFile:
    path: str
    data: bytes
    created: datetime
    modified: datetime


@dataclass(frozen=True)
class FakeCall:
    script: str
    params: dict[str, Any]


class FakeWindowsFiles:
    """Files and folders of a fake server; paths compare without case."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self._files: dict[str, FakeFile] = {}
        self._folders: set[str] = set()
        self.denied: set[str] = set()
        """Paths whose opening fails with "access denied"."""

    def mkdir(self, folder: str) -> None:
        folder = ntpath.normpath(folder)
        while folder and _key(folder) not in self._folders:
            self._folders.add(_key(folder))
            parent = ntpath.dirname(folder)
            if parent == folder:
                break
            folder = parent

    def write(self, path: str, data: bytes, modified: datetime | None = None) -> None:
        path = ntpath.normpath(path)
        self.mkdir(ntpath.dirname(path))
        now = modified or self.clock.now()
        existing = self._files.get(_key(path))
        created = existing.created if existing else now
        self._files[_key(path)] = FakeFile(path, data, created, now)

    def append(self, path: str, data: bytes, modified: datetime | None = None) -> None:
        self.write(path, self.read(path) + data, modified)

    def read(self, path: str) -> bytes:
        return self._files[_key(path)].data

    def rename(self, source: str, destination: str) -> None:
        moved = self._files.pop(_key(source))
        moved.path = ntpath.normpath(destination)
        self._files[_key(destination)] = moved

    def remove(self, path: str) -> None:
        del self._files[_key(path)]

    def remove_tree(self, path: str) -> bool:
        """Remove a file, or a folder with all below it; False when absent."""
        key = _key(path)
        inside = [k for k in (*self._files, *self._folders) if _is_within(k, key)]
        for found in inside:
            self._files.pop(found, None)
            self._folders.discard(found)
        return bool(inside)

    def move_tree(self, source: str, destination: str) -> bool:
        """Rename a file or a folder with all below it; False when absent."""
        old, new = _key(source), ntpath.normpath(destination)
        moved = False
        for key in [k for k in self._files if _is_within(k, old)]:
            item = self._files.pop(key)
            item.path = new + item.path[len(old) :]
            self._files[_key(item.path)] = item
            moved = True
        for key in [k for k in self._folders if _is_within(k, old)]:
            self._folders.discard(key)
            self.mkdir(new + key[len(old) :])
            moved = True
        return moved

    def all_files(self) -> list[FakeFile]:
        return sorted(self._files.values(), key=lambda item: item.path.lower())

    def exists(self, path: str) -> bool:
        return self.get(path) is not None or self.is_folder(path)

    def get(self, path: str) -> FakeFile | None:
        return self._files.get(_key(path))

    def is_folder(self, folder: str) -> bool:
        return _key(folder) in self._folders

    def files_in(self, folder: str, pattern: str) -> list[FakeFile]:
        """Like ``Get-ChildItem -File | Where-Object Name -like``, sorted by name."""
        folder_key = _key(folder)
        found = [
            item
            for key, item in self._files.items()
            if ntpath.dirname(key) == folder_key
            and fnmatch.fnmatchcase(ntpath.basename(key), pattern.lower())
        ]
        return sorted(found, key=lambda item: ntpath.basename(item.path).lower())


class FakeWindowsSession(ScriptedSession):
    """A ``ServerSession`` for a fake Windows server.

    ``responses`` maps a script name to JSON text, to parsed JSON, to a
    ``RemoteError`` to raise, or to a callable taking the parameters and
    returning any of those. ``latency_s`` is slept through ``sleep`` on every
    call (tests hand in a sleep that advances a FrozenClock).
    """

    def __init__(
        self,
        name: str,
        responses: dict[str, Response] | None = None,
        *,
        files: FakeWindowsFiles | None = None,
        latency_s: float = 0.0,
        clock: Clock | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.responses = dict(responses or {})
        self.files = files or FakeWindowsFiles(clock)
        self.latency_s = latency_s
        self.sleep = sleep
        self.calls: list[FakeCall] = []
        self.unreachable = False
        self.closed = False

    @property
    def round_trips(self) -> int:
        return len(self.calls)

    def scripts_called(self) -> list[str]:
        return [call.script for call in self.calls]

    def run_script(self, script: str, params: dict[str, Any]) -> ScriptResult:
        load_script(script)
        self.calls.append(FakeCall(script, dict(params)))
        if self.latency_s:
            self.sleep(self.latency_s)
        if self.unreachable:
            raise RemoteError("server unreachable", retryable=True)

        response = self.responses.get(script)
        if response is None:
            response = self._serve_from_files(script, params)
        if callable(response):
            response = response(params)
        if isinstance(response, RemoteError):
            raise response
        # A trip through text, like the real answer, catches data JSON cannot carry.
        text = response if isinstance(response, str) else json.dumps(response)
        return ScriptResult(data=json.loads(text), duration_s=self.latency_s)

    def close(self) -> None:
        self.closed = True

    def _serve_from_files(self, script: str, params: dict[str, Any]) -> Any:
        handlers = {
            "read_chunks": serve_read_chunks,
            "list_files": serve_list_files,
            "write_file": serve_write_file,
            "copy_file": serve_copy_file,
            "new_folder": serve_new_folder,
            "remove_path": serve_remove_path,
            "move_path": serve_move_path,
            "expand_archive": serve_expand_archive,
        }
        if script not in handlers:
            raise AssertionError(f"no response given for script {script}")
        return handlers[script](self.files, params)


def serve_read_chunks(files: FakeWindowsFiles, params: dict[str, Any]) -> dict:
    """What ``read_chunks.ps1`` prints, computed over ``files``."""
    reader = _ChunkReader(files, int(params["HeadBytes"]), int(params["MaxTotalBytes"]))
    results: list[dict[str, Any]] = []
    for request in json.loads(params["RequestsJson"])["requests"]:
        if request.get("pattern"):
            results.extend(reader.read_folder(request))
        else:
            results.append(reader.read_chunk(request["path"], request))
    return {"results": results}


@dataclass
class _ChunkReader:
    files: FakeWindowsFiles
    head_bytes: int
    budget: int

    def read_chunk(self, path: str, request: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"path": path, "start": 0, "data": "", "size": 0}
        found = self.files.get(path)
        error = self._open_error(path, found)
        if error or found is None:
            return {**result, "error": error, "replaced": False}

        data = found.data
        same = _same_file(data, request)
        start = int(request.get("offset") or 0) if same else 0
        count = max(0, min(int(request["max_bytes"]), len(data) - start, self.budget))
        self.budget -= count
        head = data[: self.head_bytes]
        return {
            **result,
            "start": start,
            "data": base64.b64encode(data[start : start + count]).decode("ascii"),
            "size": len(data),
            "head_hash": hashlib.sha256(head).hexdigest(),
            "head_length": len(head),
            "created": _ps_time(found.created),
            "modified": _ps_time(found.modified),
            "replaced": not same,
            "error": None,
        }

    def read_folder(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        folder = request["path"]
        if not self.files.is_folder(folder):
            missing = {"path": folder, "start": 0, "data": "", "size": 0}
            return [{**missing, "error": "folder not found"}]
        known = {item["path"].lower(): item for item in request.get("known") or []}
        since = request.get("since_unix_ms")
        fresh = {"offset": 0, "max_bytes": request["max_bytes"]}
        results = []
        for found in self.files.files_in(folder, request["pattern"]):
            checkpoint = known.get(found.path.lower())
            if checkpoint is not None:
                results.append(self.read_chunk(found.path, checkpoint))
            elif since is None or found.modified.timestamp() * 1000 >= since:
                results.append(self.read_chunk(found.path, fresh))
        return results

    def _open_error(self, path: str, found: FakeFile | None) -> str | None:
        if found is None and not self.files.is_folder(ntpath.dirname(path)):
            return "folder not found"
        if found is None:
            return "file not found"
        if found.path.lower() in {denied.lower() for denied in self.files.denied}:
            return "access denied"
        return None


def _same_file(data: bytes, request: dict[str, Any]) -> bool:
    offset = int(request.get("offset") or 0)
    head_length = int(request.get("head_length") or 0)
    if len(data) < offset:
        return False
    if not request.get("head_hash") or head_length <= 0:
        return True
    if len(data) < head_length:
        return False
    return hashlib.sha256(data[:head_length]).hexdigest() == request["head_hash"]


def serve_list_files(files: FakeWindowsFiles, params: dict[str, Any]) -> Any:
    folder = params["Folder"]
    if not files.is_folder(folder):
        reason = f"script failed: folder not found: {folder}"
        return RemoteError(reason, retryable=False)
    return {
        "files": [
            {
                "path": found.path,
                "size": len(found.data),
                "created": _ps_time(found.created),
                "modified": _ps_time(found.modified),
            }
            for found in files.files_in(folder, params["Pattern"])
        ]
    }


def serve_write_file(files: FakeWindowsFiles, params: dict[str, Any]) -> dict:
    data = base64.b64decode(params["DataBase64"])
    files.write(params["Path"], data)
    return {"path": params["Path"], "size": len(data)}


def serve_copy_file(files: FakeWindowsFiles, params: dict[str, Any]) -> Any:
    source = files.get(params["Source"])
    if source is None:
        reason = f"script failed: Cannot find path '{params['Source']}'"
        return RemoteError(reason, retryable=False)
    files.write(params["Destination"], source.data)
    return {"path": params["Destination"], "size": len(source.data)}


def serve_new_folder(files: FakeWindowsFiles, params: dict[str, Any]) -> dict:
    created = not files.is_folder(params["Path"])
    files.mkdir(params["Path"])
    return {"path": params["Path"], "created": created}


def serve_remove_path(files: FakeWindowsFiles, params: dict[str, Any]) -> dict:
    return {"path": params["Path"], "removed": files.remove_tree(params["Path"])}


def serve_move_path(files: FakeWindowsFiles, params: dict[str, Any]) -> Any:
    if files.exists(params["Destination"]):
        reason = f"script failed: destination already exists: {params['Destination']}"
        return RemoteError(reason, retryable=False)
    moved = files.move_tree(params["Source"], params["Destination"])
    return {"path": params["Destination"], "moved": moved}


def serve_expand_archive(files: FakeWindowsFiles, params: dict[str, Any]) -> Any:
    found = files.get(params["ArchivePath"])
    if found is None:
        reason = f"script failed: Cannot find path '{params['ArchivePath']}'"
        return RemoteError(reason, retryable=False)
    destination = params["Destination"]
    files.mkdir(destination)
    with zipfile.ZipFile(io.BytesIO(found.data)) as archive:
        for entry in archive.infolist():
            name = entry.filename.replace("/", "\\")
            if entry.is_dir():
                files.mkdir(ntpath.join(destination, name))
            else:
                files.write(ntpath.join(destination, name), archive.read(entry))
    inside = _key(destination)
    count = sum(1 for item in files.all_files() if _is_within(_key(item.path), inside))
    return {"path": destination, "files": count}


class FakeTaskScheduler:
    """Task Scheduler of a fake server: the task scripts answered from state.

    ``tasks`` maps a full task name (``\\Batchs\\Export``) to its XML text and
    state. Hand :meth:`responses` to ``FakeWindowsSession``.
    """

    def __init__(self) -> None:
        self.tasks: dict[str, tuple[str, str]] = {}

    def responses(self) -> dict[str, Response]:
        return {
            "register_task_xml": self._register,
            "export_task": self._export,
            "unregister_task": self._unregister,
            "enable_task": lambda params: self._set_state(params, "Ready"),
            "disable_task": lambda params: self._set_state(params, "Disabled"),
        }

    def state_of(self, full_name: str) -> str | None:
        found = self.tasks.get(full_name.lower())
        return found[1] if found else None

    def xml_of(self, full_name: str) -> str | None:
        found = self.tasks.get(full_name.lower())
        return found[0] if found else None

    def _register(self, params: dict[str, Any]) -> dict:
        state = task_state_of(params["Xml"])
        self.tasks[_task_key(params)] = (params["Xml"], state)
        return {"name": params["TaskName"], "path": params["TaskPath"], "state": state}

    def _export(self, params: dict[str, Any]) -> dict:
        xml, state = self.tasks.get(_task_key(params), (None, None))
        return {**_task_answer(params, state), "xml": xml}

    def _unregister(self, params: dict[str, Any]) -> dict:
        removed = self.tasks.pop(_task_key(params), None) is not None
        return {"name": params["TaskName"], "removed": removed}

    def _set_state(self, params: dict[str, Any], state: str) -> Any:
        key = _task_key(params)
        if key not in self.tasks:
            reason = f"script failed: No MSFT_ScheduledTask objects found ({key})"
            return RemoteError(reason, retryable=False)
        self.tasks[key] = (self.tasks[key][0], state)
        return _task_answer(params, state)


def _task_key(params: dict[str, Any]) -> str:
    return (params["TaskPath"] + params["TaskName"]).lower()


def _task_answer(params: dict[str, Any], state: str | None) -> dict:
    return {"name": params["TaskName"], "path": params["TaskPath"], "state": state}


def _is_within(key: str, folder_key: str) -> bool:
    return key == folder_key or key.startswith(folder_key.rstrip("\\") + "\\")


def _ps_time(moment: datetime) -> str:
    """A UTC time as ``.ToUniversalTime().ToString('o')`` writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _key(path: str) -> str:
    return ntpath.normpath(path).lower()
