"""deploy: put a batch on a server in an environment, confirmed with buttons.

The buttons of every plan's card (deploy, disable, enable) are handled here.
"""

from __future__ import annotations

from bot.deploy.confirm import handle_button, propose
from bot.deploy.planning import plan_deploy, read_deploy_words
from bot.plans import BUTTON_PREFIX
from bot.roles import require_role
from bot.router import Content, Context, action, command


@command("deploy")
def deploy(ctx: Context) -> Content:
    """Deploy a batch to an environment, after a preview you confirm.

    `deploy BATCH to ENVIRONMENT [on SERVER] [ARCHIVE.zip] [SCHEDULE]
    [client="NAME"] [category=CATEGORY] [sha256=CHECKSUM]` (admins).
    Environments go RecetteInterne, RecetteClient, then Production; a batch
    reaches Production only after its RecetteClient copy ran, with the same
    archive, and a second admin confirms it. SCHEDULE is `daily 02:30`,
    `weekly mon,thu 06:00`, `monthly 1,15 03:00` or `monthly last 23:00`.
    A promotion takes the archive and schedule of the environment before.
    The card lists every step and its server: folders, archive and checksum,
    `.config` keys, `.bat` launcher, scheduled task, inventory row.
    """
    require_role(ctx, "admin")
    runtime = ctx.runtime
    today = runtime.clock.now().astimezone(runtime.settings.zone).date()
    words = read_deploy_words(ctx.lang, ctx.request.args, today)
    return propose(ctx, plan_deploy(runtime, words, ctx.lang))


@action(BUTTON_PREFIX)
def plan_button(ctx: Context, argument: str, original: Content) -> Content:
    """Confirm, cancel, or confirm as a second admin, a plan's card."""
    return handle_button(ctx, argument)
