"""The inventory spreadsheet, as the team keeps it, into the store.

A CSV file with French or English headers, ``;`` or ``,`` separated, in
UTF-8 or Windows-1252. Each row names a batch, its server, its client and the
path of its log (a file, or a folder and a name pattern such as
``D:\\Logs\\Export\\*.log``). A file with a bad row imports nothing: every bad
row is reported with its line number and the reason.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store import CATEGORIES, ENVIRONMENTS, STATES, Batch, Client, LogSource, Server

HEADERS = {
    "server": ("serveur", "server", "serveur d'ordonnancement"),
    "batch": ("nom du batch", "batch", "batch name", "name"),
    "category": ("catégorie", "categorie", "category"),
    "client": ("client",),
    "environment": ("environnement", "environment"),
    "log_path": ("répertoire de logs", "chemin de logs", "log path", "log folder"),
    "execution_folder": ("répertoire d'exécution", "execution folder"),
    "state": ("état", "etat", "state"),
    "created_on": ("date de création", "creation date", "created on"),
    "deployed_by": ("admin", "deployed by"),
    "schedule": ("date d'exécution", "schedule"),
    "project_manager": ("chef de projet", "project manager"),
    "project_manager_jid": ("chef de projet (zoom)", "project manager jid"),
    "channel_jid": ("canal (zoom)", "channel jid"),
}
REQUIRED = ("server", "batch", "client", "log_path")
CATEGORY_WORDS = {
    "envoi": "send",
    "tâche récurrente": "recurring",
    "tache recurrente": "recurring",
    "récurrente": "recurring",
    **{name: name for name in CATEGORIES},
}
STATE_WORDS = {
    "prêt": "ready",
    "pret": "ready",
    "inactif": "inactive",
    "désactivé": "disabled",
    "desactive": "disabled",
    **{name: name for name in STATES},
}
GLOB = re.compile(r"[*?\[]")


class InventoryError(Exception):
    """The file cannot be read at all (not a CSV, no known headers)."""


@dataclass
class Row:
    line: int
    values: dict[str, str]


@dataclass
class ImportReport:
    imported: int = 0
    problems: list[str] = field(default_factory=list)


def read_rows(path: Path) -> list[Row]:
    text = _decode(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=";,")
    except csv.Error:
        raise InventoryError(
            f"{path.name}: not a ';' or ',' separated file with a header line"
        ) from None
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise InventoryError(f"{path.name}: the file is empty")

    columns = _columns(header)
    missing = [name for name in REQUIRED if name not in columns.values()]
    if missing:
        raise InventoryError(
            f"{path.name}: missing column(s) {', '.join(missing)}; expected headers "
            "such as Serveur, Nom du batch, Client, Répertoire de logs"
        )
    return [
        Row(
            reader.line_num,
            {columns[i]: cell.strip() for i, cell in enumerate(cells) if i in columns},
        )
        for cells in reader
        if any(cell.strip() for cell in cells)
    ]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _columns(header: list[str]) -> dict[int, str]:
    known = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
    return {
        index: known[cell.strip().lower()]
        for index, cell in enumerate(header)
        if cell.strip().lower() in known
    }


def import_inventory(session: Session, path: Path) -> ImportReport:
    """Import every row, or none when a row is bad."""
    report = ImportReport()
    rows = read_rows(path)
    for row in rows:
        report.problems.extend(f"line {row.line}: {p}" for p in _check(session, row))
    if report.problems:
        return report

    for row in rows:
        _upsert(session, row.values)
    report.imported = len(rows)
    return report


def _check(session: Session, row: Row) -> list[str]:
    values = row.values
    problems = [f"{name} is empty" for name in REQUIRED if not values.get(name)]
    server = values.get("server")
    if server and session.scalar(select(Server).where(Server.name == server)) is None:
        problems.append(
            f"unknown server {server!r}: declare it first with batchops servers add"
        )
    if values.get("category") and _category(values["category"]) is None:
        problems.append(
            f"category {values['category']!r} is not one of {', '.join(CATEGORIES)}"
        )
    if values.get("state") and _state(values["state"]) is None:
        problems.append(f"state {values['state']!r} is not one of {', '.join(STATES)}")
    if values.get("environment") and values["environment"] not in ENVIRONMENTS:
        problems.append(
            f"environment {values['environment']!r} is not one of "
            f"{', '.join(ENVIRONMENTS)}"
        )
    if values.get("created_on") and _date(values["created_on"]) is None:
        problems.append(f"date {values['created_on']!r} is not dd/mm/yyyy")
    return problems


def _category(word: str) -> str | None:
    return CATEGORY_WORDS.get(word.strip().lower())


def _state(word: str) -> str | None:
    return STATE_WORDS.get(word.strip().lower())


def _date(word: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(word.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _upsert(session: Session, values: dict[str, str]) -> None:
    server = session.scalars(
        select(Server).where(Server.name == values["server"])
    ).one()
    client = _client(session, values)
    batch = session.scalar(
        select(Batch).where(Batch.server_id == server.id, Batch.name == values["batch"])
    )
    if batch is None:
        batch = Batch(server=server, name=values["batch"])
        session.add(batch)

    batch.client = client
    batch.category = (
        _category(values.get("category") or "") or batch.category or "recurring"
    )
    batch.state = _state(values.get("state") or "") or batch.state or "ready"
    batch.environment = values.get("environment") or batch.environment or "Production"
    batch.execution_folder = values.get("execution_folder") or batch.execution_folder
    batch.schedule = values.get("schedule") or batch.schedule
    batch.deployed_by = values.get("deployed_by") or batch.deployed_by
    batch.created_on = _date(values.get("created_on") or "") or batch.created_on
    session.flush()
    _log_source(session, batch, values["log_path"])


def _client(session: Session, values: dict[str, str]) -> Client:
    client = session.scalar(select(Client).where(Client.name == values["client"]))
    if client is None:
        client = Client(name=values["client"])
        session.add(client)
    client.project_manager_name = (
        values.get("project_manager") or client.project_manager_name
    )
    client.project_manager_jid = (
        values.get("project_manager_jid") or client.project_manager_jid
    )
    client.channel_jid = values.get("channel_jid") or client.channel_jid
    return client


def split_log_path(log_path: str) -> tuple[str, str | None]:
    """A file path, or a folder and the glob its last part is."""
    normal = log_path.replace("\\", "/")
    folder, _, name = normal.rpartition("/")
    if not GLOB.search(name):
        return log_path, None
    cut = len(log_path) - len(name) - 1
    return (log_path[:cut] if cut > 0 else "."), name


def _log_source(session: Session, batch: Batch, log_path: str) -> None:
    path, pattern = split_log_path(log_path)
    existing = session.scalar(
        select(LogSource).where(LogSource.batch_id == batch.id, LogSource.path == path)
    )
    if existing is None:
        session.add(LogSource(batch=batch, path=path, pattern=pattern))
    else:
        existing.pattern = pattern
