"""Run a confirmed plan step by step; on a failure, undo what the run made.

Each step's state is shown as it changes (``show`` edits the card) and kept
on the plan: ``todo``, ``running``, ``done``, ``failed``, then ``undone`` or
``undo_failed`` for the steps taken back. A failing step stops the run; the
steps done before it, and the failed one, are undone in reverse order.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.deploy.reasons import DeployError
from bot.deploy.steps import STEP_KINDS, Outcome, StepContext
from bot.runtime import Runtime
from bot.store import ActionPlan
from bot.texts import text
from integrations.session import RemoteError

log = logging.getLogger(__name__)

Show = Callable[[list[str]], None]


@dataclass(frozen=True)
class Failure:
    step: int
    reason: str


@dataclass(frozen=True)
class RunResult:
    progress: list[str]
    failure: Failure | None


def run_plan(runtime: Runtime, plan: ActionPlan, show: Show) -> RunResult:
    """Do the plan's steps in order, showing progress after each change."""
    steps = plan.document["steps"]
    progress = ["todo"] * len(steps)
    outcomes: list[Outcome] = [{} for _ in steps]
    context = StepContext(runtime, plan)
    started = time.monotonic()
    try:
        failure = _do_steps(context, steps, outcomes, progress, show)
        if failure is not None:
            _undo_steps(context, steps[: failure.step + 1], outcomes, progress, show)
    finally:
        context.close()

    log.info(
        "plan %s (%s %s on %s): %s in %.1f s",
        plan.id,
        plan.kind,
        plan.batch,
        plan.server,
        "done" if failure is None else f"failed at step {failure.step + 1}",
        time.monotonic() - started,
    )
    return RunResult(progress, failure)


def _do_steps(
    context: StepContext,
    steps: list[dict],
    outcomes: list[Outcome],
    progress: list[str],
    show: Show,
) -> Failure | None:
    for index, step in enumerate(steps):
        progress[index] = "running"
        show(progress)
        _, reason = _attempt(
            context, STEP_KINDS[step["kind"]].do, step, outcomes[index]
        )
        if reason is not None:
            progress[index] = "failed"
            show(progress)
            return Failure(index, reason)
        progress[index] = "done"
    return None


def _undo_steps(
    context: StepContext,
    steps: list[dict],
    outcomes: list[Outcome],
    progress: list[str],
    show: Show,
) -> None:
    for index in reversed(range(len(steps))):
        undo = STEP_KINDS[steps[index]["kind"]].undo
        if undo is None:
            continue
        took_back, reason = _attempt(context, undo, steps[index], outcomes[index])
        if reason is not None:
            progress[index] = "undo_failed"
            log.warning("plan %s: undo of step %d failed: %s", context.plan.id,
                        index + 1, reason)  # fmt: skip
        elif took_back and progress[index] == "done":
            progress[index] = "undone"
    show(progress)


def _attempt(
    context: StepContext,
    action: Callable[[StepContext, dict, Outcome], Any],
    step: dict,
    outcome: Outcome,
) -> tuple[Any, str | None]:
    """Run one step's action: what it returned, and the reason it failed."""
    try:
        return action(context, step, outcome), None
    except RemoteError as error:
        return None, error.reason
    except DeployError as error:
        return None, error.text(context.lang)
    except Exception:
        # Whatever broke, the steps before must still be undone.
        ref = uuid.uuid4().hex[:8]
        log.exception("plan %s: step %s failed (ref %s)", context.plan.id,
                      step["kind"], ref)  # fmt: skip
        return None, text(context.lang, "plan.internal", ref=ref)
