"""The buttons of alert cards: acknowledge, silence for 24 h.

Anyone may acknowledge (say "I am on it"); silencing hides an error from the
whole team for a day, so it takes an operator.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from bot import alerts, cards
from bot.roles import require_role
from bot.router import Content, Context, Refusal, action
from bot.texts import text


@action("ack")
def acknowledge_alert(ctx: Context, argument: str, original: Content) -> Content:
    require_role(ctx, "viewer")
    return _handle(ctx, argument, original, alerts.acknowledge, "alert.acked")


@action("silence")
def silence_alert(ctx: Context, argument: str, original: Content) -> Content:
    require_role(ctx, "operator")
    return _handle(ctx, argument, original, alerts.silence, "alert.silenced")


def _handle(
    ctx: Context,
    argument: str,
    original: Content,
    change: Callable[[Session, int, str, datetime], bool],
    note: str,
) -> Content:
    if not argument.isdigit():
        raise Refusal(text(ctx.lang, "alert.gone"))

    runtime = ctx.runtime
    now = runtime.clock.now()
    with runtime.store.session() as session:
        found = change(session, int(argument), ctx.request.user_name, now)
    if not found:
        raise Refusal(text(ctx.lang, "alert.gone"))

    when = cards.local_time(now, runtime.settings.zone, ctx.lang)
    return cards.alert_handled(
        original, text(ctx.lang, note, user=ctx.request.user_name, when=when)
    )
