"""An inventory and error events of known dates, for the report tests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.store import Batch, Client, ErrorEvent, ErrorGroup, LogSource, Server, Store

BATCHES = (
    # name, client, server, category
    ("ImportAdherents", "Mutuelle Horizon", "SRV-ORDO-01", "import"),
    ("ExportPrestations", "Mutuelle Horizon", "SRV-ORDO-01", "export"),
    ("EnvoiNotifications", "Assurances du Littoral", "SRV-ORDO-02", "send"),
    ("PurgeRGPD", "Assurances du Littoral", "SRV-ORDO-02", "purge"),
    ("SyncReferentiel", "Assurances du Littoral", "SRV-ORDO-02", "recurring"),
)
GROUPS_PER_BATCH = 3


@dataclass(frozen=True)
class StoredEvent:
    batch: str
    client: str
    server: str
    category: str
    group: int
    occurred_at: datetime


@dataclass
class Inventory:
    batch_ids: dict[str, int]
    group_ids: dict[str, list[int]]
    source_ids: dict[str, int]


def seed_inventory(store: Store, now: datetime) -> Inventory:
    inventory = Inventory({}, {}, {})
    with store.session() as session:
        servers = {server: Server(name=server) for _, _, server, _ in BATCHES}
        clients = {client: Client(name=client) for _, client, _, _ in BATCHES}
        for name, client, server, category in BATCHES:
            batch = Batch(
                name=name,
                client=clients[client],
                server=servers[server],
                category=category,
            )
            source = LogSource(batch=batch, path=f"Logs/{name}.log")
            groups = [
                ErrorGroup(
                    batch=batch,
                    fingerprint=f"{name}-{number}",
                    level="ERROR",
                    sample=f"ERROR {name} failed: case {number}\n   at Batch.Run()",
                    first_seen=now,
                    last_seen=now,
                )
                for number in range(GROUPS_PER_BATCH)
            ]
            session.add_all([batch, source, *groups])
            session.flush()
            inventory.batch_ids[name] = batch.id
            inventory.source_ids[name] = source.id
            inventory.group_ids[name] = [group.id for group in groups]
    return inventory


def store_events(
    store: Store, inventory: Inventory, events: list[StoredEvent], now: datetime
) -> None:
    with store.session() as session:
        for offset, event in enumerate(events):
            session.add(
                ErrorEvent(
                    log_source_id=inventory.source_ids[event.batch],
                    batch_id=inventory.batch_ids[event.batch],
                    group_id=inventory.group_ids[event.batch][event.group],
                    occurred_at=event.occurred_at,
                    read_at=now,
                    level="ERROR",
                    message=f"ERROR {event.batch} failed",
                    fingerprint=f"{event.batch}-{event.group}",
                    path=f"Logs/{event.batch}.log",
                    offset=offset,
                )
            )


def random_events(
    now: datetime, count: int, days: int = 32, seed: int = 7
) -> list[StoredEvent]:
    """Events over the ``days`` before ``now``, some batches busier than others."""
    rng = random.Random(seed)
    weights = [8, 4, 2, 1, 1]
    events = []
    for _ in range(count):
        name, client, server, category = rng.choices(BATCHES, weights)[0]
        moment = now - timedelta(seconds=rng.uniform(0, days * 86400))
        group = rng.choices(range(GROUPS_PER_BATCH), [6, 3, 1])[0]
        events.append(StoredEvent(name, client, server, category, group, moment))
    return events


def event_at(name: str, moment: datetime, group: int = 0) -> StoredEvent:
    _, client, server, category = next(row for row in BATCHES if row[0] == name)
    return StoredEvent(name, client, server, category, group, moment)
