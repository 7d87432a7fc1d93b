"""The store: SQLAlchemy models and sessions.

Times are stored in UTC and come back timezone-aware, whatever the database.
The schema is managed by Alembic (``bot/migrations``, ``batchops db upgrade``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

CATEGORIES = ("send", "import", "export", "purge", "recurring")
STATES = ("ready", "inactive", "disabled")
ENVIRONMENTS = ("RecetteInterne", "RecetteClient", "Production")
ROLES = ("viewer", "operator", "admin")
"""From the least to the most trusted: each may do what the one before may."""
STATUS_SOURCES = ("chat", "detected", "import", "deploy")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Server(Base):
    """A scheduling server: a Windows host, or a local folder for the demo."""

    __tablename__ = "servers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="local")
    root: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255))
    port: Mapped[int | None] = mapped_column(Integer)
    auth: Mapped[str | None] = mapped_column(String(20))
    username: Mapped[str | None] = mapped_column(String(255))
    use_ssl: Mapped[bool] = mapped_column(Boolean, default=True)
    cert_validation: Mapped[bool] = mapped_column(Boolean, default=True)
    task_folder: Mapped[str | None] = mapped_column(String(255))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    environments: Mapped[list[str] | None] = mapped_column(JSON)
    """The environments deploys may target here; None for any."""

    batches: Mapped[list[Batch]] = relationship(back_populates="server")


class Client(Base):
    """The insurer or mutual a batch works for."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    domain: Mapped[str | None] = mapped_column(String(255))
    project_manager_name: Mapped[str | None] = mapped_column(String(255))
    project_manager_jid: Mapped[str | None] = mapped_column(String(255))
    channel_jid: Mapped[str | None] = mapped_column(String(255))

    batches: Mapped[list[Batch]] = relationship(back_populates="client")


class Batch(Base):
    """One scheduled job: a task in Task Scheduler plus its folder and log."""

    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("server_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    server_id: Mapped[int] = mapped_column(ForeignKey("servers.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    category: Mapped[str] = mapped_column(String(20), default="recurring")
    environment: Mapped[str] = mapped_column(String(20), default="Production")
    schedule: Mapped[str | None] = mapped_column(String(255))
    execution_folder: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="ready")
    created_on: Mapped[date | None] = mapped_column(Date)
    deployed_by: Mapped[str | None] = mapped_column(String(255))
    task_path: Mapped[str | None] = mapped_column(Text)
    task_state: Mapped[str | None] = mapped_column(String(20))
    task_last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    task_last_result: Mapped[int | None] = mapped_column(BigInteger)
    task_next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    task_missed_runs: Mapped[int | None] = mapped_column(Integer)
    task_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    task_triggers: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    """The task's triggers as last read, for the expected runs."""
    ping_uuid: Mapped[str | None] = mapped_column(
        String(36), index=True, unique=True, default=lambda: str(uuid.uuid4())
    )
    """The secret part of the batch's heartbeat URL; set at creation."""
    expect_cron: Mapped[str | None] = mapped_column(String(120))
    """A cron expression; when unset, the task's triggers say when it runs."""
    expect_timezone: Mapped[str | None] = mapped_column(String(64))
    expect_grace_minutes: Mapped[int | None] = mapped_column(Integer)
    run_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    expect_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Runs due before this moment are not checked (the schedule was new)."""
    watch_state: Mapped[str] = mapped_column(
        String(20), default="ok", server_default="ok"
    )
    """ok, silent (a due run showed no activity), failed, or overdue."""
    watch_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """What the current problem is about: the due run, or the run's start."""
    watch_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deployed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When batchops last deployed it here; None for a batch it did not deploy."""
    artifact: Mapped[str | None] = mapped_column(String(255))
    artifact_sha256: Mapped[str | None] = mapped_column(String(64))

    server: Mapped[Server] = relationship(back_populates="batches")
    client: Mapped[Client | None] = relationship(back_populates="batches")
    log_sources: Mapped[list[LogSource]] = relationship(back_populates="batch")


class LogSource(Base):
    """A file, or a folder with a name pattern, that a batch writes its log to.

    ``checkpoint`` is the log engine's own state; only the engine reads it.
    ``version`` grows with every committed scan, so two scanners never both
    commit the same bytes.
    """

    __tablename__ = "log_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    path: Mapped[str] = mapped_column(Text)
    pattern: Mapped[str | None] = mapped_column(String(255))
    encoding: Mapped[str] = mapped_column(String(20), default="auto")
    timezone: Mapped[str | None] = mapped_column(String(64))
    level_pattern: Mapped[str | None] = mapped_column(Text)
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=0)
    last_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_scan_error: Mapped[str | None] = mapped_column(Text)
    last_scan_ms: Mapped[int | None] = mapped_column(Integer)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When new bytes last came: the newest modification time among them."""

    batch: Mapped[Batch] = relationship(back_populates="log_sources")


