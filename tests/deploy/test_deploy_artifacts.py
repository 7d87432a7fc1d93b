"""Artifacts from an HTTP repository (a real server on 127.0.0.1) or a folder,
checked against their checksum before anything else sees them."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from bot.config import Settings
from bot.deploy.artifacts import (
    ArtifactError,
    FolderRepository,
    HttpRepository,
    fetch_artifact,
    read_checksum,
    repository_from,
)
from tests.deploy.support import ARCHIVE, archive, publish

USER, PASSWORD = "deployer", "s3cret-artifacts-password"


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class ArtifactServer:
    """A repository of archives behind Basic auth, on a free loopback port."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.status: int | None = None
        self._server = make_server("127.0.0.1", 0, self._wsgi, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}/releases"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}
        )
        self._thread.daemon = True

    def _wsgi(self, environ, start_response):  # type: ignore[no-untyped-def]
        request = Request(environ)
        self.requests.append(request.path)
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (USER, PASSWORD):
            return Response(status=401)(environ, start_response)
        if self.status is not None:
            return Response(status=self.status)(environ, start_response)
        name = request.path.removeprefix("/releases/")
        if name not in self.files:
            return Response(status=404)(environ, start_response)
        return Response(self.files[name])(environ, start_response)

    def publish(self, name: str, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.files[name] = data
        self.files[f"{name}.sha256"] = f"{digest.upper()}\r\n".encode()
        return digest


@pytest.fixture
def server() -> Iterator[ArtifactServer]:
    found = ArtifactServer()
    found._thread.start()
    yield found
    found._server.shutdown()
    found._server.server_close()


def test_it_fetches_an_archive_over_http_with_its_credentials(
    server: ArtifactServer, tmp_path: Path
) -> None:
    digest = server.publish("import/ImportContrats 1.0.zip", archive())
    repository = HttpRepository(server.url, (USER, PASSWORD))

    fetched = fetch_artifact(
        repository, "import/ImportContrats 1.0.zip", None, tmp_path
    )

    assert fetched.sha256 == digest
    assert fetched.path == tmp_path / f"{digest}.zip"
    assert fetched.path.read_bytes() == archive()
    assert server.requests == [
        "/releases/import/ImportContrats 1.0.zip.sha256",
        "/releases/import/ImportContrats 1.0.zip",
    ]


def test_it_takes_a_checked_archive_from_the_cache(
    server: ArtifactServer, tmp_path: Path
) -> None:
    digest = server.publish(ARCHIVE, archive())
    repository = HttpRepository(server.url, (USER, PASSWORD))
    fetch_artifact(repository, ARCHIVE, digest, tmp_path)

    fetch_artifact(repository, ARCHIVE, digest, tmp_path)

    assert server.requests == [f"/releases/{ARCHIVE}"]


def test_it_refuses_an_archive_that_does_not_match_its_checksum(
    server: ArtifactServer, tmp_path: Path
) -> None:
    server.publish(ARCHIVE, archive())
    server.files[ARCHIVE] = archive({"ImportContrats.exe": b"MZ tampered"})
    repository = HttpRepository(server.url, (USER, PASSWORD))

    with pytest.raises(ArtifactError) as refused:
        fetch_artifact(repository, ARCHIVE, None, tmp_path)

    assert refused.value.key == "artifact.mismatch"
    assert "does not match its SHA-256" in refused.value.text("en")
    assert list(tmp_path.iterdir()) == []


def test_it_says_the_credentials_were_refused_without_showing_them(
    server: ArtifactServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.publish(ARCHIVE, archive())
    repository = HttpRepository(server.url, (USER, "wrong-password"))

    with caplog.at_level(logging.DEBUG), pytest.raises(ArtifactError) as refused:
        fetch_artifact(repository, ARCHIVE, None, tmp_path)

    said = refused.value.text("en")
    assert "refuses access (HTTP 401)" in said
    assert "wrong-password" not in said + caplog.text
    assert USER not in said + caplog.text
    assert "artifact repository GET" in caplog.text


@pytest.mark.parametrize(
    ("status", "key", "retryable"),
    [(404, "artifact.no_checksum", False), (503, "artifact.http", True)],
)
def test_it_maps_http_failures_to_reasons(
    server: ArtifactServer, tmp_path: Path, status: int, key: str, retryable: bool
) -> None:
    if status != 404:
        server.status = status
    repository = HttpRepository(server.url, (USER, PASSWORD))

    with pytest.raises(ArtifactError) as refused:
        fetch_artifact(repository, ARCHIVE, None, tmp_path)

    assert (refused.value.key, refused.value.retryable) == (key, retryable)


def test_it_says_the_repository_does_not_answer(tmp_path: Path) -> None:
    closed = make_server("127.0.0.1", 0, lambda environ, start: [])
    url = f"http://127.0.0.1:{closed.server_port}"
    closed.server_close()

    with pytest.raises(ArtifactError) as refused:
        fetch_artifact(HttpRepository(url, None), ARCHIVE, "a" * 64, tmp_path)

    assert (refused.value.key, refused.value.retryable) == (
        "artifact.unreachable",
        True,
    )


def test_it_fetches_from_a_folder_with_a_checksum_given_in_the_command(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / ARCHIVE).write_bytes(archive())
    digest = hashlib.sha256(archive()).hexdigest()
    repository = FolderRepository(folder)

    with pytest.raises(ArtifactError) as missing:
        fetch_artifact(repository, ARCHIVE, None, tmp_path / "cache")
    fetched = fetch_artifact(repository, ARCHIVE, digest, tmp_path / "cache")

    assert missing.value.key == "artifact.no_checksum"
    assert fetched.sha256 == digest


@pytest.mark.parametrize(
    "content",
    [
        "{digest}  ImportContrats-1.0.0.zip\n",
        "{DIGEST}\r\n",
        "SHA256 (ImportContrats-1.0.0.zip) = {digest}\n",
        "\ufeffAlgorithm Hash Path\r\n--------- ---- ----\r\n"
        "SHA256 {DIGEST} D:\\out\\ImportContrats-1.0.0.zip\r\n",
        "{other}  ImportContrats-0.9.0.zip\n{digest}  ImportContrats-1.0.0.zip\n",
    ],
)
def test_it_reads_checksum_files_as_tools_write_them(
    tmp_path: Path, content: str
) -> None:
    digest, other = "ab" * 32, "cd" * 32
    (tmp_path / f"{ARCHIVE}.sha256").write_text(
        content.format(digest=digest, DIGEST=digest.upper(), other=other),
        encoding="utf-8",
    )

    assert read_checksum(FolderRepository(tmp_path), ARCHIVE) == digest


@pytest.mark.parametrize(
    "name",
    ["../etc/passwd.zip", "/abs/a.zip", "a\\b.zip", "a/./b.zip", "notes.txt", ""],
)
def test_it_refuses_names_outside_the_repository(tmp_path: Path, name: str) -> None:
    publish(tmp_path, ARCHIVE, archive())

    with pytest.raises(ArtifactError) as refused:
        fetch_artifact(FolderRepository(tmp_path), name, "a" * 64, tmp_path / "c")

    assert refused.value.key == "artifact.bad_name"


def test_it_picks_the_repository_the_settings_name(tmp_path: Path) -> None:
    over_http = Settings.from_env(
        {
            "BATCHOPS_ARTIFACTS_URL": "https://127.0.0.1:9/releases/",
            "BATCHOPS_ARTIFACTS_USER": USER,
            "BATCHOPS_ARTIFACTS_PASSWORD": PASSWORD,
        },
        var_dir=tmp_path,
    )
    in_folder = Settings.from_env({}, var_dir=tmp_path)

    http = repository_from(over_http)
    assert isinstance(http, HttpRepository)
    assert http.where() == "https://127.0.0.1:9/releases"
    assert PASSWORD not in repr(over_http)
    folder = repository_from(in_folder)
    assert isinstance(folder, FolderRepository)
    assert folder.where() == str(tmp_path / "artifacts")
