"""Plans waiting for their buttons: kept, signed, claimed once.

A plan is a JSON document listing every step of a deploy, disable or enable.
Its hash (SHA-256 of its canonical JSON) goes into the tokens of the card's
buttons, with the plan's id, the user who asked, the action and an expiry:
a token is signed with a key of its own derived from ``BATCHOPS_SECRET_KEY``
(:mod:`bot.signing`), and the same plan always gives the same tokens.

Plans live in the ``plans`` table, so a restart between the preview and the
click changes nothing. A click claims its plan with a conditional UPDATE of
its status (``pending`` to ``running``), so two clicks, two workers or a
webhook delivered twice run a plan once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from bot.config import Settings
from bot.runtime import Runtime
from bot.signing import BadToken, read_token, sign_token
from bot.store import ActionPlan

log = logging.getLogger(__name__)

AUDIENCE = "batchops:plan-button"
PLAN_LIFETIME = timedelta(minutes=15)
BUTTON_PREFIX = "plan"
ACTIONS = ("confirm", "cancel", "second")
"""``second`` is the confirmation of a second admin, for a go-live."""


@dataclass(frozen=True)
class Proposal:
    """A plan as the planner makes it, before it is kept."""

    kind: str
    batch: str
    server: str
    document: dict[str, Any]
    notes: dict[str, Any]
    needed: int = 1


@dataclass(frozen=True)
class Button:
    """What a sound button token says."""

    plan_id: str
    plan_hash: str
    user_id: str
    action: str


def canonical_json(document: dict[str, Any]) -> str:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def plan_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def keep_plan(
    runtime: Runtime,
    proposal: Proposal,
    arguments: list[str],
    requester: tuple[str, str, str],
) -> ActionPlan:
    """Store ``proposal`` as a pending plan of ``requester`` (user id, name,
    where the card goes), valid for :data:`PLAN_LIFETIME`."""
    user_id, user_name, to_jid = requester
    now = runtime.clock.now()
    plan = ActionPlan(
        id=uuid.uuid4().hex,
        kind=proposal.kind,
        batch=proposal.batch,
        server=proposal.server,
        document=proposal.document,
        plan_hash=plan_hash(proposal.document),
        arguments=arguments,
        notes=proposal.notes,
        requested_by=user_id,
        requested_name=user_name,
        to_jid=to_jid,
        created_at=now,
        expires_at=now + PLAN_LIFETIME,
        needed=proposal.needed,
        confirmed=0,
        confirmed_by=[],
        status="pending",
        progress=["todo"] * len(proposal.document["steps"]),
    )
    with runtime.store.session() as session:
        session.add(plan)
    log.info(
        "plan %s kept: %s %s on %s for %s",
        plan.id,
        plan.kind,
        plan.batch,
        plan.server,
        user_id,
    )
    return plan


def load_plan(runtime: Runtime, plan_id: str) -> ActionPlan | None:
    with runtime.store.session() as session:
        plan = session.get(ActionPlan, plan_id)
        if plan is not None:
            session.expunge(plan)
        return plan


def button_value(settings: Settings, plan: ActionPlan, action: str) -> str:
    """The value of one of the plan's buttons: ``plan:TOKEN``."""
    claims = {
        "pid": plan.id,
        "ph": plan.plan_hash,
        "uid": plan.requested_by,
        "act": action,
    }
    token = sign_token(
        settings, AUDIENCE, claims, plan.created_at, expires_at=plan.expires_at
    )
    return f"{BUTTON_PREFIX}:{token}"


def read_button(settings: Settings, token: str, now: datetime) -> Button:
    """The claims of a button's token; raises :class:`bot.signing.BadToken`
    or :class:`bot.signing.ExpiredToken`."""
    claims = read_token(settings, AUDIENCE, token, now)
    return button_from_claims(claims)


def button_from_claims(claims: dict[str, Any]) -> Button:
    values = [claims.get(name) for name in ("pid", "ph", "uid", "act")]
    if not all(isinstance(value, str) for value in values):
        raise BadToken("a claim is missing")
    button = Button(*values)  # type: ignore[arg-type]
    if button.action not in ACTIONS:
        raise BadToken(f"unknown action {button.action!r}")
    return button


def record_confirmation(
    runtime: Runtime, plan: ActionPlan, user_id: str, user_name: str
) -> ActionPlan | None:
    """Add one confirmation to a pending plan, and take it for running when
    it has all it needs. None when another click changed the plan first."""
    now = runtime.clock.now()
    confirmation = {"user": user_id, "name": user_name, "at": now.isoformat()}
    confirmations = [*plan.confirmed_by, confirmation]
    values: dict[str, Any] = {
        "confirmed": len(confirmations),
        "confirmed_by": confirmations,
    }
    if len(confirmations) >= plan.needed:
        values["status"] = "running"
    expected = {"status": "pending", "confirmed": len(plan.confirmed_by)}
    if not _conditional(runtime, plan.id, expected, **values):
        return None
    return load_plan(runtime, plan.id)


def cancel_plan(runtime: Runtime, plan_id: str, outcome: str) -> bool:
    return _conditional(
        runtime,
        plan_id,
        {"status": "pending"},
        status="cancelled",
        outcome=outcome,
        finished_at=runtime.clock.now(),
    )


def note_progress(runtime: Runtime, plan_id: str, progress: list[str]) -> None:
    _conditional(runtime, plan_id, {"status": "running"}, progress=progress)


def finish_plan(
    runtime: Runtime,
    plan_id: str,
    progress: list[str],
    outcome: str | None,
) -> None:
    """Close a running plan: done, or failed with the reason."""
    _conditional(
        runtime,
        plan_id,
        {"status": "running"},
        status="failed" if outcome else "done",
        progress=progress,
        outcome=outcome,
        finished_at=runtime.clock.now(),
    )


def _conditional(
    runtime: Runtime, plan_id: str, expected: dict[str, Any], **values: Any
) -> bool:
    conditions = [getattr(ActionPlan, key) == value for key, value in expected.items()]
    with runtime.store.session() as session:
        changed = session.execute(
            update(ActionPlan)
            .where(ActionPlan.id == plan_id, *conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(changed.rowcount == 1)  # type: ignore[attr-defined]
