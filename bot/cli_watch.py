"""``batchops watch`` (expected runs, heartbeats) and ``batchops probes``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cards.watch import duration_text, powershell_snippet
from bot.heartbeats import ping_url
from bot.probes import (
    ProbeConfigError,
    ProbeSettings,
    add_probe,
    owner_of,
    probes_of,
    remove_probe,
)
from bot.schedules import ScheduleError, next_due
from bot.store import Batch, Client, Server
from bot.watch import batches_named, expectation_of, set_expectation

if TYPE_CHECKING:
    from bot.runtime import Runtime

MAX_MINUTES = 31 * 24 * 60
"""Longer than any batch runs or may be late: beyond, a typo."""


def _runtime() -> Runtime:
    # bot.cli mounts these groups: import it when a command runs, not before.
    from bot.cli import load_runtime

    return load_runtime()


def _out(line: str = "") -> None:
    from bot.cli import out

    out(line)


def _one_batch(session: Session, name: str) -> Batch:
    found = batches_named(session, name)
    if not found:
        raise click.ClickException(f"no batch is called {name!r}")
    if len(found) > 1:
        choices = ", ".join(f"{b.server.name}/{b.name}" for b in found)
        raise click.ClickException(f"several batches are called {name!r}: {choices}")
    return found[0]


@click.group()
def watch() -> None:
    """Expected runs and heartbeats of batches."""


@watch.command("set")
@click.argument("name")
@click.option("--cron", help='When the batch runs, e.g. "30 2 * * *".')
@click.option(
    "--task",
    "from_task",
    is_flag=True,
    help="Follow the Windows task's triggers instead of a cron expression.",
)
@click.option("--timezone", help="Zone of the schedule [default: BATCHOPS_TIMEZONE].")
@click.option(
    "--grace",
    type=click.IntRange(1, MAX_MINUTES),
    help="Minutes a run may be late (at most 31 days).",
)
@click.option(
    "--max-run",
    type=click.IntRange(1, MAX_MINUTES),
    help="Minutes a run may last after its start ping (at most 31 days).",
)
def watch_set(
    name: str,
    cron: str | None,
    from_task: bool,
    timezone: str | None,
    grace: int | None,
    max_run: int | None,
) -> None:
    """Say when batch NAME (or SERVER/NAME) runs; options not given are kept."""
    if cron and from_task:
        raise click.UsageError("give --cron or --task, not both")
    runtime = _runtime()
    with runtime.store.session() as session:
        batch = _one_batch(session, name)
        try:
            set_expectation(
                batch,
                runtime.clock.now(),
                cron=None if from_task else cron or batch.expect_cron,
                timezone=timezone or batch.expect_timezone,
                grace_minutes=grace or batch.expect_grace_minutes,
                run_limit_minutes=max_run or batch.run_limit_minutes,
            )
        except ScheduleError as error:
            raise click.ClickException(str(error)) from None
        line = _watch_line(runtime, batch)
    _out(line)


@watch.command("list")
def watch_list() -> None:
    """List batches with their schedule, grace, next run and ping URL."""
    runtime = _runtime()
    with runtime.store.session() as session:
        batches = session.scalars(
            select(Batch).join(Server).order_by(Server.name, Batch.name)
        ).all()
        lines = [_watch_line(runtime, batch) for batch in batches]
    for line in lines:
        _out(line)


def _watch_line(runtime: Runtime, batch: Batch) -> str:
    try:
        expectation = expectation_of(batch, runtime.settings.timezone)
    except ScheduleError as error:
        return f"{batch.server.name}/{batch.name}\tunreadable schedule: {error}"

    if batch.expect_cron:
        schedule = f"cron {batch.expect_cron}"
    elif expectation.schedules:
        schedule = f"task triggers ({len(expectation.schedules)})"
    else:
        schedule = "heartbeats only"
    upcoming = next_due(expectation.schedules, runtime.clock.now())
    zone = runtime.settings.zone
    shown = (
        upcoming.at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if upcoming else "—"
    )
    return "\t".join(
        [
            f"{batch.server.name}/{batch.name}",
            schedule,
            f"grace {duration_text(expectation.grace)}",
            f"next {shown}",
            batch.watch_state,
            ping_url(runtime.settings.public_base_url, batch),
        ]
    )


@watch.command("ping")
@click.argument("name")
def watch_ping(name: str) -> None:
    """Print batch NAME's ping URL and the PowerShell lines that call it."""
    runtime = _runtime()
    with runtime.store.session() as session:
        url = ping_url(runtime.settings.public_base_url, _one_batch(session, name))
    _out(url)
    _out()
    _out(powershell_snippet(runtime.settings.lang, url))


@click.group()
def probes() -> None:
    """HTTP probes of the APIs batches and clients depend on."""


@probes.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--batch", "batch_name", help="The batch that calls this API.")
@click.option("--client", "client_name", help="The client whose API it is.")
@click.option("--method", default="GET", show_default=True)
@click.option("--expect", default=200, show_default=True, help="Expected HTTP status.")
@click.option("--keyword", help="Text the body must contain.")
@click.option("--timeout", default=5.0, show_default=True, help="Seconds.")
@click.option("--every", default=60, show_default=True, help="Seconds between checks.")
@click.option(
    "--failures",
    default=3,
    show_default=True,
    help="Failed checks in a row before the API is called down.",
)
def probes_add(
    name: str,
    url: str,
    batch_name: str | None,
    client_name: str | None,
    method: str,
    expect: int,
    keyword: str | None,
    timeout: float,
    every: int,
    failures: int,
) -> None:
    """Probe URL as NAME, for a batch (--batch) or a client (--client)."""
    wanted = ProbeSettings(url, method, expect, keyword, timeout, every, failures)
    runtime = _runtime()
    with runtime.store.session() as session:
        batch = _one_batch(session, batch_name) if batch_name else None
        client = _client(session, client_name) if client_name else None
        try:
            add_probe(session, name, wanted, batch=batch, client=client)
        except ProbeConfigError as error:
            raise click.ClickException(str(error)) from None
    _out(f"Probe {name} added: {method.upper()} {url} every {every} s")


def _client(session: Session, name: str) -> Client:
    client = session.scalar(select(Client).where(Client.name == name))
    if client is None:
        raise click.ClickException(f"no client is called {name!r}")
    return client


@probes.command("list")
def probes_list() -> None:
    """List the probes with their state and last check."""
    runtime = _runtime()
    with runtime.store.session() as session:
        lines = [
            "\t".join(
                [
                    probe.name,
                    owner_of(probe),
                    f"{probe.method} {probe.url}",
                    f"every {probe.interval_s} s",
                    probe.state,
                    probe.last_error or "",
                ]
            )
            for probe in probes_of(session)
        ]
    for line in lines:
        _out(line)


@probes.command("remove")
@click.argument("name")
def probes_remove(name: str) -> None:
    """Remove probe NAME and its results."""
    runtime = _runtime()
    with runtime.store.session() as session:
        if not remove_probe(session, name):
            raise click.ClickException(f"no probe is called {name!r}")
    _out(f"Probe {name} removed")
