"""The store: SQLAlchemy models and sessions.

Times are stored in UTC and come back timezone-aware, whatever the database.
The schema is managed by Alembic (``bot/migrations``, ``batchops db upgrade``).
"""

from __future__ import annotations

import logging
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
    ForeignKey,
    Index,
    Integer,
    String,
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


class Store:
    """The database engine and its session factory."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        if url.startswith("sqlite"):
            engine_options.setdefault("connect_args", {"check_same_thread": False})
        self.engine: Engine = create_engine(url, **engine_options)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
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
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # The web worker, the scheduler and the CLI share the file: wait, don't fail.
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
