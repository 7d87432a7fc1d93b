"""Open the right session for a server of the inventory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from integrations.session import RemoteError, ServerSession

if TYPE_CHECKING:
    from bot.store import Server

SERVER_KINDS = ("local", "winrm")


def open_server_session(server: Server) -> ServerSession:
    """A session for ``server``: a local folder or a Windows host."""
    if server.kind == "local":
        from integrations.local_folder import LocalFolderSession

        if not server.root:
            raise RemoteError(f"server {server.name} has no folder", retryable=False)
        return LocalFolderSession(server.name, Path(server.root))
    if server.kind == "winrm":
        return _open_windows(server)
    raise RemoteError(
        f"server {server.name} has an unknown kind {server.kind!r}", retryable=False
    )


def _open_windows(server: Server) -> ServerSession:
    from integrations.windows import open_winrm_session

    if not server.host:
        raise RemoteError(f"server {server.name} has no host", retryable=False)
    try:
        return open_winrm_session(
            server.name,
            server.host,
            port=server.port or 5986,
            username=server.username or "",
            auth=server.auth or "negotiate",
            ssl=server.use_ssl,
            cert_validation=server.cert_validation,
        )
    except ValueError as error:
        raise RemoteError(str(error), retryable=False) from None
