"""status: each batch's state, its last scan and its recent error entries."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from bot import cards
from bot.router import Content, Context, command
from bot.store import Batch, Client, ErrorEvent, LogSource, Server
from bot.tasks import refresh_tasks


@command("status")
def show_status(ctx: Context) -> Content:
    """Show each batch's state, last scan and error entries of the last 24 h.

    `status` lists every batch; `status NAME` only those whose batch, client
    or server is NAME.
    """
    wanted = " ".join(ctx.request.args) or None
    runtime = ctx.runtime
    since = runtime.clock.now() - timedelta(hours=24)
    with runtime.store.session() as session:
        windows = windows_servers(session, wanted)
    refreshed = refresh_tasks(runtime, windows)
    unreachable = {r.server: r.error for r in refreshed if r.error}

    with runtime.store.session() as session:
        rows = status_rows(session, wanted, since, unreachable)
    return cards.status_card(ctx.lang, runtime.settings.zone, rows, wanted)


def _matches(wanted: str) -> ColumnElement[bool]:
    like = wanted.lower()
    return or_(
        func.lower(Batch.name) == like,
        func.lower(Server.name) == like,
        func.lower(Client.name) == like,
    )


def windows_servers(session: Session, wanted: str | None) -> list[int]:
    """The Windows servers of the batches asked about, to read their tasks."""
    query = (
        select(Server.id)
        .join(Batch, Batch.server_id == Server.id)
        .outerjoin(Client, Batch.client_id == Client.id)
        .where(Server.kind == "winrm")
        .distinct()
    )
    if wanted:
        query = query.where(_matches(wanted))
    return list(session.scalars(query))


def status_rows(
    session: Session,
    wanted: str | None,
    since: datetime,
    unreachable: dict[str, str] | None = None,
) -> list[cards.StatusRow]:
    errors = (
        select(
            ErrorEvent.batch_id,
            func.count().filter(ErrorEvent.occurred_at >= since).label("n"),
            func.max(ErrorEvent.occurred_at).label("last_error"),
        )
        .group_by(ErrorEvent.batch_id)
        .subquery()
    )
    scans = (
        select(
            LogSource.batch_id,
            func.max(LogSource.last_scan_at).label("last_scan"),
            func.max(LogSource.last_scan_error).label("scan_error"),
        )
        .group_by(LogSource.batch_id)
        .subquery()
    )
    query = (
        select(
            Batch,
            Server.name,
            Client.name,
            errors.c.n,
            errors.c.last_error,
            scans.c.last_scan,
            scans.c.scan_error,
        )
        .join(Server, Batch.server_id == Server.id)
        .outerjoin(Client, Batch.client_id == Client.id)
        .outerjoin(errors, errors.c.batch_id == Batch.id)
        .outerjoin(scans, scans.c.batch_id == Batch.id)
        .order_by(Server.name, Batch.name)
    )
    if wanted:
        query = query.where(_matches(wanted))
    unreachable = unreachable or {}

    return [
        cards.StatusRow(
            batch=batch.name,
            client=client or "—",
            server=server,
            state=batch.state,
            last_scan=last_scan,
            scan_error=scan_error,
            errors_24h=count or 0,
            last_error=last_error,
            task=_task(batch) if batch.server.kind == "winrm" else None,
            server_error=unreachable.get(server),
        )
        for batch, server, client, count, last_error, last_scan, scan_error in (
            session.execute(query)
        )
    ]


def _task(batch: Batch) -> cards.TaskFacts:
    return cards.TaskFacts(
        state=batch.task_state,
        last_run=batch.task_last_run_at,
        last_result=batch.task_last_result,
        next_run=batch.task_next_run_at,
        missed_runs=batch.task_missed_runs,
        checked_at=batch.task_checked_at,
    )
