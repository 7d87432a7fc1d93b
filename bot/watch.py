"""Silent batches: due runs that left no trace, runs that failed or hang.

A batch has expected runs (a cron expression, or its task's triggers) and a
grace. When a run was due and no heartbeat, no task run (Task Scheduler's last
run time) and no new log bytes came within the grace, the batch is silent.
Heartbeats also tell of runs that failed (``/fail``, a non-zero exit code) and
of runs that started and did not end within their limit.

Each batch is in one watch state: ok, silent, failed or overdue. A change of
state posts one card, an alert when a problem starts and a recovery notice
when it ends, and is claimed with a conditional update so that two workers
never post the same card.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from bot.cards import watch as cards
from bot.runtime import Runtime
from bot.schedules import (
    CronSchedule,
    DueRun,
    Schedule,
    ScheduleError,
    last_due,
    next_due,
    previous_due,
    trigger_schedules,
)
from bot.store import Batch, BatchRun, Client, LogSource, Server
from bot.tasks import refresh_tasks

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(minutes=30)
DEFAULT_RUN_LIMIT = timedelta(hours=1)
EARLY = timedelta(minutes=5)
"""A run that starts a little before it is due still counts: server clocks
differ from batchops' by a few seconds, sometimes more."""
TASK_RECHECK = timedelta(minutes=10)
"""How often a silent batch's task is read again, to see it run."""


@dataclass(frozen=True)
class RunFacts:
    """A heartbeat run as the watch sees it."""

    outcome: str
    started_at: datetime | None
    finished_at: datetime | None
    exit_code: int | None
    output: str | None


@dataclass(frozen=True)
class Evidence:
    """What shows that a batch ran, and how its last runs went."""

    last_ping_at: datetime | None = None
    task_last_run_at: datetime | None = None
    log_activity_at: datetime | None = None
    last_finished: RunFacts | None = None
    running_since: datetime | None = None
    """Start of a run still open (its end not heard yet)."""

    @property
    def last_activity(self) -> datetime | None:
        seen = (self.last_ping_at, self.task_last_run_at, self.log_activity_at)
        return max((moment for moment in seen if moment), default=None)


@dataclass(frozen=True)
class Expectation:
    schedules: Sequence[Schedule]
    grace: timedelta = DEFAULT_GRACE
    run_limit: timedelta = DEFAULT_RUN_LIMIT
    since: datetime | None = None
    """Runs due before this are not checked: the schedule was new then."""


@dataclass(frozen=True)
class Verdict:
    state: str
    """ok, silent, failed or overdue."""
    about: datetime | None = None
    """The due run (silent), the run's end (failed) or its start (overdue)."""
    deadline: datetime | None = None
    """For silent: when the grace of the due run ended."""


def judge(expectation: Expectation, evidence: Evidence, now: datetime) -> Verdict:
    """The state a batch is in, from what was expected and what was seen."""
    due = judged_run(expectation, now)
    if due is not None:
        window = activity_window(expectation.schedules, due)
        last = evidence.last_activity
        if last is None or last < window:
            return Verdict("silent", due.at, due.at + expectation.grace)

    running = evidence.running_since
    if running is not None and now - running > expectation.run_limit:
        return Verdict("overdue", running)
    finished = evidence.last_finished
    if finished is not None and finished.outcome == "failed":
        return Verdict("failed", finished.finished_at)
    return Verdict("ok")


def judged_run(expectation: Expectation, now: datetime) -> DueRun | None:
    """The latest due run whose grace is over, if it is one to check."""
    due = last_due(expectation.schedules, now - expectation.grace)
    if due is None or (expectation.since is not None and due.at < expectation.since):
        return None
    return due


def activity_window(schedules: Sequence[Schedule], due: DueRun) -> datetime:
    """From when activity counts for ``due``: a little before it, never
    before halfway from the previous run."""
    start = due.earliest - EARLY
    previous = previous_due(schedules, due)
    if previous is not None:
        start = max(start, previous.at + (due.earliest - previous.at) / 2)
    return start


