"""ping: a batch's heartbeat URL and the PowerShell lines that call it."""

from __future__ import annotations

from bot.cards import watch as cards
from bot.heartbeats import ping_url
from bot.router import Content, Context, Refusal, command
from bot.texts import text
from bot.watch import batches_named


@command("ping")
def show_ping(ctx: Context) -> Content:
    """Show a batch's heartbeat URL and the lines to paste into its .ps1 script.

    `ping NAME` (or `ping SERVER/NAME`). The script then reports its start,
    its end and its exit code; a failure, or a start without an end within
    the run limit, raises an alert, and so does a due run that never came.
    """
    name = " ".join(ctx.request.args)
    if not name:
        raise Refusal(text(ctx.lang, "ping.usage"))

    runtime = ctx.runtime
    with runtime.store.session() as session:
        found = batches_named(session, name)
        if not found:
            raise Refusal(text(ctx.lang, "ping.unknown", name=name))
        if len(found) > 1:
            choices = ", ".join(f"{b.server.name}/{b.name}" for b in found)
            raise Refusal(text(ctx.lang, "ping.ambiguous", name=name, choices=choices))
        batch = found[0]
        url = ping_url(runtime.settings.public_base_url, batch)
        batch_name = batch.name
    return cards.ping_card(ctx.lang, batch_name, url)
