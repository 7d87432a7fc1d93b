"""Status changes: every change of a batch's state, appended, then told.

Whatever the path (chat, task sync, import, deploy), a change goes through
:func:`record_status_change`, inside the caller's transaction: the batch's
state moves, the change is appended with who, when, from, to, why and source,
and its notices are queued in the same transaction: one for the team's
channel, one for the client's project manager when the client has one.

Once that transaction is committed, :func:`notify_status_changes` sends what
is pending: one direct message per project manager and one card in the team's
channel, however many changes there are. Notices are claimed with a
conditional UPDATE before sending and marked sent after, so two senders never
send the same notice, a failed send is retried by the next call, and a sender
that dies mid-way leaves its notices to be taken over once its claim is old.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import inspect, or_, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value

from bot.cards import inventory as inventory_cards
from bot.runtime import Runtime
from bot.store import (
    STATES,
    STATUS_SOURCES,
    Batch,
    Client,
    Server,
    StatusChange,
    StatusNotice,
)
from integrations.zoom.errors import ZoomError

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)
"""How long a claim holds before another sender may take its notices over."""
MAX_STATE_RACES = 5
CHANNEL = "channel"
PROJECT_MANAGER = "pm"


class StateRaceError(Exception):
    """A batch's state kept changing under us; nothing was recorded."""


def record_status_change(
    session: Session,
    batch: Batch,
    to_state: str,
    who: str,
    why: str,
    source: str,
    now: datetime,
    *,
    even_if_unchanged: bool = False,
) -> StatusChange | None:
    """Move ``batch`` to ``to_state`` and append the change with its notices.

    A batch not yet in the store (new, or added but not flushed) enters it in
    ``to_state``, its change coming from no state. Otherwise the move is a
    conditional UPDATE on the state as the database has it now, so a change
    made meanwhile by another path is neither lost nor recorded twice.
    Returns None when the batch already is in ``to_state``, unless
    ``even_if_unchanged`` (a redeploy is told even when the state stays);
    otherwise the change, which gets its id when the caller's session
    flushes. Call :func:`notify_status_changes` once the transaction is
    committed.
    """
    if to_state not in STATES:
        raise ValueError(f"unknown state {to_state!r}")
    if source not in STATUS_SOURCES:
        raise ValueError(f"unknown source {source!r}")

    if inspect(batch).transient or inspect(batch).pending:
        batch.state = to_state
        session.add(batch)
        return _append(session, batch, None, to_state, (who, why, source, now))

    for _ in range(MAX_STATE_RACES):
        from_state = session.scalar(select(Batch.state).where(Batch.id == batch.id))
        if from_state == to_state:
            set_committed_value(batch, "state", to_state)
            if not even_if_unchanged:
                return None
            return _append(
                session, batch, from_state, to_state, (who, why, source, now)
            )
        if _move(session, batch.id, from_state, to_state):
            set_committed_value(batch, "state", to_state)
            return _append(
                session, batch, from_state, to_state, (who, why, source, now)
            )
    raise StateRaceError(f"the state of batch {batch.id} keeps changing")


def _move(session: Session, batch_id: int, from_state: str | None, to: str) -> bool:
    moved = session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.state == from_state)
        .values(state=to)
        .execution_options(synchronize_session=False)
    )
    return bool(moved.rowcount == 1)  # type: ignore[attr-defined]


def _append(
    session: Session,
    batch: Batch,
    from_state: str | None,
    to_state: str,
    context: tuple[str, str, str, datetime],
) -> StatusChange:
    who, why, source, now = context
    # Linked by relationship rather than by id: the rows of a whole import go
    # to the database in one flush.
    change = StatusChange(
        batch=batch,
        from_state=from_state,
        to_state=to_state,
        changed_by=who,
        changed_at=now,
        reason=why,
        source=source,
    )
    session.add(change)

    session.add(StatusNotice(change=change, audience=CHANNEL))
    manager = batch.client.project_manager_jid if batch.client else None
    if manager:
        session.add(
            StatusNotice(change=change, audience=PROJECT_MANAGER, to_jid=manager)
        )
    log.info(
        "batch %s: %s -> %s (%s, by %s)", batch.name, from_state, to_state, source, who
    )
    return change


@dataclass
class NoticeReport:
    """What one call of :func:`notify_status_changes` did."""

    messages_sent: int = 0
    notices_sent: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Claimed:
    notice_id: int
    audience: str
    to_jid: str | None
    change: inventory_cards.ChangeFacts


