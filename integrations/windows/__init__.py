"""Windows servers: PowerShell remoting, its scripts, and Task Scheduler.

A server's password never sits in configuration files or the store: it is
read from an environment variable named after the server, see
``password_env_name``.
"""

from __future__ import annotations

import os
import re
from typing import Any

from integrations.windows.remoting import WinRMSession

__all__ = ["WinRMSession", "open_winrm_session", "password_env_name"]

PASSWORD_ENV_PREFIX = "BATCHOPS_WINRM_PASSWORD_"


def password_env_name(server_name: str) -> str:
    """``BATCHOPS_WINRM_PASSWORD_`` + the server name in upper case, every
    character other than a letter or digit turned into ``_``."""
    return PASSWORD_ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", server_name.upper())


def open_winrm_session(
    server_name: str,
    host: str,
    port: int = 5986,
    username: str = "",
    auth: str = "negotiate",
    ssl: bool = True,
    cert_validation: bool = True,
    password_env: str | None = None,
    **options: Any,
) -> WinRMSession:
    """A session to a Windows server, its password taken from the environment.

    ``password_env`` names the variable; by default ``password_env_name``.
    Certificate authentication needs no password; Kerberos may use the
    process's ticket when the variable is unset.
    """
    variable = password_env or password_env_name(server_name)
    password = os.environ.get(variable)
    if password is None and auth in ("negotiate", "ntlm"):
        raise ValueError(f"{variable} is not set (password of server {server_name})")
    return WinRMSession(
        server_name,
        host,
        port=port,
        username=username,
        password=password,
        auth=auth,
        ssl=ssl,
        cert_validation=cert_validation,
        **options,
    )
