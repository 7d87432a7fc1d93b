"""history: every state change of a batch, newest first."""

from __future__ import annotations

import difflib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cards import Content
from bot.cards import inventory as inventory_cards
from bot.roles import require_role
from bot.router import Context, Refusal, command
from bot.status_changes import change_facts
from bot.store import Batch, Server, StatusChange
from bot.texts import text


@command("history")
def show_history(ctx: Context) -> Content:
    """Show every state change of a batch: when, from, to, who, how and why.

    `history NAME`, typed in Zoom as `/batch history NAME`. A batch of that
    name on several servers shows the history of each.
    """
    require_role(ctx, "viewer")
    name = " ".join(ctx.request.args).strip()
    if not name:
        raise Refusal(text(ctx.lang, "history.usage"))

    settings = ctx.runtime.settings
    with ctx.runtime.store.session() as session:
        batches = session.scalars(
            select(Batch)
            .join(Server)
            .where(func.lower(Batch.name) == name.lower())
            .order_by(Server.name)
        ).all()
        if not batches:
            raise Refusal(_unknown(session, ctx.lang, name))
        facts = [_history(session, batch) for batch in batches]
    return inventory_cards.history_card(settings.lang, settings.zone, facts)


def _history(session: Session, batch: Batch) -> inventory_cards.HistoryFacts:
    total = session.scalar(
        select(func.count()).where(StatusChange.batch_id == batch.id)
    )
    changes = session.scalars(
        select(StatusChange)
        .where(StatusChange.batch_id == batch.id)
        .order_by(StatusChange.changed_at.desc(), StatusChange.id.desc())
        .limit(inventory_cards.MAX_CHANGE_LINES)
    ).all()
    client = batch.client.name if batch.client else None
    return inventory_cards.HistoryFacts(
        batch=batch.name,
        server=batch.server.name,
        client=client,
        state=batch.state,
        changes=[
            change_facts(change, batch.name, batch.server.name, client)
            for change in changes
        ],
        older=(total or 0) - len(changes),
    )


def _unknown(session: Session, lang: str, name: str) -> str:
    names = list(set(session.scalars(select(Batch.name))))
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    said = text(lang, "history.unknown", name=name)
    if close:
        said += " " + text(lang, "unknown.suggest", suggestion=close[0])
    return said
