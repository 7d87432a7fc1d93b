"""The ``batchops`` command line."""

from __future__ import annotations

import getpass
import json
import logging
import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from bot import router
from bot.cli_deploy import plans, server_environments
from bot.cli_inventory import clients, inventory, users
from bot.cli_logs import logs
from bot.cli_watch import probes, watch
from bot.config import ConfigError, Settings
from bot.messenger import render_text
from bot.runtime import Runtime, build_runtime

log = logging.getLogger(__name__)


def out(line: str = "") -> None:
    """The CLI's one way to print."""
    click.echo(line)


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def load_runtime(echo_cards: bool = False) -> Runtime:
    """Settings from the environment, the schema brought up to date.

    Tests hand in their clock as ``obj={"clock": clock}`` when they invoke
    the command line.
    """
    from bot.schema import upgrade

    try:
        settings = Settings.from_env()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    context = click.get_current_context(silent=True)
    clock = (context.find_root().obj or {}).get("clock") if context else None
    runtime = build_runtime(
        settings, clock=clock, echo=_echo_card if echo_cards else None
    )
    upgrade(runtime.store)
    router.load_commands()
    return runtime


def _echo_card(card_text: str) -> None:
    out(card_text)
    out()


class BatchopsGroup(click.Group):
    """Turns what goes wrong around a command into one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OperationalError as error:
            raise click.ClickException(
                f"the database does not answer ({_first_line(error.orig)}); "
                "check DATABASE_URL and that the database server runs"
            ) from None
        except IntegrityError as error:
            raise click.ClickException(
                f"that is already there ({_first_line(error.orig)})"
            ) from None
        except OSError as error:
            where = f": {error.filename}" if error.filename else ""
            raise click.ClickException(f"{error.strerror or error}{where}") from None


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().split("\n", 1)[0] if error else "unknown error"


@click.group(
    cls=BatchopsGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens on stderr.")
def main(verbose: bool) -> None:
    """batchops: supervise batch jobs from Zoom Team Chat."""
    configure_logging(verbose)


@main.command()
@click.option("--once", is_flag=True, help="Stop after the first scan.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
def demo(once: bool, host: str, port: int) -> None:
    """Seed demo servers with real logs, scan them, print the alert cards,
    then serve until stopped."""
    from bot.demo import seed_demo
    from bot.status_changes import notify_status_changes
    from jobs.log_scan import run_scan_cycle

    runtime = load_runtime(echo_cards=True)
    report = seed_demo(runtime)
    notify_status_changes(runtime)
    out(
        f"Demo inventory: {report.imported} batches on 2 servers under "
        f"{runtime.settings.var_dir / 'demo'}"
    )
    out("Scanning their logs…")
    out()
    cycle = run_scan_cycle(runtime)
    out(f"Scan done: {cycle.entries} error entries, {cycle.alerts_sent} alert cards.")
    out('Try: batchops chat "/batch status"')
    if not once:
        _serve(runtime, host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    envvar="PORT",
    default=8080,
    show_default=True,
    help="Port to listen on (PORT is honoured).",
)
def serve(host: str, port: int) -> None:
    """Serve Zoom's webhook endpoint and run the scheduled jobs."""
    _serve(load_runtime(echo_cards=True), host, port)


def _serve(runtime: Runtime, host: str, port: int) -> None:
    import waitress

    from bot.web import create_app
    from jobs.scheduler import build_scheduler

    scheduler = build_scheduler(runtime)
    scheduler.start()
    if not runtime.settings.zoom_secret_token:
        out(
            "ZOOM_SECRET_TOKEN is not set: Zoom's webhook requests will be "
            "refused; use batchops chat to try commands"
        )
    out(f"Serving on http://{host}:{port} (Ctrl-C to stop)")
    try:
        waitress.serve(
            create_app(runtime), host=host, port=port, threads=8, _quiet=True
        )
    finally:
        scheduler.shutdown(wait=False)
        runtime.worker.shutdown()


@main.command()
@click.argument("text")
@click.option(
    "--as",
    "user",
    default=getpass.getuser,
    show_default="your login name",
    help="The Zoom user id the command runs as, with that user's role.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the Zoom card content.")
def chat(text: str, user: str, as_json: bool) -> None:
    """Run one chat command through the same router as Zoom and print the reply."""
    runtime = load_runtime()
    request = router.Request(
        text=text, user_id=user, user_name=user, to_jid="terminal", source="chat"
    )
    content = router.dispatch(runtime, request)
    if as_json:
        out(json.dumps(content, ensure_ascii=False, indent=2))
    else:
        out(render_text(content))


main.add_command(inventory)
main.add_command(users)
main.add_command(clients)


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply schema migrations."""
    runtime = load_runtime()
    out(f"Schema up to date on {runtime.store.engine.url.render_as_string()}")


@main.group()
def servers() -> None:
    """The scheduling servers."""


@servers.command("add")
@click.argument("name")
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A local folder standing for the server.",
)
@click.option("--host", help="A Windows host reached over PowerShell remoting.")
@click.option("--port", type=click.IntRange(1, 65535), default=5986, show_default=True)
@click.option("--user", "username", help="Account for remoting.")
@click.option(
    "--auth",
    default="negotiate",
    show_default=True,
    type=click.Choice(["negotiate", "ntlm", "kerberos", "certificate"]),
)
@click.option("--task-folder", default="\\Batchs\\", show_default=True)
@click.option(
    "--no-cert-validation",
    is_flag=True,
    help="Accept any TLS certificate (test servers only).",
)
def servers_add(
    name: str,
    folder: Path | None,
    host: str | None,
    port: int,
    username: str | None,
    auth: str,
    task_folder: str,
    no_cert_validation: bool,
) -> None:
    """Declare a server: a local folder (--folder) or a Windows host (--host)."""
    from bot.store import Server

    if (folder is None) == (host is None):
        raise click.UsageError("give either --folder or --host")
    runtime = load_runtime()
    with runtime.store.session() as session:
        if session.scalar(select(Server.id).where(Server.name == name)):
            raise click.ClickException(
                f"server {name} already exists: pick another name, or see "
                "batchops servers list"
            )
        server = Server(
            name=name,
            kind="local" if folder else "winrm",
            root=str(folder.resolve()) if folder else None,
            host=host,
            port=port,
            username=username,
            auth=auth,
            task_folder=task_folder,
            cert_validation=not no_cert_validation,
        )
        session.add(server)
    out(f"Server {name} declared")


@servers.command("list")
def servers_list() -> None:
    """List the servers."""

    from bot.store import Server

    runtime = load_runtime()
    with runtime.store.session() as session:
        for server in session.scalars(select(Server).order_by(Server.name)):
            where = server.root if server.kind == "local" else server.host
            state = "up" if server.reachable else f"down ({server.last_error})"
            out(f"{server.name}\t{server.kind}\t{where}\t{state}")


@main.group()
def jobs() -> None:
    """The scheduled jobs."""


@jobs.command("list")
def jobs_list() -> None:
    """List the scheduled jobs with their next run in local time."""
    from jobs.scheduler import next_runs

    runtime = load_runtime()
    for spec, when in next_runs(runtime):
        shown = when.strftime("%Y-%m-%d %H:%M:%S %Z") if when else "—"
        out(f"{spec.id}\t{shown}\t{spec.description}")


main.add_command(logs)
main.add_command(watch)
main.add_command(probes)
main.add_command(plans)
servers.add_command(server_environments)

if __name__ == "__main__":
    main()
