"""Helpers of the inventory tests: declared servers, cards kept in the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.messenger import render_text
from bot.runtime import Runtime
from bot.store import OutboxMessage, Server, Store
from bot.web import create_app
from tests.conftest import signed_headers
from tests.fakes.zoom_api import FakeZoom
from tests.test_zoom_roundtrip import command_event


def declare_servers(store: Store, *names: str, kind: str = "local") -> None:
    with store.session() as session:
        for name in names:
            session.add(
                Server(
                    name=name,
                    kind=kind,
                    root="/tmp/none" if kind == "local" else None,
                    host="127.0.0.1" if kind == "winrm" else None,
                    task_folder="\\Batchs\\",
                )
            )


def sent_cards(store: Store) -> list[tuple[str, dict[str, Any]]]:
    """Every card kept in the outbox, in order: (to_jid, content)."""
    with store.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.to_jid, row.content) for row in rows]


def cards_to(store: Store, to_jid: str) -> list[str]:
    """The cards sent to ``to_jid``, as the terminal shows them."""
    return [render_text(content) for jid, content in sent_cards(store) if jid == to_jid]


def post_command(runtime: Runtime, zoom_api: FakeZoom, cmd: str, event_ts: int) -> None:
    """Send `cmd` as Zoom would, signed, and wait for the bot to answer."""
    body = command_event(zoom_api, cmd, event_ts)
    now = int(runtime.clock.now().timestamp())
    client = create_app(runtime).test_client()
    response = client.post("/zoom/events", data=body, headers=signed_headers(body, now))
    assert response.status_code == 200
    runtime.worker.drain()
