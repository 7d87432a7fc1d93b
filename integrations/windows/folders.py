"""Folders and archives of a server, through its scripts.

Each call says what it found, so that undoing a deploy removes only what the
deploy made. The same scripts run on Windows, on a local folder server
(:mod:`integrations.local_scripts`) and in the tests' fake.
"""

from __future__ import annotations

from integrations.session import ServerSession


def make_folder(session: ServerSession, path: str) -> bool:
    """Create ``path`` and its parents; True when it did not exist before."""
    data = session.run_script("new_folder", {"Path": path}).data
    return bool(data.get("created"))


def remove_path(session: ServerSession, path: str) -> bool:
    """Remove a file or a whole folder; False when it was already gone."""
    data = session.run_script("remove_path", {"Path": path}).data
    return bool(data.get("removed"))


def move_path(session: ServerSession, source: str, destination: str) -> bool:
    """Rename ``source``; False when there was nothing to move. The
    destination must not exist."""
    params = {"Source": source, "Destination": destination}
    return bool(session.run_script("move_path", params).data.get("moved"))


def expand_archive(session: ServerSession, archive: str, destination: str) -> int:
    """Unpack a zip already on the server; returns the files the folder holds."""
    params = {"ArchivePath": archive, "Destination": destination}
    return int(session.run_script("expand_archive", params).data.get("files") or 0)
