"""Zoom events, once acknowledged: run the command, send the reply card."""

from __future__ import annotations

import logging
from typing import Any

from bot import router
from bot.messenger import Content
from bot.runtime import Runtime

log = logging.getLogger(__name__)


def request_from_payload(payload: dict[str, Any], text: str) -> router.Request:
    user_jid = payload.get("userJid")
    return router.Request(
        text=text,
        user_id=str(payload.get("userId") or user_jid or "unknown"),
        user_name=str(payload.get("userName") or "unknown"),
        to_jid=reply_jid(payload),
        user_jid=user_jid,
        account_id=payload.get("accountId"),
        channel_name=payload.get("channelName"),
        source="zoom",
        message_id=payload.get("messageId"),
    )


def reply_jid(payload: dict[str, Any]) -> str:
    """Where the answer goes: the channel, or the person in a direct message.

    In a direct message Zoom gives ``toJid`` as ``user@xmpp/robot_…``; the
    part before the slash is the conversation to answer in.
    """
    to_jid = str(payload.get("toJid") or payload.get("userJid") or "")
    return to_jid.split("/", 1)[0]


def handle_command(runtime: Runtime, payload: dict[str, Any]) -> None:
    request = request_from_payload(payload, str(payload.get("cmd") or ""))
    reply = router.dispatch(runtime, request)
    _send(runtime, request, reply)


def handle_action(runtime: Runtime, payload: dict[str, Any]) -> None:
    item = payload.get("actionItem")
    if not isinstance(item, dict) or not isinstance(item.get("value"), str):
        log.warning("button click without an action value ignored")
        return
    value = item["value"]
    request = request_from_payload(payload, value)
    original = payload.get("original")
    if not isinstance(original, dict):
        original = {}
    reply = router.dispatch_action(runtime, request, value, original)
    if reply is None:
        return

    message_id = payload.get("messageId")
    if reply.replaces_original and message_id:
        runtime.messenger.edit(
            str(message_id), request.to_jid, reply.card, user_jid=request.user_jid
        )
    else:
        _send(runtime, request, reply.card)


def _send(runtime: Runtime, request: router.Request, content: Content) -> None:
    runtime.messenger.send(request.to_jid, content, user_jid=request.user_jid)
