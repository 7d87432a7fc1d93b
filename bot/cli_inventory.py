"""``batchops inventory``, ``batchops users`` and ``batchops clients``.

These run on the host, with its database: they are not checked against roles.
``bot.cli`` mounts these groups, so it is imported inside the commands.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from sqlalchemy import select

from bot.deploy.launcher import DOMAIN
from bot.inventory import BadFilter, InventoryFilters, inventory_rows
from bot.inventory_file import InventoryFileError, write_csv, write_xlsx
from bot.inventory_import import import_inventory
from bot.roles import DEFAULT_ROLE, grant_role, granted_users, revoke_role
from bot.runtime import Runtime
from bot.status_changes import NoticeReport, notify_status_changes
from bot.store import ROLES, Client
from bot.texts import text


@click.group()
def inventory() -> None:
    """The batch inventory: import, export, sync with the servers."""


@inventory.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Import the good rows and list the bad ones (default: all or nothing).",
)
@click.option(
    "--as", "who", default=getpass.getuser, help="Who the changes are recorded as."
)
def inventory_import(file: Path, skip_bad_rows: bool, who: str) -> None:
    """Import the team's spreadsheet (.xlsx or .csv, French or English headers)."""
    from bot.cli import load_runtime, out

    runtime = load_runtime()
    lang = runtime.settings.lang
    try:
        with runtime.store.session() as session:
            report = import_inventory(
                session,
                file,
                who=who,
                now=runtime.clock.now(),
                lang=lang,
                skip_bad_rows=skip_bad_rows,
            )
    except InventoryFileError as error:
        raise click.ClickException(error.problem.text(lang)) from None

    for problem in report.problems:
        out(problem.text(lang))
    if report.problems and not skip_bad_rows:
        raise click.ClickException(
            text(lang, "import.refused", count=len(report.problems))
        )
    if report.problems:
        out(text(lang, "import.skipped", count=len(report.problems)))
    out(
        text(
            lang,
            "import.done",
            name=report.name,
            rows=report.imported,
            created=report.created,
            changes=report.changes,
        )
    )
    _told(runtime, notify_status_changes(runtime))


def _told(runtime: Runtime, report: NoticeReport) -> None:
    from bot.cli import out

    lang = runtime.settings.lang
    if report.messages_sent:
        out(text(lang, "notice.sent", messages=report.messages_sent))
    if report.failures:
        out(text(lang, "notice.failed", failures="; ".join(report.failures)))


@inventory.command("export")
@click.argument("filters", nargs=-1)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "xlsx"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--headers",
    type=click.Choice(["fr", "en"]),
    default="fr",
    show_default=True,
    help="Language of the headers, words and dates.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Where to write ('-' for standard output); default inventaire-DATE.EXT.",
)
def inventory_export(
    filters: tuple[str, ...], file_format: str, headers: str, output: Path | None
) -> None:
    """Write the inventory in the team's format; FILTERS as in /inventory."""
    from bot.cli import load_runtime, out

    runtime = load_runtime()
    try:
        chosen = InventoryFilters.parse(filters)
    except BadFilter as bad:
        raise click.UsageError(
            text(runtime.settings.lang, "inventory.bad_filter", word=bad.word)
        ) from None
    with runtime.store.session() as session:
        rows = inventory_rows(session, chosen)
    if file_format == "xlsx":
        data = write_xlsx(rows, headers)
    else:
        data = write_csv(rows, headers)

    if str(output) == "-":
        sys.stdout.buffer.write(data)
        return
    day = runtime.clock.now().astimezone(runtime.settings.zone).date()
    path = output or Path(f"inventaire-{day.isoformat()}.{file_format}")
    path.write_bytes(data)
    out(text(runtime.settings.lang, "export.done", count=len(rows), path=path))


@inventory.command("sync")
@click.argument("servers", nargs=-1)
def inventory_sync(servers: tuple[str, ...]) -> None:
    """Compare the Windows servers' scheduled tasks with the inventory now."""
    from bot.cli import load_runtime, out
    from jobs.task_sync import run_task_sync

    runtime = load_runtime()
    lang = runtime.settings.lang
    report = run_task_sync(runtime, list(servers) or None)
    out(
        text(
            lang,
            "inventory.sync.done",
            servers=report.servers_read,
            changes=report.changes,
        )
    )
    if report.unread:
        unread = ", ".join(f"{name} ({why})" for name, why in report.unread.items())
        out(text(lang, "inventory.sync.unread", servers=unread))
    _told(runtime, report.notices)


