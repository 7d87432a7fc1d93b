"""Inventory at a large team's size: import, export and task sync.

20 Windows servers hold 100 batches each (2,000 rows, 40 clients each with a
project manager). The French spreadsheet is imported into a fresh SQLite
database, exported as CSV and as Excel, and the Excel export imported again.
Then a task sync runs against fake servers answering after 100 ms, where
one task in ten was disabled by hand and five tasks per server are new.
Targets: import under 10 s, each export under 5 s, the re-import records no
change, the sync under 5 s with one card in the channel and one message per
project manager.

Run: ``python -m benchmarks.inventory [--servers N] [--batches N]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.config import Settings
from bot.inventory import InventoryFilters, inventory_rows
from bot.inventory_file import write_csv, write_xlsx
from bot.inventory_import import import_inventory
from bot.runtime import Runtime, build_runtime
from bot.schema import upgrade
from bot.status_changes import notify_status_changes
from bot.store import OutboxMessage, Server
from jobs.task_sync import run_task_sync
from tests.fakes.windows import FakeWindowsSession

CLIENTS = 40
LATENCY_S = 0.1
TARGETS = {"import_s": 10.0, "export_s": 5.0, "sync_s": 5.0}
HEADER = (
    "Serveur;Nom du batch;Catégorie;Client;Environnement;Date de création;Admin;"
    "Date d'exécution;Répertoire d'exécution;Répertoire de logs;État;"
    "Chef de projet;Chef de projet (Zoom)"
)


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = run()
    return result, round(time.perf_counter() - started, 3)


def spreadsheet(servers: int, batches: int) -> bytes:
    lines = [HEADER]
    for server in range(servers):
        for number in range(batches):
            client = (server * batches + number) % CLIENTS
            lines.append(
                f"SRV-{server:02d};Batch-{number:03d};envoi;Client {client:02d} é;"
                f"Production;14/03/2024;jdupont;Tous les jours;"
                f"D:\\Batchs\\Batch-{number:03d};D:\\Logs\\Batch-{number:03d}\\*.log;"
                f"prêt;Chef {client:02d};pm{client:02d}@xmpp.zoom.us"
            )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def server_tasks(batches: int) -> dict[str, Any]:
    tasks = []
    for number in range(batches + 5):
        tasks.append(
            {
                "name": f"Batch-{number:03d}",
                "path": "\\Batchs\\",
                "state": "Disabled" if number % 10 == 0 else "Ready",
                "actions": [],
                "triggers": [],
                "last_run_time": "2026-12-03T04:30:00Z",
                "last_task_result": 0,
                "next_run_time": "2026-12-04T04:30:00Z",
                "number_of_missed_runs": 0,
            }
        )
    return {"tasks": tasks}


def make_runtime(folder: Path, servers: int, batches: int) -> Runtime:
    settings = Settings.from_env(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "BATCHOPS_SECRET_KEY": "benchmark-signing-key-0123456789",
        },
        var_dir=folder,
    )
    runtime = build_runtime(settings)
    upgrade(runtime.store)
    fakes = {
        f"SRV-{n:02d}": FakeWindowsSession(
            f"SRV-{n:02d}",
            {"list_tasks": server_tasks(batches)},
            latency_s=LATENCY_S,
        )
        for n in range(servers)
    }
    runtime.open_session = lambda server: fakes[server.name]
    with runtime.store.session() as session:
        for name in fakes:
            session.add(
                Server(
                    name=name, kind="winrm", host="127.0.0.1", task_folder="\\Batchs\\"
                )
            )
    return runtime


def import_file(runtime: Runtime, path: Path) -> Any:
    with runtime.store.session() as session:
        return import_inventory(session, path, who="bench", now=runtime.clock.now())


def cards_sent(runtime: Runtime) -> int:
    with runtime.store.session() as session:
        return session.scalar(select(func.count(OutboxMessage.id))) or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=20)
    parser.add_argument("--batches", type=int, default=100)
    args = parser.parse_args()
    rows = args.servers * args.batches

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        runtime = make_runtime(folder, args.servers, args.batches)
        source = folder / "inventaire.csv"
        source.write_bytes(spreadsheet(args.servers, args.batches))

        first, import_s = timed(lambda: import_file(runtime, source))
        print(f"import of {rows} rows: {import_s:.2f} s, {first.changes} changes")
        _, notify_s = timed(lambda: notify_status_changes(runtime))
        print(f"first notices: {notify_s:.2f} s, {cards_sent(runtime)} cards")

        with runtime.store.session() as session:
            listed = inventory_rows(session, InventoryFilters())
        csv, csv_s = timed(lambda: write_csv(listed))
        xlsx, xlsx_s = timed(lambda: write_xlsx(listed))
        print(f"export: CSV {csv_s:.2f} s ({len(csv)} B), Excel {xlsx_s:.2f} s")
        exported = folder / "export.xlsx"
        exported.write_bytes(xlsx)
        again, reimport_s = timed(lambda: import_file(runtime, exported))
        print(f"import of the export: {reimport_s:.2f} s, {again.changes} changes")

        before = cards_sent(runtime)
        sync, sync_s = timed(lambda: run_task_sync(runtime))
        sync_cards = cards_sent(runtime) - before
        print(
            f"task sync: {sync_s:.2f} s, {sync.changes} changes, "
            f"{sync_cards} cards ({sync.notices.messages_sent} messages)"
        )
        runtime.store.dispose()

    managers = len({n % CLIENTS for n in range(rows)})
    figures = {
        "import_s": import_s,
        "export_s": max(csv_s, xlsx_s),
        "reimport_changes": again.changes,
        "sync_s": sync_s,
        "sync_changes": sync.changes,
        "sync_cards": sync_cards,
    }
    summary = {
        "benchmark": "inventory",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": rows,
        "servers": args.servers,
        "latency_s": LATENCY_S,
        **figures,
        "targets": {**TARGETS, "reimport_changes": 0, "sync_cards": managers + 1},
        "met": {
            "import_s": import_s < TARGETS["import_s"],
            "export_s": figures["export_s"] < TARGETS["export_s"],
            "reimport_changes": again.changes == 0,
            "sync_s": sync_s < TARGETS["sync_s"],
            "sync_cards": sync_cards <= managers + 1,
        },
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
