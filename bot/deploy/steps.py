"""What each kind of step does, and how it is undone.

A step's ``do`` writes into its ``outcome`` what it made as it goes, before
and after each remote call, so that its ``undo`` (run in reverse order after
a failure, the failed step's own included) removes only what the run made:
a folder that was there before stays, a task that was replaced is put back
from the XML read before replacing it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cards.deploy import schedule_text
from bot.deploy.artifacts import Artifact, fetch_artifact, repository_from
from bot.deploy.launcher import build_launcher
from bot.deploy.package import read_entry, set_app_settings
from bot.inventory import log_source_for
from bot.runtime import Runtime
from bot.schedules import trigger_from_record
from bot.status_changes import record_status_change
from bot.store import ActionPlan, Batch, Client, LogSource, Server
from bot.texts import text
from integrations.session import RemoteError, ServerSession
from integrations.windows.folders import (
    expand_archive,
    make_folder,
    move_path,
    remove_path,
)
from integrations.windows.task_xml import TaskDefinition
from integrations.windows.tasks import (
    export_task,
    register_task,
    register_task_xml,
    set_task_enabled,
    split_task_name,
    unregister_task,
)

log = logging.getLogger(__name__)

Step = dict[str, Any]
Outcome = dict[str, Any]


@dataclass
class StepContext:
    """What the steps of one run share: the runtime, the plan, the sessions
    opened so far and the checked archive."""

    runtime: Runtime
    plan: ActionPlan
    sessions: dict[str, ServerSession] = field(default_factory=dict)
    artifact: Artifact | None = None

    @property
    def lang(self) -> str:
        return self.runtime.settings.lang

    @property
    def now(self) -> datetime:
        return self.runtime.clock.now()

    def session(self, server_name: str) -> ServerSession:
        if server_name not in self.sessions:
            with self.runtime.store.session() as db:
                server = db.scalar(select(Server).where(Server.name == server_name))
                if server is None:
                    raise RemoteError(f"server {server_name} is gone", retryable=False)
                db.expunge(server)
            self.sessions[server_name] = self.runtime.open_session(server)
        return self.sessions[server_name]

    def checked_artifact(self, sha256: str) -> Artifact:
        if self.artifact is None or self.artifact.sha256 != sha256:
            raise RemoteError("the archive was not fetched first", retryable=False)
        return self.artifact

    def close(self) -> None:
        for session in self.sessions.values():
            try:
                session.close()
            except RemoteError as error:
                log.info("session to %s not closed: %s", session.name, error.reason)

    def confirmed(self) -> str:
        """Who confirmed, for the reason of the status change."""
        names = [entry["name"] for entry in self.plan.confirmed_by]
        return ", ".join(dict.fromkeys(names))


StepFunc = Callable[[StepContext, Step, Outcome], None]
UndoFunc = Callable[[StepContext, Step, Outcome], bool]
"""Takes back what the step made; False when it had made nothing."""


@dataclass(frozen=True)
class StepKind:
    do: StepFunc
    undo: UndoFunc | None = None


def _fetch(ctx: StepContext, step: Step, outcome: Outcome) -> None:
    settings = ctx.runtime.settings
    ctx.artifact = fetch_artifact(
        repository_from(settings),
        step["artifact"],
        step["sha256"],
        settings.var_dir / "artifact-cache",
    )


def _set_aside(ctx: StepContext, step: Step, outcome: Outcome) -> None:
    session = ctx.session(step["where"])
    # Only the version in place is kept aside; the one before it goes.
    remove_path(session, step["aside"])
    outcome["moved"] = move_path(session, step["path"], step["aside"])


def _put_back(ctx: StepContext, step: Step, outcome: Outcome) -> bool:
    if not outcome.get("moved"):
        return False
    session = ctx.session(step["where"])
    remove_path(session, step["path"])
    return move_path(session, step["aside"], step["path"])


def _make_folder(ctx: StepContext, step: Step, outcome: Outcome) -> None:
    outcome["created"] = make_folder(ctx.session(step["where"]), step["path"])


def _remove_made_folder(ctx: StepContext, step: Step, outcome: Outcome) -> bool:
    if not outcome.get("created"):
        return False
    return remove_path(ctx.session(step["where"]), step["path"])


def _unpack(ctx: StepContext, step: Step, outcome: Outcome) -> None:
    session = ctx.session(step["where"])
    data = ctx.checked_artifact(step["sha256"]).path.read_bytes()
    # The unpacked files go with the execution folder this run made.
    outcome["written"] = step["archive"]
    session.write_file(step["archive"], data)
    expand_archive(session, step["archive"], step["path"])
    remove_path(session, step["archive"])


def _configure(ctx: StepContext, step: Step, outcome: Outcome) -> None:
    artifact = ctx.checked_artifact(step["sha256"])
    data = set_app_settings(read_entry(artifact.path, step["entry"]), step["settings"])
    outcome["written"] = step["path"]
    ctx.session(step["where"]).write_file(step["path"], data)


def _write_launcher(ctx: StepContext, step: Step, outcome: Outcome) -> None:
    launcher = build_launcher(
        step["environment"], step["folder"], step["executable"], step["domain"]
    )
    outcome["written"] = step["path"]
    ctx.session(step["where"]).write_file(step["path"], launcher.data())


def _remove_written(ctx: StepContext, step: Step, outcome: Outcome) -> bool:
    """Remove the file the step wrote, or began to write."""
    written = outcome.get("written")
    if not written:
        return False
    remove_path(ctx.session(step["where"]), written)
    return True


def _register_task(ctx: StepContext, step: Step, outcome: Outcome) -> None:
    session = ctx.session(step["where"])
    folder, name = split_task_name(step["task"])
    outcome["previous_xml"], _ = export_task(session, folder, name)
    outcome["exported"] = True
    command = step["command"]
    definition = TaskDefinition(
        command=f'"{command}"' if " " in command else command,
        trigger=trigger_from_record(step["trigger"]),
        working_directory=step["folder"],
        description=text(ctx.lang, "deploy.task_description", batch=ctx.plan.batch),
    )
    register_task(session, folder, name, definition)


def _restore_task(ctx: StepContext, step: Step, outcome: Outcome) -> bool:
    if not outcome.get("exported"):
        return False
    session = ctx.session(step["where"])
    folder, name = split_task_name(step["task"])
    previous = outcome.get("previous_xml")
    if previous:
        register_task_xml(session, folder, name, previous)
        return True
    return unregister_task(session, folder, name)


def _record_deploy(ctx: StepContext, step: Step, outcome: Outcome) -> None:
    plan = ctx.plan
    why = text(
        ctx.lang,
        "deploy.why",
        environment=step["environment"],
        who=plan.requested_name,
        artifact=step["artifact"],
        sha256=step["sha256"][:12],
        confirmed=ctx.confirmed(),
    )
    with ctx.runtime.store.session() as session:
        batch = _deployed_batch(session, ctx, step)
        record_status_change(
            session,
            batch,
            "ready",
            plan.requested_name,
            why,
            "deploy",
            ctx.now,
            even_if_unchanged=True,
        )


def _deployed_batch(session: Session, ctx: StepContext, step: Step) -> Batch:
    """The batch row as the deploy leaves it: made when new, updated if not."""
    server = session.scalars(select(Server).where(Server.name == ctx.plan.server)).one()
    client = session.scalars(select(Client).where(Client.name == step["client"])).one()
    batch = session.scalar(
        select(Batch).where(
            Batch.server_id == server.id,
            func.lower(Batch.name) == ctx.plan.batch.lower(),
        )
    )
    if batch is None:
        local_day = ctx.now.astimezone(ctx.runtime.settings.zone).date()
        batch = Batch(name=ctx.plan.batch, server=server, created_on=local_day)
    batch.client = client
    batch.category = step["category"]
    batch.environment = step["environment"]
    batch.execution_folder = step["folder"]
    batch.task_path = step["task"]
    batch.schedule = schedule_text(ctx.lang, trigger_from_record(step["trigger"]))
    batch.task_triggers = [step["trigger"]]
    batch.expect_since = ctx.now
    batch.deployed_by = ctx.plan.requested_name
    batch.deployed_at = ctx.now
    batch.artifact = step["artifact"]
    batch.artifact_sha256 = step["sha256"]
    if log_source_for(batch, step["logs"] + "\\*.log") is None:
        batch.log_sources.append(LogSource(path=step["logs"], pattern="*.log"))
    return batch


def _set_task_state(ctx: StepContext, step: Step, outcome: Outcome) -> None:
    session = ctx.session(step["where"])
    folder, name = split_task_name(step["task"])
    _, outcome["previous"] = export_task(session, folder, name)
    if outcome["previous"] is None:
        raise RemoteError(f"task not found: {step['task']}", retryable=False)
    set_task_enabled(session, folder, name, step["enabled"])


def _restore_task_state(ctx: StepContext, step: Step, outcome: Outcome) -> bool:
    previous = outcome.get("previous")
    if previous is None:
        return False
    folder, name = split_task_name(step["task"])
    set_task_enabled(ctx.session(step["where"]), folder, name, previous != "Disabled")
    return True


def _record_state(ctx: StepContext, step: Step, outcome: Outcome) -> None:
    plan = ctx.plan
    reason = step["reason"] or text(
        ctx.lang, f"{plan.kind}.why", who=plan.requested_name
    )
    with ctx.runtime.store.session() as session:
        server = session.scalars(select(Server).where(Server.name == plan.server))
        batch = session.scalars(
            select(Batch).where(
                Batch.server_id == server.one().id, Batch.name == plan.batch
            )
        ).one()
        record_status_change(
            session,
            batch,
            step["to_state"],
            plan.requested_name,
            reason,
            "chat",
            ctx.now,
        )


STEP_KINDS: dict[str, StepKind] = {
    "fetch_artifact": StepKind(_fetch),
    "set_aside": StepKind(_set_aside, _put_back),
    "make_folder": StepKind(_make_folder, _remove_made_folder),
    "unpack": StepKind(_unpack, _remove_written),
    "configure": StepKind(_configure, _remove_written),
    "write_launcher": StepKind(_write_launcher, _remove_written),
    "register_task": StepKind(_register_task, _restore_task),
    "record_deploy": StepKind(_record_deploy),
    "set_task_state": StepKind(_set_task_state, _restore_task_state),
    "record_state": StepKind(_record_state),
}
"""Each kind of step; the last steps write to the store in one transaction,
so a failure there leaves nothing to undo in it."""
