"""Importing the team's inventory file into the store.

Every row is checked before anything is written: a file with a bad row
imports nothing and each bad row is reported with its line number and the
reason, unless the bad rows are to be skipped. Servers must be declared
beforehand (``batchops servers add``): a server named in the file and unknown
to batchops is a bad row, as batchops cannot guess how to reach it.

A row updates the batch of that name on that server, or adds it; an empty
cell leaves what batchops knows as it is. A batch that enters the inventory,
or whose state the file changes, gets a status change with source
``import``; the caller tells the project managers once the import is
committed (:func:`bot.status_changes.notify_status_changes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Self

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.inventory import log_source_for, split_log_path
from bot.inventory_file import (
    CATEGORY_WORDS,
    ENVIRONMENT_WORDS,
    STATE_WORDS,
    FileRow,
    InventoryFile,
    Problem,
    category_of,
    date_of,
    environment_of,
    read_inventory_file,
    split_log_paths,
    state_of,
    word_for,
)
from bot.status_changes import record_status_change
from bot.store import Batch, Client, LogSource, Server
from bot.tasks import default_task_name
from bot.texts import text

MAX_LENGTHS = {
    "batch": 200,
    "client": 100,
    "deployed_by": 255,
    "schedule": 255,
    "project_manager": 255,
    "project_manager_jid": 255,
    "channel_jid": 255,
}
CLIENT_FIELDS = ("project_manager", "project_manager_jid", "channel_jid")
WORDS: dict[str, tuple[dict[str, tuple[str, ...]], Callable[[str], str | None]]] = {
    "category": (CATEGORY_WORDS, category_of),
    "state": (STATE_WORDS, state_of),
    "environment": (ENVIRONMENT_WORDS, environment_of),
}


@dataclass
class ImportReport:
    name: str
    imported: int = 0
    """Rows written."""
    created: int = 0
    changes: int = 0
    """Status changes recorded, new batches included."""
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class ImportContext:
    """Who imports, and what the store holds, read once for the whole file."""

    who: str
    now: datetime
    lang: str
    batches: dict[tuple[int, str], Batch]
    """By server id and lower-cased name."""
    clients: dict[str, Client]
    """By lower-cased name."""

    @classmethod
    def load(cls, session: Session, who: str, now: datetime, lang: str) -> Self:
        batches = session.scalars(
            select(Batch).options(selectinload(Batch.log_sources))
        )
        return cls(
            who,
            now,
            lang,
            {(b.server_id, b.name.lower()): b for b in batches},
            {c.name.lower(): c for c in session.scalars(select(Client))},
        )


def import_inventory(
    session: Session,
    path: Path,
    *,
    who: str,
    now: datetime,
    lang: str = "fr",
    skip_bad_rows: bool = False,
) -> ImportReport:
    """Import the file at ``path``: all rows, or none while one is bad.

    With ``skip_bad_rows`` the good rows are imported and the bad ones
    reported. Raises :class:`bot.inventory_file.InventoryFileError` when the
    file is not an inventory at all.
    """
    inventory = read_inventory_file(path)
    report = ImportReport(path.name)
    servers = {s.name.lower(): s for s in session.scalars(select(Server))}
    good = []
    for row, problems in _checked(inventory, servers):
        report.problems.extend(problems)
        if not problems:
            good.append(row)
    if report.problems and not skip_bad_rows:
        return report

    context = ImportContext.load(session, who, now, lang)
    for row in good:
        _write_row(session, servers[row.get("server").lower()], row, report, context)
    report.imported = len(good)
    return report


def _checked(
    inventory: InventoryFile, servers: dict[str, Server]
) -> list[tuple[FileRow, list[Problem]]]:
    seen: dict[tuple[str, str], int] = {}
    clients: dict[str, FileRow] = {}
    checked = []
    for row in inventory.rows:
        problems = _row_problems(row, inventory.headers, servers)
        problems += _repeats(row, inventory.headers, seen, clients)
        checked.append((row, problems))
    return checked


def _row_problems(
    row: FileRow, headers: dict[str, str], servers: dict[str, Server]
) -> list[Problem]:
    def problem(key: str, **values: object) -> Problem:
        return Problem(row.line, key, values)

    found = [
        problem("import.empty", column=headers[name])
        for name in ("server", "batch")
        if not row.get(name)
    ]
    server = row.get("server")
    if server and server.lower() not in servers:
        found.append(problem("import.unknown_server", server=server))
    for name, (words, reader) in WORDS.items():
        value = row.get(name)
        if value and reader(value) is None:
            allowed = ", ".join(_both_words(words, w) for w in words)
            found.append(
                problem(
                    "import.bad_value",
                    column=headers[name],
                    value=value,
                    allowed=allowed,
                )
            )
    found += _format_problems(row, headers, problem)
    return found


def _both_words(words: dict[str, tuple[str, ...]], name: str) -> str:
    """``envoi (send)``: the team's word and batchops' name, either accepted."""
    french = word_for(words, name, "fr")
    return french if french == name else f"{french} ({name})"


def _format_problems(
    row: FileRow, headers: dict[str, str], problem: Callable[..., Problem]
) -> list[Problem]:
    found = []
    created = row.get("created_on")
    if created and date_of(created) is None:
        found.append(
            problem("import.bad_date", column=headers["created_on"], value=created)
        )
    for name in ("project_manager_jid", "channel_jid"):
        value = row.get(name)
        if value and ("@" not in value or " " in value):
            found.append(problem("import.bad_jid", column=headers[name], value=value))
    for name, limit in MAX_LENGTHS.items():
        if len(row.get(name)) > limit:
            found.append(problem("import.too_long", column=headers[name], limit=limit))
    return found


def _repeats(
    row: FileRow,
    headers: dict[str, str],
    seen: dict[tuple[str, str], int],
    clients: dict[str, FileRow],
) -> list[Problem]:
    """A batch listed twice, or a client whose project manager differs."""
    found = []
    key = (row.get("server").lower(), row.get("batch").lower())
    if key in seen:
        found.append(
            Problem(
                row.line,
                "import.duplicate",
                {
                    "batch": row.get("batch"),
                    "server": row.get("server"),
                    "first": seen[key],
                },
            )
        )
    seen.setdefault(key, row.line)

    client = row.get("client").lower()
    first = clients.setdefault(client, row) if client else row
    for name in CLIENT_FIELDS:
        if (
            first is not row
            and row.get(name)
            and first.get(name) not in ("", row.get(name))
        ):
            found.append(
                Problem(
                    row.line,
                    "import.client_conflict",
                    {
                        "column": headers[name],
                        "client": row.get("client"),
                        "first": first.line,
                    },
                )
            )
    return found


def _write_row(
    session: Session,
    server: Server,
    row: FileRow,
    report: ImportReport,
    context: ImportContext,
) -> None:
    name = row.get("batch")
    batch = context.batches.get((server.id, name.lower()))
    is_new = batch is None
    if batch is None:
        batch = Batch(name=name, server=server, log_sources=[])
        context.batches[(server.id, name.lower())] = batch
    _fill(session, batch, server, row, context.clients)

    state = state_of(row.get("state")) if row.get("state") else None
    if is_new or state is not None:
        why = text(context.lang, "import.why", name=report.name, line=row.line)
        change = record_status_change(
            session,
            batch,
            state or "ready",
            context.who,
            why,
            "import",
            context.now,
        )
        report.changes += change is not None
    report.created += is_new
    _add_log_sources(session, batch, row.get("log_path"))


def _fill(
    session: Session,
    batch: Batch,
    server: Server,
    row: FileRow,
    clients: dict[str, Client],
) -> None:
    if row.get("client"):
        batch.client = _client(session, row, clients)
    if row.get("category"):
        batch.category = category_of(row.get("category")) or batch.category
    if row.get("environment"):
        batch.environment = environment_of(row.get("environment")) or batch.environment
    if row.get("created_on"):
        batch.created_on = date_of(row.get("created_on"))
    for name in ("deployed_by", "schedule", "execution_folder"):
        if row.get(name):
            setattr(batch, name, row.get(name))
    task = row.get("task")
    if task:
        is_default = task.lower() == default_task_name(server, batch.name).lower()
        batch.task_path = None if is_default else task


def _client(session: Session, row: FileRow, clients: dict[str, Client]) -> Client:
    name = row.get("client")
    client = clients.get(name.lower())
    if client is None:
        client = Client(name=name)
        session.add(client)
        clients[name.lower()] = client
    if row.get("project_manager"):
        client.project_manager_name = row.get("project_manager")
    if row.get("project_manager_jid"):
        client.project_manager_jid = row.get("project_manager_jid")
    if row.get("channel_jid"):
        client.channel_jid = row.get("channel_jid")
    return client


def _add_log_sources(session: Session, batch: Batch, cell: str) -> None:
    for log_path in split_log_paths(cell):
        path, pattern = split_log_path(log_path)
        existing = log_source_for(batch, log_path)
        if existing is None:
            session.add(LogSource(batch=batch, path=path, pattern=pattern))
        else:
            existing.pattern = pattern
