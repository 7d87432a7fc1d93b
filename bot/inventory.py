"""The batch inventory as rows: filtered, listed, exported.

The same rows feed the ``/inventory`` card, ``batchops inventory export`` and
the signed download links, so all three always agree.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from bot.inventory_file import (
    InventoryRow,
    category_of,
    environment_of,
    fold,
    state_of,
)
from bot.store import Batch, Client, LogSource, Server
from bot.tasks import task_full_name

GLOB = re.compile(r"[*?\[]")
FILTER_KEYS = {
    "server": "server",
    "serveur": "server",
    "client": "client",
    "category": "category",
    "categorie": "category",
    "state": "state",
    "etat": "state",
    "environment": "environment",
    "environnement": "environment",
    "env": "environment",
}
_WORD_READERS = {
    "category": category_of,
    "state": state_of,
    "environment": environment_of,
}


class BadFilter(Exception):
    """A filter word the inventory does not understand; ``word`` is it."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


@dataclass(frozen=True)
class InventoryFilters:
    """What ``/inventory`` was asked for; ``name`` is a server or a client."""

    server: str | None = None
    client: str | None = None
    category: str | None = None
    state: str | None = None
    environment: str | None = None
    name: str | None = None

    @classmethod
    def parse(cls, words: Sequence[str]) -> InventoryFilters:
        """``server=SRV state=désactivé``, or bare words: ``export``,
        ``disabled``, ``Production``, or a server's or a client's name."""
        chosen: dict[str, str] = {}
        names: list[str] = []
        remaining = list(words)
        while remaining:
            word = remaining.pop(0)
            key, equals, value = word.partition("=")
            if equals:
                field_name = FILTER_KEYS.get(fold(key))
                if field_name is None or not value.strip():
                    raise BadFilter(word)
                chosen[field_name] = _filter_value(field_name, value.strip(), word)
                continue
            # "tâche récurrente" and "recette client" come typed as two words.
            pair = _known_word(f"{word} {remaining[0]}") if remaining else None
            if pair is not None:
                remaining.pop(0)
            known = pair or _known_word(word)
            if known is None:
                names.append(word)
            else:
                chosen[known[0]] = known[1]
        if names:
            chosen["name"] = " ".join(names)
        return cls(**chosen)

    def words(self) -> str:
        """The filters as they can be typed again."""
        return shlex.join(
            f"{name}={value}" for name, value in asdict(self).items() if value
        )

    def claims(self) -> dict[str, str]:
        return {name: value for name, value in asdict(self).items() if value}

    @classmethod
    def from_claims(cls, claims: dict[str, object]) -> InventoryFilters:
        names = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in claims.items() if k in names and v})


def _filter_value(field_name: str, value: str, word: str) -> str:
    reader = _WORD_READERS.get(field_name)
    if reader is None:
        return value
    known = reader(value)
    if known is None:
        raise BadFilter(word)
    return known


def _known_word(word: str) -> tuple[str, str] | None:
    for field_name, reader in _WORD_READERS.items():
        known = reader(word)
        if known is not None:
            return field_name, known
    return None


def inventory_rows(session: Session, filters: InventoryFilters) -> list[InventoryRow]:
    """The batches the filters keep, by server then name, as the file's rows."""
    query = (
        select(Batch)
        .join(Batch.server)
        .outerjoin(Batch.client)
        .options(
            contains_eager(Batch.server),
            contains_eager(Batch.client),
            selectinload(Batch.log_sources),
        )
        .where(*_conditions(filters))
        .order_by(Server.name, Batch.name)
    )
    return [inventory_row(batch) for batch in session.scalars(query).unique()]


def _conditions(filters: InventoryFilters) -> list[ColumnElement[bool]]:
    conditions = []
    for column, wanted in (
        (Server.name, filters.server),
        (Client.name, filters.client),
    ):
        if wanted:
            conditions.append(func.lower(column) == wanted.lower())
    for column, value in (
        (Batch.category, filters.category),
        (Batch.state, filters.state),
        (Batch.environment, filters.environment),
    ):
        if value:
            conditions.append(column == value)
    if filters.name:
        like = filters.name.lower()
        conditions.append(
            or_(func.lower(Server.name) == like, func.lower(Client.name) == like)
        )
    return conditions


def inventory_row(batch: Batch) -> InventoryRow:
    server, client = batch.server, batch.client
    sources = sorted(batch.log_sources, key=lambda source: source.id)
    has_task = bool(batch.task_path) or server.kind == "winrm"
    return InventoryRow(
        server=server.name,
        batch=batch.name,
        category=batch.category,
        client=client.name if client else None,
        environment=batch.environment,
        created_on=batch.created_on,
        deployed_by=batch.deployed_by,
        schedule=batch.schedule,
        execution_folder=batch.execution_folder,
        log_paths=tuple(join_log_path(s.path, s.pattern) for s in sources),
        state=batch.state,
        task=task_full_name(batch, server) if has_task else None,
        project_manager=client.project_manager_name if client else None,
        project_manager_jid=client.project_manager_jid if client else None,
        channel_jid=client.channel_jid if client else None,
    )


def split_log_path(log_path: str) -> tuple[str, str | None]:
    """A file, or a folder and a name pattern.

    ``D:\\Logs\\Export\\*.log`` is a folder and its pattern; a path ending
    with a separator, or whose last part has no extension, is a folder whose
    every file is a log (pattern ``*``); anything else is one file.
    """
    normal = log_path.replace("\\", "/")
    _, _, name = normal.rpartition("/")
    if not name:
        return log_path.rstrip("\\/"), "*"
    if not GLOB.search(name) and "." in name:
        return log_path, None
    if not GLOB.search(name):
        return log_path, "*"
    cut = len(log_path) - len(name) - 1
    return (log_path[:cut] if cut > 0 else "."), name


def join_log_path(path: str, pattern: str | None) -> str:
    """The inverse of :func:`split_log_path`, in the path's own separators."""
    if pattern is None:
        return path
    if path == ".":
        return pattern
    separator = "/" if "/" in path and "\\" not in path else "\\"
    return path.rstrip("\\/") + separator + pattern


def log_source_for(batch: Batch, log_path: str) -> LogSource | None:
    """The batch's source at that path, if it has one."""
    path, _ = split_log_path(log_path)
    return next((s for s in batch.log_sources if s.path == path), None)
