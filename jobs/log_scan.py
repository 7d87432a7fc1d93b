"""The log scan: new bytes of every log source, read once, into alerts.

For each server, one call to its session reads the new bytes of all its log
sources. The log engine turns them into error entries; entries and the new
checkpoint are committed together, in one transaction per source, guarded by
the source's version so that two scanners never both commit the same bytes.
Then every error group due a card gets one.
"""

from __future__ import annotations

import fnmatch
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from bot import alerts, cards, logengine
from bot.runtime import Runtime
from bot.store import Batch, LogSource, Server, table
from integrations.session import ReadRequest, ReadResult, RemoteError

log = logging.getLogger(__name__)

SOURCES = table(LogSource)
SERVERS = table(Server)

MAX_PARALLEL_SERVERS = 32
"""Scanning waits on the network, not the processor: many servers at once."""


@dataclass
class PlannedSource:
    source_id: int
    batch_id: int
    version: int
    spec: logengine.SourceSpec
    state: dict[str, Any] | None
    requests: list[ReadRequest]


Changed = tuple[PlannedSource, logengine.ScanOutcome, datetime | None]
"""A source with news: its plan, what the engine made of it, its last write."""


@dataclass
class ServerScan:
    server: str
    sources: int = 0
    entries: int = 0
    round_trips: int = 0
    error: str | None = None


@dataclass
class CycleReport:
    servers: list[ServerScan] = field(default_factory=list)
    alerts_sent: int = 0

    @property
    def entries(self) -> int:
        return sum(scan.entries for scan in self.servers)


def run_scan_cycle(
    runtime: Runtime, max_workers: int = MAX_PARALLEL_SERVERS
) -> CycleReport:
    """Scan every server in parallel, then post the alerts that are due."""
    with runtime.store.session() as session:
        server_ids = session.scalars(select(Server.id).order_by(Server.name)).all()

    report = CycleReport()
    if server_ids:
        workers = max(1, min(max_workers, len(server_ids)))
        with ThreadPoolExecutor(workers, thread_name_prefix="scan") as pool:
            scans = pool.map(lambda sid: scan_server(runtime, sid), server_ids)
            report.servers = list(scans)
    report.alerts_sent = alerts.post_alerts(runtime)
    return report


def scan_server(runtime: Runtime, server_id: int) -> ServerScan:
    """Read and record the new error entries of one server's log sources."""
    started = time.monotonic()
    now = runtime.clock.now()
    server, planned = _plan(runtime, server_id, now)
    scan = ServerScan(server=server.name, sources=len(planned))
    if not planned:
        return scan

    try:
        results = _read(runtime, server, planned)
        scan.round_trips = 1
    except RemoteError as error:
        scan.error = error.reason
        _server_unreachable(runtime, server_id, error.reason, now)
        log.info("scan %s: failed (%s)", server.name, error.reason)
        return scan

    scan.entries, back = _record(runtime, server_id, planned, results, now)
    if back:
        _announce_back(runtime, server.name, now)
    log.info(
        "scan %s: %d sources, %d error entries, %.0f ms",
        server.name,
        len(planned),
        scan.entries,
        (time.monotonic() - started) * 1000,
    )
    return scan


def _plan(
    runtime: Runtime, server_id: int, now: datetime
) -> tuple[Server, list[PlannedSource]]:
    with runtime.store.session() as session:
        server = session.get_one(Server, server_id)
        sources = session.scalars(
            select(LogSource)
            .join(Batch)
            .where(Batch.server_id == server_id)
            .order_by(LogSource.id)
        ).all()
        planned = []
        for source in sources:
            spec = source_spec(source, runtime.settings.timezone)
            state = source.checkpoint
            requests = logengine.plan_reads(spec, state, now)
            planned.append(
                PlannedSource(
                    source.id, source.batch_id, source.version, spec, state, requests
                )
            )
        session.expunge(server)
    return server, planned


def source_spec(source: LogSource, default_timezone: str) -> logengine.SourceSpec:
    return logengine.SourceSpec(
        path=source.path,
        pattern=source.pattern,
        encoding=source.encoding or "auto",
        timezone=source.timezone or default_timezone,
        level_pattern=source.level_pattern,
    )


def _read(
    runtime: Runtime, server: Server, planned: list[PlannedSource]
) -> list[ReadResult]:
    session = runtime.open_session(server)
    try:
        return session.read_files([r for p in planned for r in p.requests])
    finally:
        session.close()


def results_for(source: PlannedSource, results: list[ReadResult]) -> list[ReadResult]:
    """The results that answer this source's requests."""
    mine = []
    for request in source.requests:
        for result in results:
            if _answers(request, result):
                mine.append(result)
    return mine


def _answers(request: ReadRequest, result: ReadResult) -> bool:
    if request.pattern is None:
        return result.path == request.path
    folder, sep, name = result.path.replace("\\", "/").rpartition("/")
    wanted = request.path.replace("\\", "/").rstrip("/")
    return bool(sep) and folder == wanted and fnmatch.fnmatch(name, request.pattern)