def expectation_of(batch: Batch, default_zone: str) -> Expectation:
    """The batch's schedule, grace and run limit; ScheduleError if unreadable."""
    zone = zone_named(batch.expect_timezone or default_zone)
    schedules: list[Schedule]
    if batch.expect_cron:
        schedules = [CronSchedule.parse(batch.expect_cron, zone)]
    else:
        schedules = list(trigger_schedules(batch.task_triggers or [], zone))
    return Expectation(
        schedules=schedules,
        grace=_minutes(batch.expect_grace_minutes, DEFAULT_GRACE),
        run_limit=_minutes(batch.run_limit_minutes, DEFAULT_RUN_LIMIT),
        since=batch.expect_since,
    )


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"{name!r} is not a time zone such as Europe/Paris"
        ) from None


def _minutes(value: int | None, default: timedelta) -> timedelta:
    return default if value is None else timedelta(minutes=value)


@dataclass(frozen=True)
class Watched:
    """One batch as the watch job handles it."""

    batch_id: int
    facts: cards.BatchFacts
    channel: str | None
    server_id: int
    remote: bool
    """On a Windows server, whose task can be read again."""
    task_checked_at: datetime | None
    seen: Verdict
    seen_changed_at: datetime | None
    expectation: Expectation
    evidence: Evidence


@dataclass
class WatchReport:
    watched: int = 0
    cards: int = 0
    states: dict[str, int] = field(default_factory=dict)


def check_batches(
    runtime: Runtime, batch_ids: Sequence[int] | None = None
) -> WatchReport:
    """Judge every ready batch (or those named) and post the cards due."""
    now = runtime.clock.now()
    watched = load_watched(runtime, batch_ids)
    verdicts = {w.batch_id: judge(w.expectation, w.evidence, now) for w in watched}

    stale = _servers_to_read(watched, verdicts, now)
    if stale:
        refresh_tasks(runtime, sorted(stale))
        again = [w.batch_id for w in watched if w.server_id in stale]
        fresh = {w.batch_id: w for w in load_watched(runtime, again)}
        # A task found disabled meanwhile is no longer watched.
        watched = [
            fresh.get(w.batch_id, w)
            for w in watched
            if w.server_id not in stale or w.batch_id in fresh
        ]
        for batch_id, reread in fresh.items():
            verdicts[batch_id] = judge(reread.expectation, reread.evidence, now)

    report = WatchReport(watched=len(watched))
    for batch in watched:
        verdict = verdicts[batch.batch_id]
        report.states[verdict.state] = report.states.get(verdict.state, 0) + 1
        report.cards += _apply(runtime, batch, verdict, now)
    return report


def _servers_to_read(
    watched: Sequence[Watched], verdicts: dict[int, Verdict], now: datetime
) -> set[int]:
    """Windows servers to ask about their tasks before calling a batch silent."""
    servers = set()
    for batch in watched:
        verdict = verdicts[batch.batch_id]
        if verdict.state != "silent" or not batch.remote:
            continue
        fresh_after = verdict.deadline or now
        if batch.seen.state == "silent":
            fresh_after = now - TASK_RECHECK
        checked = batch.task_checked_at
        if checked is None or checked < fresh_after:
            servers.add(batch.server_id)
    return servers


def load_watched(
    runtime: Runtime, batch_ids: Sequence[int] | None = None
) -> list[Watched]:
    """Ready batches on reachable servers, with what shows they ran."""
    default_zone = runtime.settings.timezone
    with runtime.store.session() as session:
        query = _watched_query()
        if batch_ids is not None:
            query = query.where(Batch.id.in_(batch_ids))
        rows = session.execute(query).all()
        finished = _last_finished(session, [row[0].id for row in rows])
        found = []
        for batch, server, client, last_ping, log_activity, running in rows:
            try:
                expectation = expectation_of(batch, default_zone)
            except ScheduleError as error:
                log.warning("batch %s not watched: %s", batch.name, error)
                continue
            evidence = Evidence(
                last_ping_at=last_ping,
                task_last_run_at=batch.task_last_run_at,
                log_activity_at=log_activity,
                last_finished=finished.get(batch.id),
                running_since=running,
            )
            found.append(_watched(batch, server, client, expectation, evidence))
    return found


