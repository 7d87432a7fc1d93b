"""inventory: the batches batchops knows, filtered, paged, downloadable."""

from __future__ import annotations

import math
import shlex

from bot.cards import Content
from bot.cards import inventory as inventory_cards
from bot.exports import export_links
from bot.inventory import BadFilter, InventoryFilters, inventory_rows
from bot.roles import require_role
from bot.router import Context, Refusal, action, command
from bot.texts import text
from jobs.task_sync import run_task_sync

PAGE_SIZE = 15


@command("inventory")
def show_inventory(ctx: Context) -> Content:
    """List the inventory's batches, with links to download them as CSV or Excel.

    Filter with words: a server or a client, a category (envoi, import,
    export, purge, tâche récurrente), a state (prêt, inactif, désactivé), an
    environment (RecetteInterne, RecetteClient, Production); or with
    `server=`, `client=`, `category=`, `state=`, `environment=`, for example
    `inventory client="Mutuelle Horizon" state=désactivé`. `page=2` shows the
    second page. `inventory sync [SERVER]` compares the servers' scheduled
    tasks with the inventory now (operators).
    """
    args = ctx.request.args
    if args and args[0].lower() == "sync":
        return sync_tasks(ctx, args[1:])

    require_role(ctx, "viewer")
    page = 1
    words = []
    for word in args:
        key, _, value = word.partition("=")
        if key.lower() == "page" and value.isdigit():
            page = int(value)
        else:
            words.append(word)
    return inventory_page(ctx, words, page)


@action("inventory")
def turn_inventory_page(ctx: Context, argument: str, original: Content) -> Content:
    """A page button: ``inventory:2 client=Horizon`` shows page 2 in place."""
    require_role(ctx, "viewer")
    page, _, words = argument.partition(" ")
    return inventory_page(ctx, shlex.split(words), int(page) if page.isdigit() else 1)


def inventory_page(ctx: Context, words: list[str], page: int) -> Content:
    try:
        filters = InventoryFilters.parse(words)
    except BadFilter as bad:
        raise Refusal(text(ctx.lang, "inventory.bad_filter", word=bad.word)) from None

    runtime = ctx.runtime
    with runtime.store.session() as session:
        rows = inventory_rows(session, filters)
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    csv_url, xlsx_url = export_links(runtime.settings, filters, runtime.clock.now())
    return inventory_cards.inventory_card(
        ctx.lang,
        inventory_cards.InventoryPage(
            rows=shown,
            total=len(rows),
            page=page,
            pages=pages,
            filters=filters.words(),
            csv_url=csv_url,
            xlsx_url=xlsx_url,
        ),
    )


def sync_tasks(ctx: Context, servers: list[str]) -> Content:
    require_role(ctx, "operator")
    report = run_task_sync(ctx.runtime, servers or None)
    lines = [
        text(
            ctx.lang,
            "inventory.sync.done",
            servers=report.servers_read,
            changes=report.changes,
        )
    ]
    if report.unread:
        unread = ", ".join(f"{name} ({why})" for name, why in report.unread.items())
        lines.append(text(ctx.lang, "inventory.sync.unread", servers=unread))
    return inventory_cards.sync_reply_card(ctx.lang, lines)
