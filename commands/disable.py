"""disable and enable: turn a batch's scheduled task off or on, confirmed
with buttons."""

from __future__ import annotations

from bot.cards.deploy import nothing_to_do_card
from bot.deploy.confirm import propose
from bot.deploy.planning import NothingToDo, plan_state_change
from bot.roles import require_role
from bot.router import Content, Context, command


@command("disable")
def disable(ctx: Context) -> Content:
    """Disable a batch's scheduled task, after a preview you confirm.

    `disable BATCH [reason]`, or `disable SERVER/BATCH [reason]` when two
    servers have a batch of that name (operators). The state change is
    recorded with the reason and told to the client's project manager.
    A batch already disabled is left as it is.
    """
    return _change_state(ctx, enable=False)


@command("enable")
def enable(ctx: Context) -> Content:
    """Enable a batch's scheduled task again, after a preview you confirm.

    `enable BATCH` or `enable SERVER/BATCH` (operators).
    """
    return _change_state(ctx, enable=True)


def _change_state(ctx: Context, enable: bool) -> Content:
    require_role(ctx, "operator")
    try:
        proposal = plan_state_change(ctx.runtime, ctx.lang, ctx.request.args, enable)
    except NothingToDo as nothing:
        return nothing_to_do_card(ctx.lang, str(nothing))
    return propose(ctx, proposal)