def _watched_query() -> Select[Any]:
    pings = (
        select(BatchRun.batch_id, func.max(BatchRun.last_ping_at).label("at"))
        .group_by(BatchRun.batch_id)
        .subquery()
    )
    running = (
        select(BatchRun.batch_id, func.max(BatchRun.started_at).label("at"))
        .where(BatchRun.outcome == "running")
        .group_by(BatchRun.batch_id)
        .subquery()
    )
    logs = (
        select(LogSource.batch_id, func.max(LogSource.last_activity_at).label("at"))
        .group_by(LogSource.batch_id)
        .subquery()
    )
    return (
        select(Batch, Server, Client, pings.c.at, logs.c.at, running.c.at)
        .join(Server, Batch.server_id == Server.id)
        .outerjoin(Client, Batch.client_id == Client.id)
        .outerjoin(pings, pings.c.batch_id == Batch.id)
        .outerjoin(logs, logs.c.batch_id == Batch.id)
        .outerjoin(running, running.c.batch_id == Batch.id)
        .where(
            Batch.state == "ready",
            Server.reachable.is_(True),
            func.coalesce(Batch.task_state, "") != "Disabled",
        )
        .order_by(Batch.id)
    )


def _last_finished(session: Session, batch_ids: list[int]) -> dict[int, RunFacts]:
    if not batch_ids:
        return {}
    latest = (
        select(func.max(BatchRun.id))
        .where(
            BatchRun.batch_id.in_(batch_ids),
            BatchRun.outcome.in_(("success", "failed")),
        )
        .group_by(BatchRun.batch_id)
    )
    runs = session.scalars(select(BatchRun).where(BatchRun.id.in_(latest)))
    return {
        run.batch_id: RunFacts(
            outcome=run.outcome,
            started_at=run.started_at,
            finished_at=run.finished_at,
            exit_code=run.exit_code,
            output=run.output,
        )
        for run in runs
    }


def _watched(
    batch: Batch,
    server: Server,
    client: Client | None,
    expectation: Expectation,
    evidence: Evidence,
) -> Watched:
    return Watched(
        batch_id=batch.id,
        facts=cards.BatchFacts(
            batch=batch.name,
            client=client.name if client else "—",
            server=server.name,
        ),
        channel=client.channel_jid if client else None,
        server_id=server.id,
        remote=server.kind == "winrm",
        task_checked_at=batch.task_checked_at,
        seen=Verdict(batch.watch_state or "ok", batch.watch_due_at),
        seen_changed_at=batch.watch_changed_at,
        expectation=expectation,
        evidence=evidence,
    )


def _apply(runtime: Runtime, batch: Watched, verdict: Verdict, now: datetime) -> int:
    """Move the batch to the verdict's state and post its card; 1 if posted."""
    if verdict.state == batch.seen.state:
        return 0
    if not _move(runtime, batch.batch_id, batch.seen, verdict, now):
        return 0

    content = _card(runtime, batch, verdict)
    try:
        runtime.messenger.send(batch.channel or runtime.alert_channel, content)
    except Exception as error:
        log.warning("watch card for %s not sent: %s", batch.facts.batch, error)
        _move(runtime, batch.batch_id, verdict, batch.seen, batch.seen_changed_at)
        return 0
    log.info("batch %s: %s -> %s", batch.facts.batch, batch.seen.state, verdict.state)
    return 1


def _move(
    runtime: Runtime,
    batch_id: int,
    seen: Verdict,
    verdict: Verdict,
    when: datetime | None,
) -> bool:
    """Change the state only if it is still ``seen``: the change is ours."""
    with runtime.store.session() as session:
        moved = session.execute(
            update(Batch)
            .where(Batch.id == batch_id, Batch.watch_state == seen.state)
            .values(
                watch_state=verdict.state,
                watch_due_at=verdict.about,
                watch_changed_at=when,
            )
            .execution_options(synchronize_session=False)
        )
    return bool(moved.rowcount == 1)  # type: ignore[attr-defined]


