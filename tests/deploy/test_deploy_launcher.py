"""The .bat launcher: quoted paths, the code page cmd.exe reads, CRLF."""

from __future__ import annotations

import pytest

from bot.deploy.launcher import build_launcher, cmd_quoted

FOLDER = "D:\\Batchs Clients\\Société Générale\\Import Adhérents"
EXE = FOLDER + "\\Import.Adhérents.exe"


def test_it_quotes_paths_with_spaces_and_accents_in_the_oem_code_page() -> None:
    launcher = build_launcher("RecetteClient", FOLDER, EXE, "mutuelle-horizon.fr")

    data = launcher.data()
    assert launcher.encoding == "cp850"
    # é is 0x82 in code page 850, where Windows-1252 would write 0xE9.
    assert b"Soci\x82t\x82 G\x82n\x82rale\\Import Adh\x82rents" in data
    assert b"\xe9" not in data
    lines = data.decode("cp850").split("\r\n")
    assert lines[-1] == ""
    assert "\n" not in "".join(lines)
    assert lines[:2] == [
        "@echo off",
        "rem Written by batchops at each deploy; do not edit.",
    ]
    assert lines[2:-1] == [
        "setlocal",
        'set "DOTNET_ENVIRONMENT=RecetteClient"',
        'set "ASPNETCORE_ENVIRONMENT=RecetteClient"',
        f'cd /d "{FOLDER}"',
        f'"{EXE}" "mutuelle-horizon.fr" %*',
        "exit /b %ERRORLEVEL%",
    ]


def test_it_doubles_percent_signs_that_cmd_would_expand_inside_quotes() -> None:
    assert cmd_quoted("D:\\Batchs\\100%\\run.exe") == '"D:\\Batchs\\100%%\\run.exe"'

    launcher = build_launcher(
        "Production", "D:\\A%PATH%B", "D:\\A%PATH%B\\x.exe", "a.fr"
    )

    assert 'cd /d "D:\\A%%PATH%%B"' in launcher.lines


def test_it_writes_utf8_after_chcp_when_the_oem_code_page_lacks_a_character() -> None:
    folder = "D:\\Batchs\\Přehled účtů"

    launcher = build_launcher("Production", folder, folder + "\\run.exe", "a.cz")

    data = launcher.data()
    assert launcher.encoding == "utf-8"
    assert data.startswith(b"@echo off\r\nchcp 65001 >nul\r\n")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "Přehled účtů".encode() in data


@pytest.mark.parametrize("domain", ["", "horizon fr", "a&b.fr", "-x.fr", 'a".fr'])
def test_it_refuses_a_domain_that_is_not_one(domain: str) -> None:
    with pytest.raises(ValueError):
        build_launcher("Production", "D:\\A", "D:\\A\\a.exe", domain)
