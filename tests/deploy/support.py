"""Helpers of the deploy tests: archives, a declared estate, Zoom events."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.roles import grant_role
from bot.runtime import Runtime
from bot.store import Client, Server, Store
from bot.web import create_app
from tests.conftest import signed_headers, zoom_event
from tests.fakes.windows import FakeTaskScheduler, FakeWindowsSession
from tests.fakes.zoom_api import FakeZoom
from tests.test_zoom_roundtrip import click_payload as zoom_click_payload
from tests.test_zoom_roundtrip import command_event

BATCH = "ImportContrats"
ARCHIVE = f"{BATCH}-1.0.0.zip"
CONFIG = (
    '<?xml version="1.0" encoding="utf-8"?>\r\n'
    "<configuration>\r\n"
    "  <!-- réglages du batch -->\r\n"
    "  <appSettings>\r\n"
    '    <add key="TestMode" value="false" />\r\n'
    '    <add key="ImportFolder" value="\\\\fichiers\\contrats" />\r\n'
    "  </appSettings>\r\n"
    "</configuration>\r\n"
)
USERS = {
    "U-ALICE": ("Alice Martin", "admin"),
    "U-BOB": ("Bob Durand", "admin"),
    "U-OLGA": ("Olga Petit", "operator"),
    "U-VIC": ("Victor Roux", "viewer"),
}


def archive(files: dict[str, bytes] | None = None) -> bytes:
    """A batch's zip: its executable, its .config and a library."""
    files = files or {
        f"{BATCH}.exe": b"MZ program",
        f"{BATCH}.exe.config": CONFIG.encode(),
        "lib/Contrats.Core.dll": b"MZ library",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as written:
        for name, data in files.items():
            # A fixed date: the same files make the same bytes, at any second.
            written.writestr(zipfile.ZipInfo(name, (2026, 1, 5, 9, 0, 0)), data)
    return buffer.getvalue()


def publish(folder: Path, name: str, data: bytes, checksum: str | None = None) -> str:
    """Put an archive and its ``.sha256`` in a repository folder."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    digest = checksum or hashlib.sha256(data).hexdigest()
    (folder / f"{name}.sha256").write_text(f"{digest}  {path.name}\n")
    return digest


def declare_estate(
    store: Store, now: datetime, pm_jid: str | None = None
) -> dict[str, FakeTaskScheduler]:
    """Two Windows servers, a client with a domain, the users and their roles.

    Returns each server's Task Scheduler, to hand to its fake session.
    """
    with store.session() as session:
        session.add_all(
            [
                Server(
                    name="SRV-RECETTE",
                    kind="winrm",
                    host="127.0.0.1",
                    task_folder="\\Batchs\\",
                    environments=["RecetteInterne", "RecetteClient"],
                ),
                Server(
                    name="SRV-PROD",
                    kind="winrm",
                    host="127.0.0.1",
                    task_folder="\\Batchs\\",
                    environments=["Production"],
                ),
                Client(
                    name="Mutuelle Horizon",
                    domain="mutuelle-horizon.fr",
                    project_manager_name="Claire Martin",
                    project_manager_jid=pm_jid,
                ),
            ]
        )
        for user, (name, role) in USERS.items():
            grant_role(session, user, role, "test", now, name)
    return {"SRV-RECETTE": FakeTaskScheduler(), "SRV-PROD": FakeTaskScheduler()}


def fake_windows(
    runtime: Runtime, schedulers: dict[str, FakeTaskScheduler]
) -> dict[str, FakeWindowsSession]:
    """Route the runtime's sessions to fake Windows servers that keep their
    files and tasks between sessions."""
    fakes = {
        name: FakeWindowsSession(name, scheduler.responses())
        for name, scheduler in schedulers.items()
    }
    runtime.open_session = lambda server: fakes[server.name]
    return fakes


def command_payload(zoom_api: FakeZoom, cmd: str, user: str) -> dict[str, Any]:
    payload = json.loads(command_event(zoom_api, cmd, 0))["payload"]
    return _as_user(payload, user)


def click_payload(
    zoom_api: FakeZoom, value: str, message_id: str, user: str
) -> dict[str, Any]:
    original = zoom_api.message(message_id)["content"]
    payload = zoom_click_payload(zoom_api, value, message_id, original)
    payload.update(robotJid=zoom_api.bot_jid, accountId=zoom_api.account_id)
    return _as_user(payload, user)


def _as_user(payload: dict[str, Any], user: str) -> dict[str, Any]:
    payload.update(
        userId=user,
        userName=USERS[user][0],
        userJid=f"{user.lower()}@xmpp.zoom.us",
    )
    return payload


class ZoomChannel:
    """Talks to the bot as Zoom does: signed events, answered by the worker."""

    def __init__(self, runtime: Runtime, zoom_api: FakeZoom) -> None:
        self.runtime = runtime
        self.zoom_api = zoom_api
        self.client = create_app(runtime).test_client()
        self.event_ts = 1000

    def command(self, cmd: str, user: str = "U-ALICE") -> dict[str, Any]:
        """Type ``cmd``; returns the card the bot answered with."""
        before = len(self.zoom_api.messages)
        self._post("bot_notification", command_payload(self.zoom_api, cmd, user))
        return self.zoom_api.messages[before]["content"]

    def click(self, message_id: str, label: str, user: str = "U-ALICE") -> None:
        """Click the button ``label`` of the card ``message_id`` as it is now."""
        value = button_value(self.card(message_id), label)
        self.click_value(message_id, value, user)

    def click_value(self, message_id: str, value: str, user: str) -> None:
        payload = click_payload(self.zoom_api, value, message_id, user)
        self._post("interactive_message_actions", payload)

    def card(self, message_id: str) -> dict[str, Any]:
        """The card as Zoom shows it now: its last edit, or as sent."""
        edits = [e for e in self.zoom_api.edits if e.message_id == message_id]
        if edits:
            return edits[-1].body["content"]
        return self.zoom_api.message(message_id)["content"]

    def last_message_id(self) -> str:
        return self.zoom_api.message_ids[-1]

    def _post(self, event: str, payload: dict[str, Any]) -> None:
        self.event_ts += 1
        body = zoom_event(event, payload, self.event_ts)
        now = int(self.runtime.clock.now().timestamp())
        response = self.client.post(
            "/zoom/events", data=body, headers=signed_headers(body, now)
        )
        assert response.status_code == 200, response.data
        self.runtime.worker.drain()


def button_value(content: dict[str, Any], label: str) -> str:
    for item in content["body"]:
        for button in item.get("items", []) if item["type"] == "actions" else []:
            if button["text"] == label:
                return str(button["value"])
    raise AssertionError(f"no button {label!r} on the card")


def card_text(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False)
