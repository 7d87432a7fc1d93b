"""The demo: two local-folder servers holding real batch logs, seeded afresh.

Only the demo's own servers (``DEMO-…``) and the logs read from them are
reset; their batches stay, with their history of status changes, and the
demo inventory is imported again over them. Anything else in the database is
left as it is.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy import delete, select

from bot.demo_replay import replay_dates
from bot.deploy.demo import seed_deploy_demo
from bot.inventory_import import ImportReport, import_inventory
from bot.runtime import Runtime
from bot.store import Batch, ErrorEvent, ErrorGroup, LogSource, Server

log = logging.getLogger(__name__)

WRITTEN_AGO = timedelta(minutes=5)
DEMO_SERVERS = ("DEMO-ORDO-01", "DEMO-ORDO-02")
DEMO_FILES = {
    "DEMO-ORDO-01": {
        "Logs/ImportAdherents/ImportAdherents_20261204.log": (
            "log4net-abp-background-job-retries.log"
        ),
        "Logs/ExportPrestations/ExchangeSetup.log": (
            "exchange-setup-failed-mount-database.log"
        ),
    },
    "DEMO-ORDO-02": {
        "Logs/EnvoiNotifications/EnvoiNotifications_20261204.log": (
            "log4net-abp-startup-fatal-loop-net8.log"
        ),
        "Logs/PurgeRGPD/purge.log": "log4net-abp-disposed-dbcontext-errors.log",
        "Logs/SyncReferentiel/sync.log": "skydrive-error-log-czech-utf8-crlf.log",
    },
}


def demo_data() -> Path:
    return Path(str(resources.files("bot") / "demo_data"))


def seed_demo(runtime: Runtime) -> ImportReport:
    """Lay the demo servers' folders and import the demo inventory."""
    root = (runtime.settings.var_dir / "demo").resolve()
    _forget_demo(runtime)
    shutil.rmtree(root, ignore_errors=True)

    with runtime.store.session() as session:
        for name in DEMO_SERVERS:
            folder = root / name
            _copy_logs(folder, DEMO_FILES[name], runtime)
            server = session.scalar(select(Server).where(Server.name == name))
            if server is None:
                server = Server(name=name, kind="local")
                session.add(server)
            server.root = str(folder)

    with runtime.store.session() as session:
        report = import_inventory(
            session,
            demo_data() / "inventory.csv",
            who="demo",
            now=runtime.clock.now(),
            lang=runtime.settings.lang,
        )
    if report.problems:
        problems = "; ".join(p.text("en") for p in report.problems)
        raise RuntimeError(f"the demo inventory does not import: {problems}")
    seed_deploy_demo(runtime)
    return report


def _copy_logs(folder: Path, files: dict[str, str], runtime: Runtime) -> None:
    """Lay the real logs, their dates moved into the last week (see replay),
    the files last written a few minutes ago, as by batches that have ended."""
    logs = demo_data() / "logs"
    now, zone = runtime.clock.now(), runtime.settings.zone
    stamp = (now - WRITTEN_AGO).timestamp()
    for target, source in files.items():
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(replay_dates((logs / source).read_bytes(), now, zone))
        os.utime(path, (stamp, stamp))


def _forget_demo(runtime: Runtime) -> None:
    with runtime.store.session() as session:
        servers = select(Server.id).where(Server.name.in_(DEMO_SERVERS))
        batches = select(Batch.id).where(Batch.server_id.in_(servers))
        session.execute(delete(ErrorEvent).where(ErrorEvent.batch_id.in_(batches)))
        session.execute(delete(ErrorGroup).where(ErrorGroup.batch_id.in_(batches)))
        session.execute(delete(LogSource).where(LogSource.batch_id.in_(batches)))
