"""What an archive holds, and the .config keys a deploy sets."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from bot.deploy.package import PackageError, inspect_package, set_app_settings
from tests.deploy.support import CONFIG, archive

SETTINGS = {"LogFolder": "D:\\Logs\\Import Adhérents", "testmode": "true"}


def layout_of(tmp_path: Path, files: dict[str, bytes], batch: str = "Import"):  # type: ignore[no-untyped-def]
    path = tmp_path / "a.zip"
    path.write_bytes(archive(files))
    return inspect_package(path, batch)


def test_it_finds_the_executable_and_its_config(tmp_path: Path) -> None:
    layout = layout_of(
        tmp_path,
        {
            "Import-2.1/Import.exe": b"MZ",
            "Import-2.1/Import.exe.config": b"<configuration/>",
            "Import-2.1/Import.dll.config": b"<configuration/>",
            "Import-2.1/tools/Helper.exe": b"MZ",
        },
    )

    assert (layout.executable, layout.config, layout.files) == (
        "Import-2.1/Import.exe",
        "Import-2.1/Import.exe.config",
        4,
    )


def test_it_takes_the_executable_named_after_the_batch_among_several(
    tmp_path: Path,
) -> None:
    files = {"Import.exe": b"MZ", "Updater.exe": b"MZ", "Import.dll.config": b"<c/>"}

    layout = layout_of(tmp_path, files)

    assert (layout.executable, layout.config) == ("Import.exe", "Import.dll.config")
    with pytest.raises(PackageError) as refused:
        layout_of(tmp_path, files, batch="Export")
    assert refused.value.key == "package.many_executables"


@pytest.mark.parametrize(
    ("files", "key"),
    [
        ({"../Import.exe": b"MZ"}, "package.unsafe"),
        ({"C:/Windows/Import.exe": b"MZ"}, "package.unsafe"),
        ({"readme.txt": b"x"}, "package.no_executable"),
        (
            {"Import.exe": b"MZ", "a.config": b"x", "b.config": b"y"},
            "package.no_config",
        ),
    ],
)
def test_it_refuses_an_archive_it_cannot_deploy(
    tmp_path: Path, files: dict[str, bytes], key: str
) -> None:
    with pytest.raises(PackageError) as refused:
        layout_of(tmp_path, files)

    assert refused.value.key == key


def test_it_refuses_a_file_that_is_no_zip(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(b"PK not really")

    with pytest.raises(PackageError) as refused:
        inspect_package(path, "Import")

    assert refused.value.key == "package.not_zip"


def test_it_sets_keys_keeping_comments_spelling_bom_and_crlf() -> None:
    data = codecs.BOM_UTF8 + CONFIG.encode()

    edited = set_app_settings(data, SETTINGS)

    assert edited.startswith(
        codecs.BOM_UTF8 + b'<?xml version="1.0" encoding="utf-8"?>'
    )
    text = edited[3:].decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")
    assert "<!-- réglages du batch -->" in text
    assert '<add key="TestMode" value="true" />' in text
    assert '<add key="LogFolder" value="D:\\Logs\\Import Adhérents" />' in text
    assert '<add key="ImportFolder" value="\\\\fichiers\\contrats" />' in text
    assert (
        '    <add key="ImportFolder" value="\\\\fichiers\\contrats" />\r\n'
        '    <add key="LogFolder"'
    ) in text


def test_it_adds_app_settings_to_a_config_without_them() -> None:
    data = b"<configuration>\n  <startup />\n</configuration>\n"

    text = set_app_settings(data, {"testmode": "false"}).decode()

    assert text == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<configuration>\n"
        "  <startup />\n"
        "  <appSettings>\n"
        '    <add key="testmode" value="false" />\n'
        "  </appSettings>\n"
        "</configuration>\n"
    )


@pytest.mark.parametrize("encoding", ["utf-16", "windows-1252"])
def test_it_writes_back_in_the_encoding_the_file_declares(encoding: str) -> None:
    source = CONFIG.replace("utf-8", encoding)
    data = source.encode(encoding)

    edited = set_app_settings(data, SETTINGS)

    assert edited.startswith(data[:2] if encoding == "utf-16" else b"<?xml")
    assert "Import Adhérents" in edited.decode(encoding)


@pytest.mark.parametrize(
    "data", [b"<configuration><appSettings>", b"<settings/>", b"not xml"]
)
def test_it_refuses_a_config_it_cannot_read(data: bytes) -> None:
    with pytest.raises(PackageError) as refused:
        set_app_settings(data, SETTINGS)

    assert refused.value.key == "package.bad_config"
