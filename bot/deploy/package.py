"""What a batch's archive holds: its executable, its ``.config``, its files.

The archive is read before anything reaches a server: an entry that would
land outside the execution folder, an archive without an executable, or one
whose executable has no ``.config`` beside it is refused with the reason.

The ``.config`` is an XML ``appSettings`` file. A deploy sets two keys in
it: where the batch writes its log, and whether it runs in test mode. A key
already there (whatever its case) keeps its spelling and gets the new value;
comments and the file's encoding, BOM and line ends are kept.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.deploy.reasons import DeployError

LOG_FOLDER_KEY = "LogFolder"
TEST_MODE_KEY = "testmode"
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9_.-]+)["']""")


class PackageError(DeployError):
    """An archive or a ``.config`` batchops cannot deploy."""


@dataclass(frozen=True)
class PackageLayout:
    executable: str
    """Its path inside the archive, ``/`` separated."""
    config: str
    files: int


def inspect_package(path: Path, batch: str) -> PackageLayout:
    """Find the executable and its ``.config`` in the archive at ``path``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [entry.filename for entry in archive.infolist()]
    except zipfile.BadZipFile:
        raise PackageError("package.not_zip") from None

    files = [name for name in names if not name.endswith("/")]
    unsafe = [name for name in names if not _stays_inside(name)]
    if unsafe:
        raise PackageError("package.unsafe", entry=unsafe[0])
    executable = _executable(files, batch)
    return PackageLayout(executable, _config_beside(files, executable), len(files))


def read_entry(path: Path, entry: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(entry)


def _stays_inside(name: str) -> bool:
    relative = PurePosixPath(name.replace("\\", "/"))
    drive = re.match(r"^[A-Za-z]:", name)
    return not (relative.is_absolute() or drive or ".." in relative.parts)


def _executable(files: list[str], batch: str) -> str:
    found = [name for name in files if name.lower().endswith(".exe")]
    if not found:
        raise PackageError("package.no_executable")
    depth = min(name.count("/") for name in found)
    shallow = [name for name in found if name.count("/") == depth]
    if len(shallow) == 1:
        return shallow[0]
    named = [name for name in shallow if _stem(name).lower() == batch.lower()]
    if len(named) == 1:
        return named[0]
    listed = ", ".join(sorted(shallow))
    raise PackageError("package.many_executables", batch=batch, found=listed)


def _config_beside(files: list[str], executable: str) -> str:
    folder = executable.rpartition("/")[0]
    beside = [
        name
        for name in files
        if name.rpartition("/")[0] == folder and name.lower().endswith(".config")
    ]
    own = [name for name in beside if name.lower() == f"{executable.lower()}.config"]
    if own:
        return own[0]
    if len(beside) == 1:
        return beside[0]
    raise PackageError("package.no_config", executable=executable)


def _stem(name: str) -> str:
    return PurePosixPath(name).stem


def set_app_settings(data: bytes, values: dict[str, str]) -> bytes:
    """The ``.config`` file ``data`` with ``values`` set in its appSettings."""
    encoding, bom = _encoding_of(data)
    content = data[len(bom) :].decode(encoding)
    line_end = "\r\n" if "\r\n" in content else "\n"
    try:
        parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
        root = ET.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", content), parser)
    except ET.ParseError as error:
        raise PackageError("package.bad_config", reason=str(error)) from None
    if root.tag != "configuration":
        raise PackageError("package.bad_config", reason=f"<{root.tag}>")

    settings = root.find("appSettings")
    if settings is None:
        settings = _append(root, "appSettings", depth=1)
    for key, value in values.items():
        _set_key(settings, key, value)

    body = ET.tostring(root, encoding="unicode")
    declared = "utf-16" if encoding.startswith("utf-16") else encoding
    declaration = f'<?xml version="1.0" encoding="{declared}"?>'
    result = declaration + "\n" + body.replace("\r\n", "\n") + "\n"
    return bom + result.replace("\n", line_end).encode(encoding)


def _encoding_of(data: bytes) -> tuple[str, bytes]:
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return name, bom
    declared = _DECLARED.match(data)
    if declared is None:
        return "utf-8", b""
    name = declared.group(1).decode("ascii").lower()
    try:
        codecs.lookup(name)
    except LookupError:
        raise PackageError("package.bad_config", reason=name) from None
    return name, b""


def _set_key(settings: ET.Element, key: str, value: str) -> None:
    for entry in settings.findall("add"):
        if (entry.get("key") or "").lower() == key.lower():
            entry.set("value", value)
            return
    entry = _append(settings, "add", depth=2)
    entry.set("key", key)
    entry.set("value", value)


def _append(parent: ET.Element, tag: str, depth: int) -> ET.Element:
    """A new last child, indented like its elder siblings."""
    children = list(parent)
    element = ET.SubElement(parent, tag)
    if children:
        element.tail = children[-1].tail
        children[-1].tail = children[-2].tail if len(children) > 1 else parent.text
    else:
        parent.text = "\n" + "  " * depth
        element.tail = "\n" + "  " * (depth - 1)
    return element
