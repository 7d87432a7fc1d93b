"""Where cards go: Zoom when it is configured, the local outbox otherwise."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from bot.clock import Clock
from bot.store import OutboxMessage, Store

log = logging.getLogger(__name__)

Content = dict[str, Any]


class Messenger(Protocol):
    def send(
        self, to_jid: str, content: Content, *, user_jid: str | None = None
    ) -> str:
        """Post a card; returns its message id."""
        ...

    def edit(
        self,
        message_id: str,
        to_jid: str,
        content: Content,
        *,
        user_jid: str | None = None,
    ) -> None:
        """Replace a card already posted."""
        ...


class OutboxMessenger:
    """Keeps every card in the outbox table and shows it on the terminal."""

    def __init__(
        self, store: Store, clock: Clock, echo: Callable[[str], None] | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.echo = echo

    def send(
        self, to_jid: str, content: Content, *, user_jid: str | None = None
    ) -> str:
        message_id = uuid.uuid4().hex
        self._keep("send", message_id, to_jid, content, user_jid)
        return message_id

    def edit(
        self,
        message_id: str,
        to_jid: str,
        content: Content,
        *,
        user_jid: str | None = None,
    ) -> None:
        self._keep("edit", message_id, to_jid, content, user_jid)

    def _keep(
        self,
        action: str,
        message_id: str,
        to_jid: str,
        content: Content,
        user_jid: str | None,
    ) -> None:
        with self.store.session() as session:
            session.add(
                OutboxMessage(
                    created_at=self.clock.now(),
                    action=action,
                    message_id=message_id,
                    to_jid=to_jid,
                    user_jid=user_jid,
                    content=content,
                )
            )
        log.info("card kept in outbox: %s to %s", action, to_jid)
        if self.echo is not None:
            self.echo(render_text(content))


class ZoomMessenger:
    """Sends cards through the Zoom API client."""

    def __init__(self, client: Any, default_user_jid: str | None = None) -> None:
        self.client = client
        self.default_user_jid = default_user_jid

    def send(
        self, to_jid: str, content: Content, *, user_jid: str | None = None
    ) -> str:
        message_id: str = self.client.send_card(to_jid, content, user_jid=user_jid)
        return message_id

    def edit(
        self,
        message_id: str,
        to_jid: str,
        content: Content,
        *,
        user_jid: str | None = None,
    ) -> None:
        self.client.edit_card(message_id, to_jid, content, user_jid=user_jid)


def render_text(content: Content) -> str:
    """A card as plain text, for the terminal."""
    lines = []
    head = content.get("head", {})
    if head.get("text"):
        lines.append(f"== {head['text']}")
    if head.get("sub_head", {}).get("text"):
        lines.append(head["sub_head"]["text"])
    for item in content.get("body", []):
        lines.extend(_render_item(item))
    return "\n".join(lines)


def _render_item(item: dict[str, Any]) -> list[str]:
    kind = item.get("type")
    if kind == "message":
        return [str(item.get("text", ""))]
    if kind == "fields":
        return [f"  {f['key']}: {f['value']}" for f in item.get("items", [])]
    if kind == "actions":
        buttons = "  ".join(f"[{b['text']}]" for b in item.get("items", []))
        return [buttons]
    if kind == "section":
        return [
            line
            for section in item.get("sections", [])
            for line in _render_item(section)
        ]
    if kind == "attachments":
        return [f"  (image) {item.get('img_url') or item.get('resource_url')}"]
    if kind == "divider":
        return ["  " + "-" * 40]
    return [json.dumps(item, ensure_ascii=False)]
