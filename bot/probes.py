"""API probes: their configuration, their checks and the cards they post.

A probe belongs to a batch or to a client. Each check is kept (status,
latency, error); a probe goes down after ``failure_threshold`` failed checks
in a row, not on one blip, and comes back up on the first good one. Each of
those two changes posts one card, claimed with a conditional update.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.cards import watch as cards
from bot.runtime import Runtime
from bot.store import Batch, Client, Probe, ProbeResult
from integrations.probes import METHODS, ProbeOutcome, ProbeRequest, check_endpoint

log = logging.getLogger(__name__)

MAX_PARALLEL_PROBES = 8
MIN_INTERVAL_S = 30
MAX_TIMEOUT_S = 60.0
DUE_SLACK = timedelta(seconds=5)
"""The probe job runs every 30 s: a probe due a moment later waits no longer."""
HISTORY = timedelta(hours=24)


class ProbeConfigError(ValueError):
    """A probe cannot be configured so; the text says what to change."""


@dataclass(frozen=True)
class ProbeSettings:
    url: str
    method: str = "GET"
    expected_status: int = 200
    keyword: str | None = None
    timeout_s: float = 5.0
    interval_s: int = 60
    failure_threshold: int = 3


def add_probe(
    session: Session,
    name: str,
    wanted: ProbeSettings,
    *,
    batch: Batch | None = None,
    client: Client | None = None,
) -> Probe:
    """Add a probe for a batch or a client, its settings checked first."""
    _check_settings(name, wanted, batch, client)
    if session.scalar(select(Probe.id).where(Probe.name == name)) is not None:
        raise ProbeConfigError(f"a probe called {name!r} already exists")
    probe = Probe(
        name=name,
        batch=batch,
        client=client,
        url=wanted.url,
        method=wanted.method.upper(),
        expected_status=wanted.expected_status,
        keyword=wanted.keyword or None,
        timeout_s=wanted.timeout_s,
        interval_s=wanted.interval_s,
        failure_threshold=wanted.failure_threshold,
        state="up",
        failures=0,
    )
    session.add(probe)
    session.flush()
    return probe


def _check_settings(
    name: str, wanted: ProbeSettings, batch: Batch | None, client: Client | None
) -> None:
    problem = _settings_problem(name, wanted)
    if batch is not None and client is not None:
        problem = "give a batch or a client, not both"
    if problem:
        raise ProbeConfigError(problem)


def _settings_problem(name: str, wanted: ProbeSettings) -> str | None:
    parts = urlsplit(wanted.url)
    if not name.strip() or len(name) > 100:
        return "the name needs 1 to 100 characters"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "the URL must be http(s)://HOST/..."
    if wanted.method.upper() not in METHODS:
        return f"the method must be one of {', '.join(METHODS)}"
    if not 100 <= wanted.expected_status <= 599:
        return "the expected status must be from 100 to 599"
    if not 0 < wanted.timeout_s <= MAX_TIMEOUT_S:
        return f"the timeout must be more than 0 and at most {MAX_TIMEOUT_S:g} s"
    if wanted.interval_s < MIN_INTERVAL_S:
        return f"the interval must be at least {MIN_INTERVAL_S} s"
    if wanted.failure_threshold < 1:
        return "the failure count must be at least 1"
    return None


def owner_of(probe: Probe) -> str:
    if probe.batch is not None:
        return probe.batch.name
    if probe.client is not None:
        return probe.client.name
    return "—"


def channel_of(probe: Probe) -> str | None:
    client = probe.batch.client if probe.batch is not None else probe.client
    return client.channel_jid if client is not None else None


@dataclass(frozen=True)
class Planned:
    """A probe claimed for one check."""

    probe_id: int
    request: ProbeRequest
    facts: cards.ProbeFacts
    channel: str | None


def due_probes(runtime: Runtime, now: datetime) -> list[Planned]:
    """Claim every probe whose interval has passed; a claim is a conditional
    update of its last check time, so two workers never check it twice."""
    claimed = []
    with runtime.store.session() as session:
        for probe in session.scalars(select(Probe).order_by(Probe.id)):
            last = probe.last_checked_at
            interval = timedelta(seconds=probe.interval_s)
            if last is not None and now - last < interval - DUE_SLACK:
                continue
            same = (
                Probe.last_checked_at.is_(None)
                if last is None
                else Probe.last_checked_at == last
            )
            taken = session.execute(
                update(Probe)
                .where(Probe.id == probe.id, same)
                .values(last_checked_at=now)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(planned(probe))
    return claimed


def planned(probe: Probe) -> Planned:
    return Planned(
        probe_id=probe.id,
        request=ProbeRequest(
            url=probe.url,
            method=probe.method,
            expected_status=probe.expected_status,
            keyword=probe.keyword,
            timeout_s=probe.timeout_s,
        ),
        facts=cards.ProbeFacts(name=probe.name, url=probe.url, owner=owner_of(probe)),
        channel=channel_of(probe),
    )


def run_probes(
    runtime: Runtime, plans: list[Planned], max_workers: int = MAX_PARALLEL_PROBES
) -> list[cards.ProbeCheck]:
    """Check the probes in parallel and record each result."""
    if not plans:
        return []
    workers = max(1, min(max_workers, len(plans)))
    with ThreadPoolExecutor(workers, thread_name_prefix="probe") as pool:
        return list(pool.map(lambda plan: run_probe(runtime, plan), plans))


def run_probe(runtime: Runtime, plan: Planned) -> cards.ProbeCheck:
    """Check one probe, record the result, post a card if its state changed."""
    outcome = check_endpoint(plan.request)
    now = runtime.clock.now()
    log.info(
        "probe %s: %s in %d ms",
        plan.facts.name,
        "ok" if outcome.ok else outcome.error,
        outcome.latency_ms,
    )
    change = record_check(runtime, plan.probe_id, outcome, now)
    if change is not None:
        _post_change(runtime, plan, change, outcome)
    return cards.ProbeCheck(
        now, outcome.ok, outcome.status, outcome.latency_ms, outcome.error
    )


@dataclass(frozen=True)
class StateChange:
    state: str
    """down or up: the state the probe moved to."""
    failures: int
    previous_change: datetime | None


def record_check(
    runtime: Runtime, probe_id: int, outcome: ProbeOutcome, now: datetime
) -> StateChange | None:
    """Keep the check and count failures in a row; the state change, if any."""
    with runtime.store.session() as session:
        session.add(
            ProbeResult(
                probe_id=probe_id,
                checked_at=now,
                ok=outcome.ok,
                status=outcome.status,
                latency_ms=outcome.latency_ms,
                error=outcome.error,
            )
        )
        session.execute(
            update(Probe)
            .where(Probe.id == probe_id)
            .values(
                failures=0 if outcome.ok else Probe.failures + 1,
                last_checked_at=now,
                last_status=outcome.status,
                last_latency_ms=outcome.latency_ms,
                last_error=outcome.error,
            )
            .execution_options(synchronize_session=False)
        )
        probe = session.execute(
            select(Probe)
            .where(Probe.id == probe_id)
            .execution_options(populate_existing=True)
        ).scalar_one()
        return _move(session, probe, outcome.ok, now)


def _move(
    session: Session, probe: Probe, ok: bool, now: datetime
) -> StateChange | None:
    if ok:
        target, condition = "up", Probe.state == "down"
    elif probe.failures >= probe.failure_threshold:
        target, condition = "down", Probe.state == "up"
    else:
        return None
    moved = session.execute(
        update(Probe)
        .where(Probe.id == probe.id, condition)
        .values(state=target, changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return StateChange(target, probe.failures, probe.changed_at)


def _post_change(
    runtime: Runtime, plan: Planned, change: StateChange, outcome: ProbeOutcome
) -> None:
    settings = runtime.settings
    if change.state == "down":
        content = cards.probe_down_card(
            settings.lang, plan.facts, change.failures, outcome.error
        )
    else:
        content = cards.probe_up_card(
            settings.lang, settings.zone, plan.facts, change.previous_change
        )
    try:
        runtime.messenger.send(plan.channel or runtime.alert_channel, content)
    except Exception as error:
        log.warning("probe card for %s not sent: %s", plan.facts.name, error)
        _undo(runtime, plan.probe_id, change)


def _undo(runtime: Runtime, probe_id: int, change: StateChange) -> None:
    """Put the state back after a failed send, so the next check posts again."""
    before = "up" if change.state == "down" else "down"
    with runtime.store.session() as session:
        session.execute(
            update(Probe)
            .where(Probe.id == probe_id, Probe.state == change.state)
            .values(state=before, changed_at=change.previous_change)
        )


def probe_named(session: Session, name: str) -> Probe | None:
    return session.scalar(select(Probe).where(Probe.name == name))


def probe_history(
    session: Session, probe_id: int, since: datetime
) -> list[cards.ProbeCheck]:
    """The probe's checks since ``since``, oldest first."""
    results = session.scalars(
        select(ProbeResult)
        .where(ProbeResult.probe_id == probe_id, ProbeResult.checked_at >= since)
        .order_by(ProbeResult.checked_at, ProbeResult.id)
    )
    return [
        cards.ProbeCheck(r.checked_at, r.ok, r.status, r.latency_ms, r.error)
        for r in results
    ]


def remove_probe(session: Session, name: str) -> bool:
    probe = probe_named(session, name)
    if probe is None:
        return False
    session.execute(delete(ProbeResult).where(ProbeResult.probe_id == probe.id))
    session.delete(probe)
    return True


def probes_of(session: Session, owner: str | None = None) -> list[Probe]:
    """Every probe, or those of the batch or client called ``owner``."""
    query = (
        select(Probe)
        .outerjoin(Batch, Probe.batch_id == Batch.id)
        .outerjoin(Client, Probe.client_id == Client.id)
        .order_by(Probe.name)
    )
    if owner:
        query = query.where(or_(Batch.name == owner, Client.name == owner))
    return list(session.scalars(query))