@click.group()
def users() -> None:
    """Roles of Zoom users: viewer, operator, admin."""


@users.command("grant")
@click.argument("user")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--name", help="The person's name, to recognise them in the list.")
def users_grant(user: str, role: str, name: str | None) -> None:
    """Give USER (a Zoom user id or JID) ROLE."""
    from bot.cli import load_runtime, out

    runtime = load_runtime()
    with runtime.store.session() as session:
        grant_role(session, user, role, getpass.getuser(), runtime.clock.now(), name)
    lang = runtime.settings.lang
    out(text(lang, "users.granted", user=user, role=text(lang, f"role.{role}")))


@users.command("revoke")
@click.argument("user")
def users_revoke(user: str) -> None:
    """Take back USER's role: they are a viewer again."""
    from bot.cli import load_runtime, out

    runtime = load_runtime()
    with runtime.store.session() as session:
        revoked = revoke_role(session, user)
    lang = runtime.settings.lang
    if not revoked:
        raise click.ClickException(text(lang, "users.unknown", user=user))
    out(text(lang, "users.revoked", user=user, role=text(lang, f"role.{DEFAULT_ROLE}")))


@users.command("list")
def users_list() -> None:
    """The users with a granted role."""
    from bot.cli import load_runtime, out

    runtime = load_runtime()
    lang = runtime.settings.lang
    zone = runtime.settings.zone
    with runtime.store.session() as session:
        granted = granted_users(session)
    if not granted:
        out(text(lang, "users.none", role=text(lang, f"role.{DEFAULT_ROLE}")))
    for user in granted:
        when = user.granted_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
        out(
            f"{user.zoom_user}\t{user.role}\t{user.name or ''}\t"
            f"{user.granted_by}\t{when}"
        )


@click.group()
def clients() -> None:
    """Clients and their project managers."""


@clients.command("set")
@click.argument("name")
@click.option("--project-manager", "manager", help="The project manager's name.")
@click.option(
    "--project-manager-jid",
    "manager_jid",
    help="The project manager's Zoom JID: status changes go to them.",
)
@click.option("--channel", "channel_jid", help="The client's Zoom channel JID.")
@click.option(
    "--domain", help="The client's domain, which deployed launchers pass to batches."
)
def clients_set(
    name: str,
    manager: str | None,
    manager_jid: str | None,
    channel_jid: str | None,
    domain: str | None,
) -> None:
    """Set a client's project manager or channel; adds the client if new."""
    from bot.cli import load_runtime, out

    for jid in (manager_jid, channel_jid):
        if jid is not None and "@" not in jid:
            raise click.BadParameter(f"{jid!r} is not a Zoom JID (name@xmpp.zoom.us)")
    if domain is not None and not DOMAIN.match(domain):
        raise click.BadParameter(f"{domain!r} is not a domain name (example.fr)")
    runtime = load_runtime()
    with runtime.store.session() as session:
        client = session.scalar(select(Client).where(Client.name == name))
        if client is None:
            client = Client(name=name)
            session.add(client)
        client.project_manager_name = manager or client.project_manager_name
        client.project_manager_jid = manager_jid or client.project_manager_jid
        client.channel_jid = channel_jid or client.channel_jid
        client.domain = domain or client.domain
        out(_client_line(runtime.settings.lang, client))


def _client_line(lang: str, client: Client) -> str:
    none = text(lang, "none")
    return text(
        lang,
        "clients.saved",
        client=client.name,
        manager=client.project_manager_name or none,
        jid=client.project_manager_jid or none,
        channel=client.channel_jid or none,
    )


@clients.command("list")
def clients_list() -> None:
    """The clients, their project managers and channels."""
    from bot.cli import load_runtime, out

    runtime = load_runtime()
    with runtime.store.session() as session:
        found = session.scalars(select(Client).order_by(Client.name)).all()
        if not found:
            out(text(runtime.settings.lang, "clients.none"))
        for client in found:
            out(_client_line(runtime.settings.lang, client))
