"""Scheduled error reports: the past week's every Monday, optionally each day.

Both go out at 08:00 in ``BATCHOPS_TIMEZONE`` to the team's channel. Each
post is claimed in ``report_posts`` before it is sent: the row for a report
kind and period is unique, so however many instances run, and however often
they restart, one post goes out. A catch-up job, run at start-up and every few
minutes, sends a post that was missed while batchops was down, marked late.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.config import Settings
from bot.error_report import ReportSpec, local_midnight
from bot.reports import report_card
from bot.runtime import Runtime
from bot.store import ReportPost

log = logging.getLogger(__name__)

WEEKLY = "weekly"
DAILY = "daily"
POST_TIME = time(8, 0)
POST_WEEKDAY = 0
"""Monday, as :meth:`datetime.weekday` counts."""
LATE_AFTER = timedelta(minutes=15)
CATCH_UP_WITHIN = {WEEKLY: timedelta(days=3), DAILY: timedelta(hours=12)}
"""How long a missed post is still worth sending; after that, the next one."""
CLAIM_EXPIRES = timedelta(minutes=10)
"""A claim not followed by a send this long after is taken as abandoned."""
CATCH_UP_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class DuePost:
    kind: str
    period_key: str
    due_at: datetime
    spec: ReportSpec


def weekly_trigger(zone: ZoneInfo) -> CronTrigger:
    return CronTrigger(
        day_of_week="mon", hour=POST_TIME.hour, minute=POST_TIME.minute, timezone=zone
    )


def daily_trigger(zone: ZoneInfo) -> CronTrigger:
    return CronTrigger(hour=POST_TIME.hour, minute=POST_TIME.minute, timezone=zone)


def enabled_kinds(settings: Settings) -> tuple[str, ...]:
    return (WEEKLY, DAILY) if settings.daily_report else (WEEKLY,)


def latest_due(kind: str, now: datetime, zone: ZoneInfo) -> DuePost:
    """The last post of ``kind`` due at or before ``now``, and what it covers."""
    local = now.astimezone(zone)
    if kind == WEEKLY:
        return _weekly(local, zone)
    return _daily(local, zone)


def _weekly(local: datetime, zone: ZoneInfo) -> DuePost:
    monday = local.date() - timedelta(days=(local.weekday() - POST_WEEKDAY) % 7)
    if datetime.combine(monday, POST_TIME, tzinfo=zone) > local:
        monday -= timedelta(days=7)
    due = datetime.combine(monday, POST_TIME, tzinfo=zone)

    start = local_midnight(monday, zone, -7)
    year, week, _ = start.isocalendar()
    spec = ReportSpec("week", _utc(start), _utc(local_midnight(monday, zone)), "day")
    return DuePost(WEEKLY, f"{year}-W{week:02d}", _utc(due), spec)


def _daily(local: datetime, zone: ZoneInfo) -> DuePost:
    day = local.date()
    if datetime.combine(day, POST_TIME, tzinfo=zone) > local:
        day -= timedelta(days=1)
    due = _utc(datetime.combine(day, POST_TIME, tzinfo=zone))
    spec = ReportSpec("day", due - timedelta(hours=24), due, "hour")
    return DuePost(DAILY, day.isoformat(), due, spec)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def post_weekly_report(runtime: Runtime) -> int:
    return post_due_reports(runtime, (WEEKLY,))


def post_daily_report(runtime: Runtime) -> int:
    return post_due_reports(runtime, (DAILY,))


def post_due_reports(runtime: Runtime, kinds: Sequence[str] | None = None) -> int:
    """Send each enabled report whose latest post is due and not yet sent."""
    now = runtime.clock.now()
    zone = runtime.settings.zone
    posted = 0
    for kind in kinds or enabled_kinds(runtime.settings):
        due = latest_due(kind, now, zone)
        if now - due.due_at > CATCH_UP_WITHIN[kind]:
            continue
        if post_report(runtime, due, now):
            posted += 1
    return posted


def post_report(runtime: Runtime, due: DuePost, now: datetime) -> bool:
    """Claim the post, then send it; False when another instance has it."""
    claim = _claim(runtime, due, now)
    if claim is None:
        return False

    late = now - due.due_at > LATE_AFTER
    channel = runtime.alert_channel
    try:
        content = report_card(
            runtime, due.spec, runtime.settings.lang, due.due_at if late else None
        )
        message_id = runtime.messenger.send(channel, content)
    except Exception as error:
        # Boundary errors (Zoom's) carry a short reason; others need a trace.
        reason = getattr(error, "reason", None)
        log.log(
            logging.WARNING if reason else logging.ERROR,
            "report %s %s not posted, retried in a few minutes: %s",
            due.kind,
            due.period_key,
            reason or error,
            exc_info=reason is None,
        )
        _record(runtime, claim, last_error=reason or type(error).__name__)
        return False

    _record(
        runtime,
        claim,
        sent_at=now,
        late=late,
        to_jid=channel,
        message_id=message_id,
        last_error=None,
    )
    log.info(
        "report %s %s posted to %s%s",
        due.kind,
        due.period_key,
        channel,
        " (late)" if late else "",
    )
    return True


def _claim(runtime: Runtime, due: DuePost, now: datetime) -> str | None:
    """Insert the post's row, or take over a failed or abandoned one.

    The row is looked for first so that the catch-up job, which finds it
    every few minutes, does not make the database log a refused insert.
    """
    token = uuid.uuid4().hex
    this_post = (
        ReportPost.kind == due.kind,
        ReportPost.period_key == due.period_key,
    )
    with runtime.store.session() as session:
        known = session.scalar(select(ReportPost.id).where(*this_post))
    if known is None and _insert_claim(runtime, due, now, token):
        return token

    with runtime.store.session() as session:
        taken = session.execute(
            update(ReportPost)
            .where(
                *this_post,
                ReportPost.sent_at.is_(None),
                or_(
                    ReportPost.last_error.is_not(None),
                    ReportPost.claimed_at < now - CLAIM_EXPIRES,
                ),
            )
            .values(claimed_at=now, claimed_by=token, last_error=None)
            .execution_options(synchronize_session=False)
        )
    return token if taken.rowcount == 1 else None  # type: ignore[attr-defined]


def _insert_claim(runtime: Runtime, due: DuePost, now: datetime, token: str) -> bool:
    try:
        with runtime.store.session() as session:
            session.add(
                ReportPost(
                    kind=due.kind,
                    period_key=due.period_key,
                    due_at=due.due_at,
                    claimed_at=now,
                    claimed_by=token,
                )
            )
    except IntegrityError:
        return False
    return True


def _record(runtime: Runtime, claim: str, **values: object) -> None:
    with runtime.store.session() as session:
        session.execute(
            update(ReportPost)
            .where(ReportPost.claimed_by == claim)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