class ErrorGroup(Base):
    """Error events of one batch that share a fingerprint."""

    __tablename__ = "error_groups"
    __table_args__ = (UniqueConstraint("batch_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(10))
    sample: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    unalerted: Mapped[int] = mapped_column(Integer, default=0)
    """Events since the last alert card."""
    last_alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(255))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    silenced_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    batch: Mapped[Batch] = relationship()


class ErrorEvent(Base):
    """One error entry of a log, its stack trace included."""

    __tablename__ = "error_events"
    __table_args__ = (
        Index("ix_error_events_batch_time", "batch_id", "occurred_at"),
        Index("ix_error_events_time", "occurred_at"),
        # Covers the error reports' aggregates, so they never read the rows.
        Index(
            "ix_error_events_time_batch_group", "occurred_at", "batch_id", "group_id"
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    log_source_id: Mapped[int] = mapped_column(ForeignKey("log_sources.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("error_groups.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
    level: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)
    offset: Mapped[int] = mapped_column(BigInteger)

    batch: Mapped[Batch] = relationship()
    group: Mapped[ErrorGroup] = relationship()


class BatchRun(Base):
    """One run of a batch as its heartbeats told it: start, end, exit code."""

    __tablename__ = "batch_runs"
    __table_args__ = (Index("ix_batch_runs_batch_ping", "batch_id", "last_ping_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    outcome: Mapped[str] = mapped_column(String(12))
    """running, success, failed, or unfinished (another start came first)."""
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ping_at: Mapped[datetime] = mapped_column(UTCDateTime)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    output: Mapped[str | None] = mapped_column(Text)
    """The last lines of the script's output, as it sent them."""

    batch: Mapped[Batch] = relationship()


class Probe(Base):
    """An HTTP check of an API a batch or a client depends on."""

    __tablename__ = "probes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    url: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(10), default="GET")
    expected_status: Mapped[int] = mapped_column(Integer, default=200)
    keyword: Mapped[str | None] = mapped_column(String(255))
    timeout_s: Mapped[float] = mapped_column(Float, default=5.0)
    interval_s: Mapped[int] = mapped_column(Integer, default=60)
    failure_threshold: Mapped[int] = mapped_column(Integer, default=3)
    state: Mapped[str] = mapped_column(String(10), default="up")
    """up, or down once ``failure_threshold`` checks in a row failed."""
    failures: Mapped[int] = mapped_column(Integer, default=0)
    """Consecutive failed checks."""
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_latency_ms: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    batch: Mapped[Batch | None] = relationship()
    client: Mapped[Client | None] = relationship()


class ProbeResult(Base):
    """One check of a probe."""

    __tablename__ = "probe_results"
    __table_args__ = (Index("ix_probe_results_probe_time", "probe_id", "checked_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    probe_id: Mapped[int] = mapped_column(ForeignKey("probes.id"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """A card that would have gone to Zoom, kept when Zoom is not configured."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(10))
    """``send`` or ``edit``."""
    message_id: Mapped[str] = mapped_column(String(64), index=True)
    to_jid: Mapped[str] = mapped_column(String(255))
    user_jid: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class ReportPost(Base):
    """A scheduled report for one period: claimed, then sent, at most once.

    The unique (kind, period) pair is the claim: whichever instance inserts
    the row posts the report. ``last_error`` holds why the last try failed;
    such a row, or a claim left too long without a send, may be taken again.
    """

    __tablename__ = "report_posts"
    __table_args__ = (UniqueConstraint("kind", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    period_key: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    to_jid: Mapped[str | None] = mapped_column(String(255))
    message_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)


class WebhookDelivery(Base):
    """A Zoom event already taken in; a second delivery of it is ignored."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    event: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def table(model: type[Base]) -> Table:
    """A model's table, for statements that skip the unit of work."""
    found = model.__table__
    assert isinstance(found, Table)
    return found


class User(Base):
    """A Zoom user's role in batchops; someone without a row is a viewer."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    zoom_user: Mapped[str] = mapped_column(String(255), unique=True)
    """The Zoom user id (``userId`` of events) or the user's JID."""
    name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    granted_by: Mapped[str] = mapped_column(String(255))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StatusChange(Base):
    """One change of a batch's state; rows are appended, never edited.

    ``from_state`` is None when the batch entered the inventory. The database
    refuses an UPDATE of this table (migration 0004).
    """

    __tablename__ = "status_changes"
    __table_args__ = (Index("ix_status_changes_batch_time", "batch_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    changed_by: Mapped[str] = mapped_column(String(255))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))

    batch: Mapped[Batch] = relationship()


class StatusNotice(Base):
    """A status change still to tell, or told, to one audience.

    ``audience`` is ``pm`` (a direct message to ``to_jid``) or ``channel``
    (the team's channel). A sender claims pending notices with a conditional
    UPDATE of ``claim``; a claim older than the lease may be taken over.
    """

    __tablename__ = "status_notices"
    __table_args__ = (Index("ix_status_notices_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status_change_id: Mapped[int] = mapped_column(
        ForeignKey("status_changes.id"), index=True
    )
    audience: Mapped[str] = mapped_column(String(10))
    to_jid: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    """``pending``, ``sent``, or ``failed`` when Zoom refused it for good."""
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)

    change: Mapped[StatusChange] = relationship()


PLAN_KINDS = ("deploy", "disable", "enable")
PLAN_STATUSES = ("pending", "running", "done", "failed", "cancelled")


class ActionPlan(Base):
    """A deploy, disable or enable shown on a card and waiting for its buttons.

    ``document`` is the plan itself; ``plan_hash`` the SHA-256 of its
    canonical JSON, which the buttons' tokens carry. A click claims the plan
    with a conditional UPDATE of ``status`` (or of ``confirmed`` for a first
    of two confirmations), so a double click runs it once.
    """

    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    batch: Mapped[str] = mapped_column(String(200))
    server: Mapped[str] = mapped_column(String(100))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan_hash: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[list[str]] = mapped_column(JSON)
    """The command's words, to plan again at the click and compare."""
    notes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """What the card shows beside the plan (evidence of a run), not hashed."""
    requested_by: Mapped[str] = mapped_column(String(255))
    requested_name: Mapped[str] = mapped_column(String(255))
    to_jid: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    needed: Mapped[int] = mapped_column(Integer, default=1)
    """Confirmations it takes: two for a go-live."""
    confirmed: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_by: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    progress: Mapped[list[str] | None] = mapped_column(JSON)
    """Each step's state: todo, running, done, failed, undone, undo_failed."""
    outcome: Mapped[str | None] = mapped_column(Text)
    """Why it failed, or who cancelled it."""
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Store:
    """The database engine and its session factory."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        if url.startswith("sqlite"):
            engine_options.setdefault("connect_args", {"check_same_thread": False})
        self.engine: Engine = create_engine(url, **engine_options)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin_immediate)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun by _sqlite_begin_immediate, not by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # The web worker, the scheduler and the CLI share the file: wait, don't fail.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL keeps the database intact on a crash; only the last
    # transactions before a power cut may be lost, and a scan re-reads them.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock when a transaction begins.

    A transaction that starts reading and later writes cannot wait for the
    lock another writer holds: SQLite fails it at once with "database is
    locked". Taking the lock up front makes concurrent writers queue instead.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")
