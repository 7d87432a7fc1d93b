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
CERTIFICATE_ENV_PREFIX = "BATCHOPS_WINRM_CERT_"
CERTIFICATE_KEY_ENV_PREFIX = "BATCHOPS_WINRM_KEY_"


def server_env_name(prefix: str, server_name: str) -> str:
    """``prefix`` + the server name in upper case, every character other than
    a letter or digit turned into ``_``."""
    return prefix + re.sub(r"[^A-Z0-9]", "_", server_name.upper())


def password_env_name(server_name: str) -> str:
    return server_env_name(PASSWORD_ENV_PREFIX, server_name)


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
    if auth == "certificate":
        options.setdefault(
            "certificate_pem", _certificate_path(CERTIFICATE_ENV_PREFIX, server_name)
        )
        options.setdefault(
            "certificate_key_pem",
            _certificate_path(CERTIFICATE_KEY_ENV_PREFIX, server_name),
        )
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


def _certificate_path(prefix: str, server_name: str) -> str:
    variable = server_env_name(prefix, server_name)
    path = os.environ.get(variable)
    if not path:
        raise ValueError(f"{variable} is not set (certificate auth of {server_name})")
    return path
