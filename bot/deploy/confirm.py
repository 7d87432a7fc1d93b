"""A plan's card and its buttons: confirm, cancel, a second admin's confirm.

A click is checked before anything runs, and refused with its reason: a
token not signed by batchops, or past its time; a plan gone, changed since
the preview (its hash, or the plan made again now from the same words), or
already handled; a clicker who is not the one who asked (or, for a go-live's
second confirmation, who is), or whose role no longer allows it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.cards import local_time
from bot.cards.deploy import PlanView, plan_card
from bot.deploy.planning import (
    NothingToDo,
    plan_deploy,
    plan_state_change,
    read_deploy_words,
)
from bot.deploy.runner import run_plan
from bot.messenger import Content
from bot.plans import (
    Button,
    Proposal,
    button_value,
    cancel_plan,
    finish_plan,
    keep_plan,
    load_plan,
    note_progress,
    plan_hash,
    read_button,
    record_confirmation,
)
from bot.roles import require_role
from bot.router import Context, Refusal
from bot.runtime import Runtime
from bot.signing import BadToken, ExpiredToken
from bot.status_changes import notify_status_changes
from bot.store import ActionPlan
from bot.texts import text
from integrations.zoom.errors import ZoomError

log = logging.getLogger(__name__)

NEEDED_ROLE = {"deploy": "admin", "disable": "operator", "enable": "operator"}


def propose(ctx: Context, proposal: Proposal) -> Content:
    """Keep ``proposal`` for the asker and answer with its card."""
    request = ctx.request
    plan = keep_plan(
        ctx.runtime,
        proposal,
        list(request.args),
        (request.user_id, request.user_name, request.to_jid),
    )
    return _card(ctx.runtime, plan, "preview")


def make_plan(runtime: Runtime, plan: ActionPlan) -> Proposal:
    """The plan of ``plan``'s words, made again now."""
    lang = runtime.settings.lang
    if plan.kind == "deploy":
        today = plan.created_at.astimezone(runtime.settings.zone).date()
        words = read_deploy_words(lang, plan.arguments, today)
        return plan_deploy(runtime, words, lang)
    return plan_state_change(runtime, lang, plan.arguments, plan.kind == "enable")


def handle_button(ctx: Context, token: str) -> Content:
    """Check a click on a plan's button, then do what it says."""
    button = _read(ctx, token)
    plan = _pending_plan(ctx, button)
    if button.action == "cancel":
        return _cancel(ctx, plan, button)

    require_role(ctx, NEEDED_ROLE[plan.kind])
    _check_clicker(ctx, plan, button)
    _check_unchanged(ctx, plan)
    request = ctx.request
    confirmed = record_confirmation(
        ctx.runtime, plan, request.user_id, request.user_name
    )
    if confirmed is None:
        raise Refusal(text(ctx.lang, "plan.taken"))
    log.info("plan %s confirmed by %s", plan.id, ctx.request.user_id)
    if confirmed.status == "pending":
        return _card(ctx.runtime, confirmed, "waiting")
    return _run(ctx, confirmed)


def _read(ctx: Context, token: str) -> Button:
    runtime = ctx.runtime
    try:
        return read_button(runtime.settings, token, runtime.clock.now())
    except ExpiredToken as expired:
        when = _local(runtime, expired.expired_at)
        raise Refusal(text(ctx.lang, "plan.expired", when=when)) from None
    except BadToken:
        log.info("plan button with a bad token from %s", ctx.request.user_id)
        raise Refusal(text(ctx.lang, "plan.bad_token")) from None


def _pending_plan(ctx: Context, button: Button) -> ActionPlan:
    plan = load_plan(ctx.runtime, button.plan_id)
    if plan is None:
        raise Refusal(text(ctx.lang, "plan.gone"))
    if plan.plan_hash != button.plan_hash:
        detail = text(ctx.lang, "plan.changed.detail")
        raise Refusal(text(ctx.lang, "plan.changed", detail=detail))
    if plan.status != "pending":
        raise Refusal(text(ctx.lang, f"plan.status.{plan.status}"))
    if ctx.runtime.clock.now() >= plan.expires_at:
        when = _local(ctx.runtime, plan.expires_at)
        raise Refusal(text(ctx.lang, "plan.expired", when=when))
    return plan


