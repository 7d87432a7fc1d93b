"""``batchops plans`` and ``batchops servers environments``.

``plans click`` presses a plan's button from the terminal: it hands the very
value the card's button carries (the same signed token) to the same handler
Zoom's clicks reach, as the user given with ``--as``, so everything a deploy
does can be tried without Zoom. Cards then go to the outbox and the terminal.
"""

from __future__ import annotations

import getpass

import click
from sqlalchemy import func, select

from bot.plans import ACTIONS, button_value, load_plan
from bot.runtime import Runtime
from bot.store import ENVIRONMENTS, ActionPlan, Server

TERMINAL = "terminal"


@click.group()
def plans() -> None:
    """Deploy, disable and enable plans waiting for their buttons."""


@plans.command("list")
@click.option("--all", "show_all", is_flag=True, help="Plans of every status.")
def plans_list(show_all: bool) -> None:
    """The pending plans (all of them with --all), newest first."""
    from bot.cli import load_runtime, out

    runtime = load_runtime()
    query = select(ActionPlan).order_by(ActionPlan.created_at.desc())
    if not show_all:
        query = query.where(ActionPlan.status == "pending")
    zone = runtime.settings.zone
    now = runtime.clock.now()
    with runtime.store.session() as session:
        for plan in session.scalars(query.limit(50)):
            until = plan.expires_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
            expired = plan.status == "pending" and plan.expires_at <= now
            status = "expired" if expired else plan.status
            out(
                f"{plan.id}\t{plan.kind}\t{plan.batch}\t{plan.server}\t"
                f"{status}\t{plan.requested_name}\t{until}"
            )


@plans.command("click")
@click.argument("action", type=click.Choice(ACTIONS))
@click.argument("plan_id", required=False)
@click.option(
    "--as",
    "user",
    default=getpass.getuser,
    show_default="your login name",
    help="The Zoom user id who clicks, with that user's role.",
)
def plans_click(action: str, plan_id: str | None, user: str) -> None:
    """Press ACTION (confirm, cancel, second) on a plan's card, by default
    on the newest pending plan."""
    from bot.cli import load_runtime, out
    from bot.events import handle_action

    runtime = load_runtime(echo_cards=True)
    if runtime.settings.zoom_enabled:
        raise click.ClickException(
            "Zoom is configured: click the buttons of the card in Zoom"
        )
    plan = load_plan(runtime, plan_id) if plan_id else _newest_pending(runtime)
    if plan is None:
        raise click.ClickException("no such pending plan: batchops plans list")

    payload = {
        "actionItem": {"value": button_value(runtime.settings, plan, action)},
        "messageId": f"{TERMINAL}-{plan.id}",
        "toJid": TERMINAL,
        "userId": user,
        "userName": user,
    }
    handle_action(runtime, payload)
    after = load_plan(runtime, plan.id)
    out(f"Plan {plan.id}: {after.status if after else 'gone'}")


def _newest_pending(runtime: Runtime) -> ActionPlan | None:
    with runtime.store.session() as session:
        found = session.scalar(
            select(ActionPlan.id)
            .where(ActionPlan.status == "pending")
            .order_by(ActionPlan.created_at.desc())
            .limit(1)
        )
    return load_plan(runtime, found) if found else None


@click.command("environments")
@click.argument("server")
@click.argument("environments", nargs=-1, type=click.Choice(ENVIRONMENTS))
def server_environments(server: str, environments: tuple[str, ...]) -> None:
    """Say which ENVIRONMENTS deploys may target on SERVER; none for any.

    A deploy to an environment goes to the one server hosting it, unless the
    batch has a copy in that environment already or another server is named.
    """
    from bot.cli import load_runtime, out

    runtime = load_runtime()
    with runtime.store.session() as session:
        found = session.scalar(
            select(Server).where(func.lower(Server.name) == server.lower())
        )
        if found is None:
            raise click.ClickException(f"no server {server}: batchops servers list")
        found.environments = list(environments) or None
        hosted = ", ".join(environments) or "any environment"
        out(f"{found.name} hosts {hosted}")
