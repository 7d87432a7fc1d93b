"""Whether a batch ran where it is deployed: the gate before Production.

A batch reaches Production only after it ran in RecetteClient. "Ran" means:
since batchops deployed it there (since ever, for a batch it did not
deploy), the latest sign of a run is a good one. Signs are, newest first:

- its task's last run, as Task Scheduler reports it: success, or a failure
  (an exit code, killed, refused, stopped); "running" and "never run" are no
  sign;
- its last heartbeat run that ended: success or failure;
- new bytes in its log: a good sign when no error line came since the
  deploy, a bad one otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store import Batch, BatchRun, ErrorEvent, LogSource
from integrations.windows.task_results import decode_task_result


@dataclass(frozen=True)
class RunSign:
    source: str
    """task, heartbeat or log."""
    at: datetime
    ok: bool
    code: int | None = None
    """The task's last result, or the heartbeat's exit code."""
    errors: int = 0
    """Error lines in the log since the deploy."""


def latest_run_sign(session: Session, batch: Batch) -> RunSign | None:
    """The newest sign of a run of ``batch`` since it was deployed."""
    signs = [
        sign
        for sign in (
            _task_sign(batch),
            _heartbeat_sign(session, batch),
            _log_sign(session, batch),
        )
        if sign is not None
    ]
    return max(signs, key=lambda sign: sign.at, default=None)


def _since(batch: Batch, moment: datetime | None) -> bool:
    if moment is None:
        return False
    return batch.deployed_at is None or moment >= batch.deployed_at


def _task_sign(batch: Batch) -> RunSign | None:
    if batch.task_last_result is None or not _since(batch, batch.task_last_run_at):
        return None
    assert batch.task_last_run_at is not None
    result = decode_task_result(batch.task_last_result)
    if result.kind == "success" or result.is_failure:
        return RunSign(
            "task", batch.task_last_run_at, not result.is_failure, result.code
        )
    return None


def _heartbeat_sign(session: Session, batch: Batch) -> RunSign | None:
    query = select(BatchRun).where(
        BatchRun.batch_id == batch.id,
        BatchRun.finished_at.is_not(None),
        BatchRun.outcome.in_(("success", "failed")),
    )
    if batch.deployed_at is not None:
        query = query.where(BatchRun.finished_at >= batch.deployed_at)
    run = session.scalar(query.order_by(BatchRun.finished_at.desc()).limit(1))
    if run is None or run.finished_at is None:
        return None
    return RunSign(
        "heartbeat", run.finished_at, run.outcome == "success", run.exit_code
    )


def _log_sign(session: Session, batch: Batch) -> RunSign | None:
    activity = session.scalar(
        select(func.max(LogSource.last_activity_at)).where(
            LogSource.batch_id == batch.id
        )
    )
    if activity is None or not _since(batch, activity):
        return None
    errors = select(func.count()).where(ErrorEvent.batch_id == batch.id)
    if batch.deployed_at is not None:
        errors = errors.where(ErrorEvent.occurred_at >= batch.deployed_at)
    count = session.scalar(errors) or 0
    return RunSign("log", activity, count == 0, errors=count)
