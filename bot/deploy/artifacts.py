"""Artifacts: the zip archive a deploy unpacks on the server.

They come from an HTTP(S) repository (``BATCHOPS_ARTIFACTS_URL``, with Basic
credentials) or a folder (``BATCHOPS_ARTIFACTS_DIR``). Each has a SHA-256:
given in the command, or read from ``NAME.sha256`` next to it (the output of
``sha256sum`` or ``Get-FileHash`` alike). An archive is checked against its
checksum as it is fetched, and only a checked one is kept, in a cache under
``var/`` named after its checksum; nothing unchecked ever reaches a server.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Protocol
from urllib.parse import quote

import requests

from bot.config import Settings
from bot.deploy.reasons import DeployError

log = logging.getLogger(__name__)

MAX_ARTIFACT_BYTES = 512 * 1024 * 1024
MAX_CHECKSUM_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
HTTP_TIMEOUT = (10, 60)
"""Seconds to connect, and to wait for each part of an answer."""
SHA256 = re.compile(r"\b[0-9a-fA-F]{64}\b")


class ArtifactError(DeployError):
    """An artifact cannot be had or trusted."""


@dataclass(frozen=True)
class Artifact:
    name: str
    sha256: str
    size: int
    path: Path
    """The checked copy in batchops' cache."""


class ArtifactRepository(Protocol):
    def where(self) -> str:
        """Where artifacts come from, fit to show (no credentials)."""
        ...

    def read_checksum(self, name: str) -> bytes:
        """The bytes of ``NAME.sha256``."""
        ...

    def open_artifact(self, name: str) -> Iterator[bytes]:
        """The archive's bytes, chunk by chunk."""
        ...


def repository_from(settings: Settings) -> ArtifactRepository:
    if settings.artifacts_url:
        auth = None
        if settings.artifacts_user and settings.artifacts_password:
            auth = (settings.artifacts_user, settings.artifacts_password)
        return HttpRepository(settings.artifacts_url, auth)
    return FolderRepository(settings.artifacts_dir)


def check_artifact_name(name: str) -> str:
    """A path inside the repository, ending in ``.zip``; refused otherwise."""
    path = PurePosixPath(name)
    unsafe = (
        not name
        or "\\" in name
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in name.split("/"))
        or any(ord(char) < 32 for char in name)
    )
    if unsafe or not name.lower().endswith(".zip"):
        raise ArtifactError("artifact.bad_name", name=name)
    return name


def fetch_artifact(
    repository: ArtifactRepository, name: str, sha256: str | None, cache: Path
) -> Artifact:
    """The archive ``name``, checked against ``sha256`` (or its ``.sha256``)."""
    check_artifact_name(name)
    expected = (sha256 or read_checksum(repository, name)).lower()
    cached = cache / f"{expected}.zip"
    if cached.is_file() and file_sha256(cached) == expected:
        return Artifact(name, expected, cached.stat().st_size, cached)

    cache.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.NamedTemporaryFile(dir=cache, suffix=".part", delete=False) as part:
        try:
            digest, size = _copy_checked(repository.open_artifact(name), part, name)
        except BaseException:
            part.close()
            os.unlink(part.name)
            raise
    if digest != expected:
        os.unlink(part.name)
        log.warning("artifact %s refused: checksum mismatch", name)
        raise ArtifactError(
            "artifact.mismatch", name=name, expected=expected[:12], found=digest[:12]
        )
    os.replace(part.name, cached)
    log.info(
        "artifact %s fetched from %s: %d bytes in %.1f s",
        name,
        repository.where(),
        size,
        time.monotonic() - started,
    )
    return Artifact(name, expected, size, cached)


def read_checksum(repository: ArtifactRepository, name: str) -> str:
    """The SHA-256 written in ``NAME.sha256``."""
    data = repository.read_checksum(name)[:MAX_CHECKSUM_BYTES]
    content = data.decode("utf-8-sig", errors="replace")
    lines = [line for line in content.splitlines() if SHA256.search(line)]
    basename = name.rsplit("/", 1)[-1]
    # A checksum file may list several archives, each on its own line.
    named = [line for line in lines if basename in line]
    chosen = named or lines
    if len(chosen) != 1:
        raise ArtifactError("artifact.bad_checksum", name=name)
    found = SHA256.search(chosen[0])
    assert found is not None
    return found.group(0).lower()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_checked(
    chunks: Iterator[bytes], into: IO[bytes], name: str
) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_ARTIFACT_BYTES:
            raise ArtifactError(
                "artifact.too_big", name=name, limit=MAX_ARTIFACT_BYTES // 2**20
            )
        digest.update(chunk)
        into.write(chunk)
    return digest.hexdigest(), size


class FolderRepository:
    """Artifacts in a folder of batchops' host (a share mounted there, say)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def where(self) -> str:
        return str(self.folder)

    def read_checksum(self, name: str) -> bytes:
        path = self.folder / f"{name}.sha256"
        if not path.is_file():
            raise ArtifactError("artifact.no_checksum", name=name)
        return path.read_bytes()

    def open_artifact(self, name: str) -> Iterator[bytes]:
        path = self.folder / name
        if not path.is_file():
            raise ArtifactError("artifact.missing", name=name, where=self.where())
        with open(path, "rb") as handle:
            yield from iter(lambda: handle.read(CHUNK_BYTES), b"")


class HttpRepository:
    """Artifacts under a base URL, read with Basic credentials when given.

    Credentials go in the ``Authorization`` header only: never in a URL, a
    log line or a reason shown to people.
    """

    def __init__(
        self,
        base_url: str,
        auth: tuple[str, str] | None,
        http: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.http = http or requests.Session()

    def where(self) -> str:
        return self.base_url

    def read_checksum(self, name: str) -> bytes:
        with self._get(f"{name}.sha256", checksum=True) as response:
            return response.raw.read(MAX_CHECKSUM_BYTES, decode_content=True)

    def open_artifact(self, name: str) -> Iterator[bytes]:
        with self._get(name, checksum=False) as response:
            try:
                yield from response.iter_content(CHUNK_BYTES)
            except requests.RequestException as error:
                raise _transport_error(error) from None

    def _get(self, name: str, *, checksum: bool) -> requests.Response:
        url = f"{self.base_url}/{quote(name)}"
        started = time.monotonic()
        try:
            response = self.http.get(
                url, auth=self.auth, stream=True, timeout=HTTP_TIMEOUT
            )
        except requests.RequestException as error:
            log.info("artifact repository GET %s failed: %s", url, type(error).__name__)
            raise _transport_error(error) from None
        log.info(
            "artifact repository GET %s: HTTP %d in %.2f s",
            url,
            response.status_code,
            time.monotonic() - started,
        )
        if response.status_code == 200:
            return response
        response.close()
        raise _status_error(response.status_code, name, checksum, self.where())


def _transport_error(error: requests.RequestException) -> ArtifactError:
    if isinstance(error, requests.Timeout):
        return ArtifactError("artifact.timeout", retryable=True)
    return ArtifactError("artifact.unreachable", retryable=True)


def _status_error(status: int, name: str, checksum: bool, where: str) -> ArtifactError:
    if status in (401, 403):
        return ArtifactError("artifact.refused", status=status)
    if status == 404 and checksum:
        return ArtifactError("artifact.no_checksum", name=name.removesuffix(".sha256"))
    if status == 404:
        return ArtifactError("artifact.missing", name=name, where=where)
    return ArtifactError("artifact.http", retryable=status >= 500, status=status)
