"""The ``.bat`` launcher a deploy writes beside the batch's executable.

It sets ``DOTNET_ENVIRONMENT`` and ``ASPNETCORE_ENVIRONMENT`` to the
environment, moves to the execution folder and runs the executable by its
full quoted path with the client's domain as first argument; the batch's
exit code is the task's result.

cmd.exe reads a batch file in the console's code page, which is the OEM code
page of the server: 850 on French Windows. So a launcher is written in
cp850 with CRLF line ends; a path holding a character cp850 lacks makes it
UTF-8 instead, with ``chcp 65001`` first (the line is ASCII, so it reads
the same before the switch). A path is always quoted, and its ``%`` doubled:
cmd expands ``%`` even inside quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OEM_CODE_PAGE = "cp850"
DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")


@dataclass(frozen=True)
class Launcher:
    lines: tuple[str, ...]
    encoding: str

    def data(self) -> bytes:
        return ("\r\n".join(self.lines) + "\r\n").encode(self.encoding)


def cmd_quoted(value: str) -> str:
    """``value`` as one quoted word of a batch file."""
    return '"' + value.replace("%", "%%") + '"'


def build_launcher(
    environment: str, folder: str, executable: str, domain: str
) -> Launcher:
    """The launcher of ``executable`` (a full Windows path) in ``folder``."""
    if not DOMAIN.match(domain):
        raise ValueError(f"not a domain name: {domain!r}")
    body = [
        "setlocal",
        f"set {cmd_quoted('DOTNET_ENVIRONMENT=' + environment)}",
        f"set {cmd_quoted('ASPNETCORE_ENVIRONMENT=' + environment)}",
        f"cd /d {cmd_quoted(folder)}",
        f"{cmd_quoted(executable)} {cmd_quoted(domain)} %*",
        "exit /b %ERRORLEVEL%",
    ]
    head = ["@echo off", "rem Written by batchops at each deploy; do not edit."]
    try:
        "\n".join(body).encode(OEM_CODE_PAGE)
    except UnicodeEncodeError:
        return Launcher(tuple([head[0], "chcp 65001 >nul", *head[1:], *body]), "utf-8")
    return Launcher(tuple(head + body), OEM_CODE_PAGE)