def _record(
    runtime: Runtime,
    server_id: int,
    planned: list[PlannedSource],
    results: list[ReadResult],
    now: datetime,
) -> tuple[int, bool]:
    """Store each source's entries with its new checkpoint, in one transaction.

    Returns how many entries were stored, and whether the server answered
    again after a failure.

    A source whose version moved since it was planned was scanned by another
    scanner meanwhile: its entries are dropped, the others are kept. Sources
    with nothing new only get their scan time.
    """
    changed: list[Changed] = []
    idle: dict[str | None, list[int]] = {}
    for source in planned:
        mine = results_for(source, results)
        outcome = logengine.apply_reads(source.spec, source.state, mine, now)
        if outcome.entries or outcome.state != source.state:
            changed.append((source, outcome, log_activity(mine, now)))
        else:
            error = "; ".join(outcome.errors) or None
            idle.setdefault(error, []).append(source.source_id)

    with runtime.store.session() as session:
        connection = session.connection()
        for error, ids in idle.items():
            connection.execute(
                update(SOURCES)
                .where(SOURCES.c.id.in_(ids))
                .values(last_scan_at=now, last_scan_error=error)
            )
        kept = [
            (source.source_id, source.batch_id, outcome.entries)
            for source, outcome, _ in _claim_sources(connection, changed, now)
        ]
        stored = alerts.record_entries(connection, kept, now)
        back = _server_answered(connection, server_id, now)
    return stored, back


CLAIM = (
    update(SOURCES)
    .where(
        SOURCES.c.id == bindparam("source_id"),
        SOURCES.c.version == bindparam("planned_version"),
    )
    .values(
        checkpoint=bindparam("new_checkpoint"),
        version=bindparam("new_version"),
        last_scan_at=bindparam("scanned_at"),
        last_scan_error=bindparam("scan_error"),
        last_activity_at=func.coalesce(
            bindparam("activity"), SOURCES.c.last_activity_at
        ),
    )
)


def _claim_sources(
    connection: Connection, changed: list[Changed], now: datetime
) -> list[Changed]:
    """Store the new checkpoints of the sources whose version did not move.

    All at once when no other scanner got in between (the usual case); one
    by one otherwise, to keep the sources that are still ours.
    """
    rows = [_claim_row(item, now) for item in changed]
    if not rows:
        return []
    if connection.dialect.supports_sane_multi_rowcount:
        with connection.begin_nested() as attempt:
            if connection.execute(CLAIM, rows).rowcount == len(rows):
                return changed
            attempt.rollback()

    claimed = []
    for row, item in zip(rows, changed, strict=True):
        if connection.execute(CLAIM, row).rowcount == 1:
            claimed.append(item)
        else:
            log.info("log source %s scanned elsewhere meanwhile", row["source_id"])
    return claimed


def _claim_row(item: Changed, now: datetime) -> dict[str, Any]:
    source, outcome, activity = item
    return {
        "source_id": source.source_id,
        "planned_version": source.version,
        "new_checkpoint": outcome.state,
        "new_version": source.version + 1,
        "scanned_at": now,
        "scan_error": "; ".join(outcome.errors) or None,
        "activity": activity,
    }


def log_activity(results: list[ReadResult], now: datetime) -> datetime | None:
    """When the batch last wrote to its log, if new bytes came: the newest
    modification time among them (the scan may run long after the writing)."""
    grown = [result for result in results if result.data and not result.error]
    if not grown:
        return None
    return max((r.modified for r in grown if r.modified), default=now)


def _server_unreachable(
    runtime: Runtime, server_id: int, reason: str, now: datetime
) -> None:
    """Mark the server down; the first failure alone posts a card."""
    with runtime.store.session() as session:
        changed = session.execute(
            update(Server)
            .where(Server.id == server_id, Server.reachable.is_(True))
            .values(reachable=False, last_error=reason)
            .execution_options(synchronize_session=False)
        )
        name = session.get_one(Server, server_id).name
    if changed.rowcount == 1:  # type: ignore[attr-defined]
        content = cards.server_down_card(runtime.settings.lang, name, reason)
        runtime.messenger.send(runtime.alert_channel, content)


def _server_answered(connection: Connection, server_id: int, now: datetime) -> bool:
    """Note the contact; True when the server was marked unreachable."""
    back = connection.execute(
        update(SERVERS)
        .where(SERVERS.c.id == server_id, SERVERS.c.reachable.is_(False))
        .values(reachable=True, last_error=None, last_contact_at=now)
    )
    if back.rowcount == 1:
        return True
    connection.execute(
        update(SERVERS).where(SERVERS.c.id == server_id).values(last_contact_at=now)
    )
    return False


def _announce_back(runtime: Runtime, name: str, now: datetime) -> None:
    settings = runtime.settings
    content = cards.server_back_card(settings.lang, settings.zone, name, now)
    runtime.messenger.send(runtime.alert_channel, content)
