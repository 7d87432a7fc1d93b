"""What the demo needs to try a deploy: environments, domains, an archive.

DEMO-ORDO-01 hosts the two acceptance environments and DEMO-ORDO-02
Production; the demo's clients get a domain; and, when artifacts come from
a folder, an archive ``ImportContrats-1.0.0.zip`` with its ``.sha256`` is
laid there. The archive's executable is a stand-in: local folder servers
run nothing, they hold what a deploy writes.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

from sqlalchemy import select

from bot.runtime import Runtime
from bot.store import Client, Server

DEMO_ENVIRONMENTS = {
    "DEMO-ORDO-01": ["RecetteInterne", "RecetteClient"],
    "DEMO-ORDO-02": ["Production"],
}
DEMO_DOMAINS = {
    "Mutuelle Horizon": "mutuelle-horizon.fr",
    "Assurances du Littoral": "assurances-littoral.fr",
}
DEMO_ARTIFACT = "ImportContrats-1.0.0.zip"
DEMO_CONFIG = """<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <!-- Réglages d'ImportContrats ; batchops règle LogFolder et testmode. -->
  <appSettings>
    <add key="LogFolder" value="C:\\Temp" />
    <add key="testmode" value="true" />
    <add key="ImportFolder" value="\\\\fichiers\\contrats\\entrants" />
  </appSettings>
</configuration>
"""


def seed_deploy_demo(runtime: Runtime) -> None:
    with runtime.store.session() as session:
        for name, environments in DEMO_ENVIRONMENTS.items():
            server = session.scalar(select(Server).where(Server.name == name))
            if server is not None:
                server.environments = environments
        for name, domain in DEMO_DOMAINS.items():
            client = session.scalar(select(Client).where(Client.name == name))
            if client is not None and not client.domain:
                client.domain = domain
    if runtime.settings.artifacts_url is None:
        lay_demo_artifact(runtime)


def lay_demo_artifact(runtime: Runtime) -> None:
    folder = runtime.settings.artifacts_dir
    folder.mkdir(parents=True, exist_ok=True)
    data = demo_archive()
    (folder / DEMO_ARTIFACT).write_bytes(data)
    checksum = hashlib.sha256(data).hexdigest()
    (folder / f"{DEMO_ARTIFACT}.sha256").write_text(f"{checksum}  {DEMO_ARTIFACT}\n")


def demo_archive() -> bytes:
    """The same bytes every time, so its checksum does not move."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (
            ("ImportContrats.exe", b"MZ stand-in for the demo\r\n"),
            ("ImportContrats.exe.config", DEMO_CONFIG.replace("\n", "\r\n").encode()),
            ("fr/ImportContrats.resources.dll", b"MZ resources\r\n"),
        ):
            entry = zipfile.ZipInfo(name, date_time=(2026, 1, 5, 9, 0, 0))
            archive.writestr(entry, content)
    return buffer.getvalue()
