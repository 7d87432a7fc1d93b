"""watch: each batch's expected runs, its last activity and its watch state."""

from __future__ import annotations

from bot.cards import watch as cards
from bot.router import Content, Context, command
from bot.watch import watch_rows


@command("watch")
def show_watch(ctx: Context) -> Content:
    """Show when each batch is expected to run and whether it did.

    `watch` lists the batches with a schedule or heartbeats; `watch NAME` only
    those whose batch, client or server is NAME. A batch is silent when a due
    run left no heartbeat, no task run and no log line within its grace.
    """
    wanted = " ".join(ctx.request.args) or None
    runtime = ctx.runtime
    rows = watch_rows(runtime, wanted)
    return cards.watch_list_card(ctx.lang, runtime.settings.zone, rows, wanted)
