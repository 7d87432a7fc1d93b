"""The deploy and task scripts, done by hand on a local folder server.

A local folder stands for a Windows server (the demo's, the tests'), so the
scripts a deploy runs there are done here on its files with the same
parameters and answers as the ``.ps1`` files. Its Task Scheduler is a folder:
the task ``\\Batchs\\Export`` is ``ROOT/Tasks/Batchs/Export.xml``, written as
Windows exports tasks (UTF-16 LE with a BOM); disabling it sets the task's
own ``Settings/Enabled``.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from integrations.session import RemoteError
from integrations.windows.task_xml import decode_task_xml, encode_task_xml

TASKS_FOLDER = "Tasks"
_SETTINGS_ENABLED = re.compile(
    r"(<Settings>(?:(?!</Settings>).)*?<Enabled>)(true|false)(</Enabled>)", re.DOTALL
)


class LocalScripts:
    """Runs the scripts batchops can run on a local folder server."""

    def __init__(self, resolve: Callable[[str], Path], root: Path) -> None:
        self.resolve = resolve
        self.tasks = root / TASKS_FOLDER
        self.handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "new_folder": self.new_folder,
            "remove_path": self.remove_path,
            "move_path": self.move_path,
            "expand_archive": self.expand_archive,
            "register_task_xml": self.register_task,
            "export_task": self.export_task,
            "unregister_task": self.unregister_task,
            "enable_task": lambda params: self.set_enabled(params, True),
            "disable_task": lambda params: self.set_enabled(params, False),
        }

    def run(self, script: str, params: dict[str, Any]) -> Any:
        handler = self.handlers.get(script)
        if handler is None:
            raise RemoteError(
                f"script {script} does not run on local folder servers",
                retryable=False,
            )
        try:
            return handler(params)
        except OSError as error:
            reason = (error.strerror or type(error).__name__).lower()
            raise RemoteError(f"{script}: {reason}", retryable=False) from error

    def new_folder(self, params: dict[str, Any]) -> dict[str, Any]:
        folder = self.resolve(params["Path"])
        created = not folder.is_dir()
        folder.mkdir(parents=True, exist_ok=True)
        return {"path": params["Path"], "created": created}

    def remove_path(self, params: dict[str, Any]) -> dict[str, Any]:
        target = self.resolve(params["Path"])
        removed = target.exists()
        if target.is_dir():
            shutil.rmtree(target)
        elif removed:
            target.unlink()
        return {"path": params["Path"], "removed": removed}

    def move_path(self, params: dict[str, Any]) -> dict[str, Any]:
        source = self.resolve(params["Source"])
        destination = self.resolve(params["Destination"])
        if destination.exists():
            raise RemoteError(
                f"destination already exists: {params['Destination']}",
                retryable=False,
            )
        moved = source.exists()
        if moved:
            source.rename(destination)
        return {"path": params["Destination"], "moved": moved}

    def expand_archive(self, params: dict[str, Any]) -> dict[str, Any]:
        destination = self.resolve(params["Destination"])
        with zipfile.ZipFile(self.resolve(params["ArchivePath"])) as archive:
            for entry in archive.infolist():
                _extract(archive, entry, destination)
        count = sum(1 for path in destination.rglob("*") if path.is_file())
        return {"path": params["Destination"], "files": count}

    def register_task(self, params: dict[str, Any]) -> dict[str, Any]:
        path = self._task_file(params)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode_task_xml(params["Xml"]))
        return _task_record(params, task_state_of(params["Xml"]))

    def export_task(self, params: dict[str, Any]) -> dict[str, Any]:
        path = self._task_file(params)
        if not path.is_file():
            return {**_task_record(params, None), "xml": None}
        xml = decode_task_xml(path.read_bytes())
        return {**_task_record(params, task_state_of(xml)), "xml": xml}

    def unregister_task(self, params: dict[str, Any]) -> dict[str, Any]:
        path = self._task_file(params)
        removed = path.is_file()
        if removed:
            path.unlink()
        return {"name": params["TaskName"], "removed": removed}

    def set_enabled(self, params: dict[str, Any], enabled: bool) -> dict[str, Any]:
        path = self._task_file(params)
        if not path.is_file():
            full_name = params["TaskPath"] + params["TaskName"]
            raise RemoteError(f"task not found: {full_name}", retryable=False)
        xml = _with_enabled(decode_task_xml(path.read_bytes()), enabled)
        path.write_bytes(encode_task_xml(xml))
        return _task_record(params, task_state_of(xml))

    def _task_file(self, params: dict[str, Any]) -> Path:
        parts = [part for part in params["TaskPath"].split("\\") if part]
        name = params["TaskName"]
        if not name or any(part in (".", "..") for part in [*parts, name]):
            raise RemoteError(f"not a task name: {name!r}", retryable=False)
        return self.tasks.joinpath(*parts, f"{name}.xml")


def _extract(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, into: Path) -> None:
    relative = PurePosixPath(entry.filename.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts:
        raise RemoteError(f"unsafe entry in archive: {entry.filename}", retryable=False)
    target = into.joinpath(*relative.parts)
    if entry.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(entry) as source, open(target, "wb") as written:
        shutil.copyfileobj(source, written)


def _with_enabled(xml: str, enabled: bool) -> str:
    value = "true" if enabled else "false"
    if _SETTINGS_ENABLED.search(xml):
        return _SETTINGS_ENABLED.sub(rf"\g<1>{value}\g<3>", xml, count=1)
    return xml.replace("</Settings>", f"  <Enabled>{value}</Enabled>\n  </Settings>", 1)


def task_state_of(xml: str) -> str:
    """Ready, or Disabled when the task's own settings say so."""
    found = _SETTINGS_ENABLED.search(xml)
    return "Disabled" if found and found.group(2) == "false" else "Ready"


def _task_record(params: dict[str, Any], state: str | None) -> dict[str, Any]:
    return {"name": params["TaskName"], "path": params["TaskPath"], "state": state}
