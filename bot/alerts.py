"""Alert logic: error events into error groups, groups into alert cards.

A card goes out for a new group, for a group that fires again after it was
acknowledged, and for a group still firing an hour after its last card (with
the count since that card). A silenced group waits until its silence ends.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from bot import cards
from bot.logengine import LogEntry
from bot.runtime import Runtime
from bot.store import Batch, ErrorEvent, ErrorGroup, table

EVENTS = table(ErrorEvent)
GROUPS = table(ErrorGroup)

log = logging.getLogger(__name__)

REALERT_AFTER = timedelta(hours=1)
SILENCE_FOR = timedelta(hours=24)
STORM_CARDS = 25


def record_entries(
    connection: Connection,
    found: Iterable[tuple[int, int, list[LogEntry]]],
    now: datetime,
) -> int:
    """Store error entries as events of their groups; returns how many.

    ``found`` holds (log source id, batch id, entries). Written with a few
    SQL statements rather than objects: a scan cycle records thousands of
    entries, and a unit of work's bookkeeping would cost more than the work.
    """
    by_group: dict[tuple[int, str], list[tuple[int, LogEntry]]] = defaultdict(list)
    for source_id, batch_id, entries in found:
        for entry in entries:
            by_group[(batch_id, entry.fingerprint)].append((source_id, entry))
    if not by_group:
        return 0

    group_ids = _count_in_groups(connection, by_group)
    rows = [
        {
            "log_source_id": source_id,
            "batch_id": key[0],
            "group_id": group_ids[key],
            "occurred_at": entry.timestamp,
            "read_at": now,
            "level": entry.level,
            "message": entry.message,
            "fingerprint": entry.fingerprint,
            "path": entry.path,
            "offset": entry.offset,
        }
        for key, items in by_group.items()
        for source_id, entry in items
    ]
    connection.execute(insert(EVENTS), rows)
    return len(rows)


def _count_in_groups(
    connection: Connection,
    by_group: dict[tuple[int, str], list[tuple[int, LogEntry]]],
) -> dict[tuple[int, str], int]:
    """Add the entries to their groups, made when new; returns the groups' ids."""
    batch_ids = {batch_id for batch_id, _ in by_group}
    fingerprints = {fingerprint for _, fingerprint in by_group}
    existing = {
        (row.batch_id, row.fingerprint): row
        for row in connection.execute(
            select(
                GROUPS.c.id,
                GROUPS.c.batch_id,
                GROUPS.c.fingerprint,
                GROUPS.c.first_seen,
                GROUPS.c.last_seen,
                GROUPS.c.sample,
            ).where(
                GROUPS.c.batch_id.in_(batch_ids),
                GROUPS.c.fingerprint.in_(fingerprints),
            )
        )
    }

    ids: dict[tuple[int, str], int] = {}
    changes = []
    created = []
    for key, items in by_group.items():
        entries = [entry for _, entry in items]
        earliest = min(entry.timestamp for entry in entries)
        latest = max(entries, key=lambda entry: entry.timestamp)
        group = existing.get(key)
        if group is None:
            created.append(_new_group(key, entries, earliest, latest))
            continue
        ids[key] = group.id
        newer = latest.timestamp >= group.last_seen
        changes.append(
            {
                "group_id": group.id,
                "added": len(entries),
                "first": min(group.first_seen, earliest),
                "last": latest.timestamp if newer else group.last_seen,
                "new_sample": latest.message if newer else group.sample,
            }
        )
    if created:
        made = connection.execute(
            insert(GROUPS).returning(
                GROUPS.c.id, GROUPS.c.batch_id, GROUPS.c.fingerprint
            ),
            created,
        )
        ids.update({(row.batch_id, row.fingerprint): row.id for row in made})
    if changes:
        connection.execute(
            update(GROUPS)
            .where(GROUPS.c.id == bindparam("group_id"))
            .values(
                count=GROUPS.c.count + bindparam("added"),
                unalerted=GROUPS.c.unalerted + bindparam("added"),
                first_seen=bindparam("first"),
                last_seen=bindparam("last"),
                sample=bindparam("new_sample"),
            ),
            changes,
        )
    return ids


def _new_group(
    key: tuple[int, str],
    entries: list[LogEntry],
    earliest: datetime,
    latest: LogEntry,
) -> dict[str, Any]:
    return {
        "batch_id": key[0],
        "fingerprint": key[1],
        "level": latest.level,
        "sample": latest.message,
        "count": len(entries),
        "unalerted": len(entries),
        "first_seen": earliest,
        "last_seen": latest.timestamp,
    }


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
    """Send a card for every group that needs one; returns how many were sent.

    When more than ``STORM_CARDS`` cards are due in one channel at once (a
    first scan of old logs, a shared dependency down), that channel gets one
    digest card instead of a flood.
    """
    by_channel: dict[str, list[Claim]] = defaultdict(list)
    for claim in _claim_groups(runtime, runtime.clock.now()):
        by_channel[claim.channel or runtime.alert_channel].append(claim)

    sent = 0
    settings = runtime.settings
    for channel, claims in by_channel.items():
        if len(claims) > STORM_CARDS:
            batches = [claim.facts for claim in claims]
            content = cards.alert_digest_card(settings.lang, batches)
            sent += _send(runtime, channel, content, claims)
            continue
        for claim in claims:
            content = cards.alert_card(settings.lang, settings.zone, claim.facts)
            sent += _send(runtime, channel, content, [claim])
    return sent


def _send(
    runtime: Runtime, channel: str, content: cards.Content, claims: list[Claim]
) -> int:
    """Send one card; on failure give its claims back for the next cycle."""
    try:
        runtime.messenger.send(channel, content)
    except Exception as error:
        log.warning("alert card to %s not sent: %s", channel, error)
        for claim in claims:
            _release(runtime, claim)
        return 0
    return 1


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