def _check_clicker(ctx: Context, plan: ActionPlan, button: Button) -> None:
    user = ctx.request.user_id
    if button.action == "confirm":
        if user != button.user_id:
            raise Refusal(text(ctx.lang, "plan.not_yours", name=plan.requested_name))
        if plan.confirmed > 0:
            raise Refusal(text(ctx.lang, "plan.second_needed"))
        return

    confirmers = {entry["user"] for entry in plan.confirmed_by}
    if plan.confirmed == 0 or user == button.user_id or user in confirmers:
        names = ", ".join(entry["name"] for entry in plan.confirmed_by)
        raise Refusal(
            text(ctx.lang, "plan.second_other", names=names or plan.requested_name)
        )


def _check_unchanged(ctx: Context, plan: ActionPlan) -> None:
    try:
        again = make_plan(ctx.runtime, plan)
    except (Refusal, NothingToDo) as changed:
        raise Refusal(text(ctx.lang, "plan.changed", detail=str(changed))) from None
    if plan_hash(again.document) != plan.plan_hash:
        log.info("plan %s changed since its preview", plan.id)
        detail = text(ctx.lang, "plan.changed.detail")
        raise Refusal(text(ctx.lang, "plan.changed", detail=detail))


def _cancel(ctx: Context, plan: ActionPlan, button: Button) -> Content:
    if ctx.request.user_id != button.user_id:
        raise Refusal(text(ctx.lang, "plan.not_yours", name=plan.requested_name))
    now = ctx.runtime.clock.now()
    if not cancel_plan(ctx.runtime, plan.id, f"cancelled by {ctx.request.user_name}"):
        raise Refusal(text(ctx.lang, "plan.taken"))
    log.info("plan %s cancelled by %s", plan.id, ctx.request.user_id)
    return _card(ctx.runtime, plan, "cancelled", cancelled=(ctx.request.user_name, now))


def _run(ctx: Context, plan: ActionPlan) -> Content:
    runtime = ctx.runtime

    def show(progress: list[str]) -> None:
        note_progress(runtime, plan.id, progress)
        _edit(ctx, _card(runtime, plan, "running", progress=progress))

    result = run_plan(runtime, plan, show)
    failure = result.failure
    finish_plan(runtime, plan.id, result.progress, failure.reason if failure else None)
    if failure is not None:
        return _card(
            runtime,
            plan,
            "failed",
            progress=result.progress,
            failure=(failure.step, failure.reason),
        )
    notify_status_changes(runtime)
    return _card(runtime, plan, "done", progress=result.progress)


def _edit(ctx: Context, content: Content) -> None:
    request = ctx.request
    if not request.message_id:
        return
    try:
        ctx.runtime.messenger.edit(
            request.message_id, request.to_jid, content, user_jid=request.user_jid
        )
    except ZoomError as error:
        # The run goes on: the final card is sent when it ends.
        log.warning("progress of a plan not shown: %s", error.reason)


def _card(
    runtime: Runtime,
    plan: ActionPlan,
    phase: str,
    *,
    progress: list[str] | None = None,
    failure: tuple[int, str] | None = None,
    cancelled: tuple[str, datetime] | None = None,
) -> Content:
    settings = runtime.settings
    lang = settings.lang
    shown: list[tuple[str, str, str]] = []
    if phase == "preview":
        shown.append((text(lang, "plan.confirm"), "confirm", "Primary"))
    if phase == "waiting":
        shown.append((text(lang, "plan.confirm_second"), "second", "Primary"))
    if phase in ("preview", "waiting"):
        shown.append((text(lang, "plan.cancel"), "cancel", "Default"))

    view = PlanView(
        kind=plan.kind,
        document=plan.document,
        requested_name=plan.requested_name,
        expires_at=plan.expires_at,
        phase=phase,
        progress=progress or plan.progress or [],
        notes=plan.notes or {},
        confirmed_by=[entry["name"] for entry in plan.confirmed_by],
        buttons=[
            (label, button_value(settings, plan, action), style)
            for label, action, style in shown
        ],
        failure=failure,
        cancelled=cancelled,
    )
    return plan_card(lang, settings.zone, view)


def _local(runtime: Runtime, moment: datetime) -> str:
    return local_time(moment, runtime.settings.zone, runtime.settings.lang)