def _card(runtime: Runtime, batch: Watched, verdict: Verdict) -> cards.Content:
    lang, zone = runtime.settings.lang, runtime.settings.zone
    evidence, expectation = batch.evidence, batch.expectation
    if verdict.state == "silent":
        assert verdict.about is not None
        return cards.silent_card(
            lang,
            zone,
            batch.facts,
            verdict.about,
            expectation.grace,
            evidence.last_activity,
        )
    if verdict.state == "failed":
        assert evidence.last_finished is not None
        run = evidence.last_finished
        return cards.failed_card(
            lang, zone, batch.facts, run.finished_at, run.exit_code, run.output
        )
    if verdict.state == "overdue":
        assert verdict.about is not None
        return cards.overdue_card(
            lang, zone, batch.facts, verdict.about, expectation.run_limit
        )
    return cards.recovered_card(
        lang,
        zone,
        batch.facts,
        batch.seen.state,
        batch.seen_changed_at,
        evidence.last_activity,
    )


def batches_named(session: Session, name: str) -> list[Batch]:
    """Batches called ``name``, or ``SERVER/NAME`` for one server's, any case."""
    server_name, _, batch_name = name.strip().rpartition("/")
    query = (
        select(Batch)
        .join(Server, Batch.server_id == Server.id)
        .where(func.lower(Batch.name) == batch_name.lower())
        .order_by(Server.name)
    )
    if server_name:
        query = query.where(func.lower(Server.name) == server_name.lower())
    return list(session.scalars(query))


def set_expectation(
    batch: Batch,
    now: datetime,
    *,
    cron: str | None,
    timezone: str | None,
    grace_minutes: int | None,
    run_limit_minutes: int | None,
) -> None:
    """Give a batch its schedule; runs due before ``now`` are not checked.

    A problem the old schedule found is forgotten without a notice: the
    runs it was about are no longer expected.
    """
    zone = zone_named(timezone) if timezone else None
    if cron:
        CronSchedule.parse(cron, zone or ZoneInfo("UTC"))
    batch.expect_cron = cron
    batch.expect_timezone = timezone
    batch.expect_grace_minutes = grace_minutes
    batch.run_limit_minutes = run_limit_minutes
    batch.expect_since = now
    if batch.watch_state == "silent":
        batch.watch_state = "ok"
        batch.watch_due_at = None
        batch.watch_changed_at = now


@dataclass(frozen=True)
class WatchRow:
    """A batch's expected runs and watch state, for people."""

    facts: cards.BatchFacts
    schedule: str | None
    """The cron expression and zone, or None for the task's triggers."""
    triggers: int
    grace: timedelta
    last_due: datetime | None
    next_due: datetime | None
    state: str
    last_activity: datetime | None


def watch_rows(runtime: Runtime, wanted: str | None = None) -> list[WatchRow]:
    """Every batch with expected runs or heartbeats, or those named ``wanted``."""
    now = runtime.clock.now()
    rows = []
    for batch in load_watched(runtime):
        facts = batch.facts
        names = {facts.batch.lower(), facts.client.lower(), facts.server.lower()}
        if wanted and wanted.lower() not in names:
            continue
        if not batch.expectation.schedules and batch.evidence.last_ping_at is None:
            continue
        rows.append(_row(batch, now))
    return rows


def _row(batch: Watched, now: datetime) -> WatchRow:
    expectation = batch.expectation
    schedules = expectation.schedules
    cron = next((s for s in schedules if isinstance(s, CronSchedule)), None)
    due = last_due(schedules, now)
    upcoming = next_due(schedules, now)
    return WatchRow(
        facts=batch.facts,
        schedule=f"{cron.expression} ({cron.zone})" if cron else None,
        triggers=0 if cron else len(schedules),
        grace=expectation.grace,
        last_due=due.at if due else None,
        next_due=upcoming.at if upcoming else None,
        state=batch.seen.state,
        last_activity=batch.evidence.last_activity,
    )
