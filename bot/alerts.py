"""Alert logic: error events into error groups, groups into alert cards.

A card goes out for a new group, for a group that fires again after it was
acknowledged, and for a group still firing an hour after its last card (with
the count since that card). A silenced group waits until its silence ends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import cards
from bot.logengine import LogEntry
from bot.runtime import Runtime
from bot.store import Batch, ErrorEvent, ErrorGroup, LogSource

log = logging.getLogger(__name__)

REALERT_AFTER = timedelta(hours=1)
SILENCE_FOR = timedelta(hours=24)


def record_entries(
    session: Session, source: LogSource, entries: Iterable[LogEntry], now: datetime
) -> int:
    """Store error entries as events of their groups; returns how many."""
    groups: dict[str, ErrorGroup] = {}
    stored = 0
    for entry in entries:
        group = groups.get(entry.fingerprint) or _group_for(session, source, entry)
        groups[entry.fingerprint] = group
        group.count += 1
        group.unalerted += 1
        group.first_seen = min(group.first_seen, entry.timestamp)
        if entry.timestamp >= group.last_seen:
            group.last_seen = entry.timestamp
            group.sample = entry.message
        session.add(
            ErrorEvent(
                log_source_id=source.id,
                batch_id=source.batch_id,
                group=group,
                occurred_at=entry.timestamp,
                read_at=now,
                level=entry.level,
                message=entry.message,
                fingerprint=entry.fingerprint,
                path=entry.path,
                offset=entry.offset,
            )
        )
        stored += 1
    return stored


def _group_for(session: Session, source: LogSource, entry: LogEntry) -> ErrorGroup:
    group = session.scalar(
        select(ErrorGroup).where(
            ErrorGroup.batch_id == source.batch_id,
            ErrorGroup.fingerprint == entry.fingerprint,
        )
    )
    if group is None:
        group = ErrorGroup(
            batch_id=source.batch_id,
            fingerprint=entry.fingerprint,
            level=entry.level,
            sample=entry.message,
            count=0,
            unalerted=0,
            first_seen=entry.timestamp,
            last_seen=entry.timestamp,
        )
        session.add(group)
    return group


def needs_card(group: ErrorGroup, now: datetime) -> bool:
    if group.unalerted <= 0:
        return False
    if group.silenced_until is not None and group.silenced_until > now:
        return False
    if group.last_alerted_at is None:
        return True
    if group.acknowledged_at and group.acknowledged_at >= group.last_alerted_at:
        return True
    return now - group.last_alerted_at >= REALERT_AFTER


@dataclass(frozen=True)
class Claim:
    group_id: int
    count: int
    previous_alert: datetime | None
    facts: cards.AlertFacts
    channel: str | None


def post_alerts(runtime: Runtime) -> int:
    """Send a card for every group that needs one; returns how many were sent."""
    now = runtime.clock.now()
    sent = 0
    for claim in _claim_groups(runtime, now):
        content = cards.alert_card(
            runtime.settings.lang, runtime.settings.zone, claim.facts
        )
        try:
            runtime.messenger.send(claim.channel or runtime.alert_channel, content)
        except Exception as error:
            log.warning("alert for group %s not sent: %s", claim.group_id, error)
            _release(runtime, claim)
            continue
        sent += 1
    return sent


def _claim_groups(runtime: Runtime, now: datetime) -> list[Claim]:
    """Take the groups due a card; a conditional update makes each claim ours."""
    claims = []
    with runtime.store.session() as session:
        due = session.scalars(
            select(ErrorGroup).where(ErrorGroup.unalerted > 0).order_by(ErrorGroup.id)
        ).all()
        for group in due:
            if not needs_card(group, now):
                continue
            claimed = session.execute(
                update(ErrorGroup)
                .where(
                    ErrorGroup.id == group.id,
                    ErrorGroup.unalerted == group.unalerted,
                )
                .values(unalerted=0, last_alerted_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                claims.append(_claim(session, group))
    return claims


def _claim(session: Session, group: ErrorGroup) -> Claim:
    batch = session.get_one(Batch, group.batch_id)
    last = session.scalar(
        select(ErrorEvent)
        .where(ErrorEvent.group_id == group.id)
        .order_by(ErrorEvent.occurred_at.desc(), ErrorEvent.id.desc())
        .limit(1)
    )
    facts = cards.AlertFacts(
        group_id=group.id,
        batch=batch.name,
        client=batch.client.name if batch.client else "—",
        server=batch.server.name,
        occurred_at=last.occurred_at if last else group.last_seen,
        path=last.path if last else "",
        message=last.message if last else group.sample,
        count=group.unalerted,
        returning=group.last_alerted_at is not None,
    )
    channel = batch.client.channel_jid if batch.client else None
    return Claim(group.id, group.unalerted, group.last_alerted_at, facts, channel)


def _release(runtime: Runtime, claim: Claim) -> None:
    """Give a claim back after a failed send, so the next cycle retries it."""
    with runtime.store.session() as session:
        session.execute(
            update(ErrorGroup)
            .where(ErrorGroup.id == claim.group_id)
            .values(
                unalerted=ErrorGroup.unalerted + claim.count,
                last_alerted_at=claim.previous_alert,
            )
        )


def acknowledge(session: Session, group_id: int, user: str, now: datetime) -> bool:
    group = session.get(ErrorGroup, group_id)
    if group is None:
        return False
    group.acknowledged_by = user
    group.acknowledged_at = now
    return True


def silence(session: Session, group_id: int, user: str, now: datetime) -> bool:
    group = session.get(ErrorGroup, group_id)
    if group is None:
        return False
    group.acknowledged_by = user
    group.silenced_until = now + SILENCE_FOR
    return True