def notify_status_changes(runtime: Runtime) -> NoticeReport:
    """Send every pending notice: one message per project manager, one card
    in the team's channel. Safe to call at any time, from any process."""
    token = uuid.uuid4().hex
    claimed = _claim(runtime, token)
    report = NoticeReport()
    groups: dict[tuple[str, str | None], list[_Claimed]] = defaultdict(list)
    for notice in claimed:
        groups[(notice.audience, notice.to_jid)].append(notice)

    for (audience, to_jid), notices in groups.items():
        _send_group(runtime, token, audience, to_jid, notices, report)
    return report


def _claim(runtime: Runtime, token: str) -> list[_Claimed]:
    now = runtime.clock.now()
    with runtime.store.session() as session:
        session.execute(
            update(StatusNotice)
            .where(
                StatusNotice.state == "pending",
                or_(
                    StatusNotice.claim.is_(None),
                    StatusNotice.claimed_at < now - CLAIM_LEASE,
                ),
            )
            .values(claim=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        return _claimed(session, token)


def _claimed(session: Session, token: str) -> list[_Claimed]:
    client = aliased(Client)
    rows = session.execute(
        select(StatusNotice, StatusChange, Batch.name, Server.name, client.name)
        .join(StatusChange, StatusNotice.status_change_id == StatusChange.id)
        .join(Batch, StatusChange.batch_id == Batch.id)
        .join(Server, Batch.server_id == Server.id)
        .outerjoin(client, Batch.client_id == client.id)
        .where(StatusNotice.claim == token)
        .order_by(StatusChange.changed_at, StatusChange.id)
    )
    return [
        _Claimed(
            notice.id,
            notice.audience,
            notice.to_jid,
            change_facts(change, batch, server, client_name),
        )
        for notice, change, batch, server, client_name in rows
    ]


def change_facts(
    change: StatusChange, batch: str, server: str, client: str | None
) -> inventory_cards.ChangeFacts:
    return inventory_cards.ChangeFacts(
        batch=batch,
        server=server,
        client=client,
        from_state=change.from_state,
        to_state=change.to_state,
        changed_by=change.changed_by,
        changed_at=change.changed_at,
        reason=change.reason,
        source=change.source,
    )


def _send_group(
    runtime: Runtime,
    token: str,
    audience: str,
    to_jid: str | None,
    notices: list[_Claimed],
    report: NoticeReport,
) -> None:
    settings = runtime.settings
    changes = [notice.change for notice in notices]
    if audience == PROJECT_MANAGER and to_jid:
        content = inventory_cards.manager_notice_card(
            settings.lang, settings.zone, changes
        )
    else:
        content = inventory_cards.channel_notice_card(
            settings.lang, settings.zone, changes
        )
    destination = to_jid or runtime.alert_channel
    ids = [notice.notice_id for notice in notices]

    try:
        message_id = runtime.messenger.send(destination, content)
    except ZoomError as error:
        _release(runtime, token, ids, error)
        report.failures.append(f"{destination}: {error.reason}")
        log.warning(
            "status notices to %s not sent (%s), %s",
            destination,
            error.reason,
            "to retry" if error.retryable else "given up",
        )
        return

    _mark_sent(runtime, token, ids, message_id)
    report.messages_sent += 1
    report.notices_sent += len(ids)
    log.info("status notices sent to %s: %d changes", destination, len(ids))


def _mark_sent(runtime: Runtime, token: str, ids: list[int], message_id: str) -> None:
    _settle(
        runtime,
        token,
        ids,
        state="sent",
        sent_at=runtime.clock.now(),
        message_id=message_id,
        last_error=None,
    )


def _release(runtime: Runtime, token: str, ids: list[int], error: ZoomError) -> None:
    """Give the notices back to be retried, or give up when retrying cannot help."""
    _settle(
        runtime,
        token,
        ids,
        state="pending" if error.retryable else "failed",
        claim=None,
        claimed_at=None,
        last_error=error.reason,
    )


def _settle(runtime: Runtime, token: str, ids: list[int], **values: object) -> None:
    """Record one attempt on the notices still under our claim."""
    with runtime.store.session() as session:
        session.execute(
            update(StatusNotice)
            .where(StatusNotice.id.in_(ids), StatusNotice.claim == token)
            .values(attempts=StatusNotice.attempts + 1, **values)
            .execution_options(synchronize_session=False)
        )
