"""Plans of deploys, disables and enables, from a command's words and the store.

A plan is plain JSON: its steps, each with the server it runs on and all it
needs, and the facts it was made from (``basis``). Made again from the same
words and the same store it is the same plan, to the byte: a click compares
the plan made then with the plan made now, and refuses one that changed.

Environments go RecetteInterne, RecetteClient, Production. A batch is one
row per server (the inventory's rule); its environment is that copy's. A
deploy to RecetteClient needs a copy in RecetteInterne; one to Production
needs a copy in RecetteClient that ran (:mod:`bot.deploy.evidence`), with
the same archive, and a second admin's confirmation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.deploy.artifacts import Artifact, fetch_artifact
from bot.deploy.artifacts import repository_from as artifact_repository
from bot.deploy.evidence import RunSign, latest_run_sign
from bot.deploy.launcher import DOMAIN
from bot.deploy.package import (
    LOG_FOLDER_KEY,
    TEST_MODE_KEY,
    PackageLayout,
    inspect_package,
)
from bot.deploy.reasons import DeployError
from bot.deploy.schedule_words import (
    ScheduleWordsError,
    is_schedule_word,
    read_schedule,
)
from bot.inventory_file import category_of, environment_of
from bot.plans import Proposal
from bot.router import Refusal
from bot.runtime import Runtime
from bot.schedules import trigger_from_record, trigger_record
from bot.store import ENVIRONMENTS, Batch, Client, Server
from bot.tasks import default_task_name, task_full_name
from bot.texts import text
from bot.watch import batches_named
from integrations.windows.task_xml import TaskTrigger

BATCHOPS = "batchops"
"""The ``where`` of the steps batchops does itself."""
TO_WORDS = ("to", "vers", "en")
ON_WORDS = ("on", "sur")
SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_NOT_IN_NAMES = r'\\/:*?"<>|\x00-\x1f'
BATCH_NAME = re.compile(rf"^[^{_NOT_IN_NAMES}. ][^{_NOT_IN_NAMES}]{{0,199}}(?<![. ])$")
"""A name Windows takes for a folder, a file and a task alike."""
GO_LIVE = "Production"
NEVER = datetime.min.replace(tzinfo=UTC)


class NothingToDo(Exception):
    """The command would change nothing; its text says so."""


@dataclass(frozen=True)
class DeployWords:
    batch: str
    environment: str
    server: str | None = None
    artifact: str | None = None
    sha256: str | None = None
    trigger: TaskTrigger | None = None
    client: str | None = None
    category: str | None = None


def read_deploy_words(lang: str, words: list[str], today: date) -> DeployWords:
    """``BATCH to ENVIRONMENT [on SERVER] [ARCHIVE.zip] [SCHEDULE] [client=…]
    [category=…] [sha256=…]``."""
    if len(words) < 3 or words[1].lower() not in TO_WORDS:
        raise Refusal(text(lang, "deploy.usage"))
    if not BATCH_NAME.match(words[0]):
        raise Refusal(text(lang, "deploy.bad_batch", word=words[0]))
    environment = environment_of(words[2])
    if environment is None:
        raise Refusal(text(lang, "deploy.bad_environment", word=words[2]))

    found = DeployWords(batch=words[0], environment=environment)
    index = 3
    while index < len(words):
        found, index = _read_word(lang, words, index, found, today)
    return found


def _read_word(
    lang: str, words: list[str], index: int, found: DeployWords, today: date
) -> tuple[DeployWords, int]:
    word = words[index]
    key, equals, value = word.partition("=")
    if word.lower() in ON_WORDS and index + 1 < len(words):
        return replace(found, server=words[index + 1]), index + 2
    if equals:
        return _read_option(lang, key.lower(), value, found), index + 1
    if word.lower().endswith(".zip"):
        return replace(found, artifact=word), index + 1
    if is_schedule_word(word):
        try:
            trigger, taken = read_schedule(words[index:], today)
        except ScheduleWordsError as error:
            raise Refusal(text(lang, error.key, word=error.word)) from None
        return replace(found, trigger=trigger), index + taken
    raise Refusal(text(lang, "deploy.unknown_word", word=word))


def _read_option(lang: str, key: str, value: str, found: DeployWords) -> DeployWords:
    if key in ("server", "serveur"):
        return replace(found, server=value)
    if key == "client":
        return replace(found, client=value)
    if key in ("category", "categorie", "catégorie"):
        category = category_of(value)
        if category is None:
            raise Refusal(text(lang, "deploy.bad_category", word=value))
        return replace(found, category=category)
    if key == "sha256":
        if not SHA256.match(value):
            raise Refusal(text(lang, "deploy.bad_sha256", word=value))
        return replace(found, sha256=value.lower())
    raise Refusal(text(lang, "deploy.unknown_word", word=f"{key}="))


@dataclass(frozen=True)
class Copy:
    """One server's copy of a batch, as the store has it."""

    server: str
    environment: str
    state: str
    client: str | None
    category: str
    execution_folder: str | None
    task: str
    artifact: str | None
    sha256: str | None
    deployed_at: datetime | None
    triggers: list[dict[str, Any]] | None

    def basis(self) -> dict[str, Any]:
        """What a plan depends on: when it changes, the plan does."""
        deployed = self.deployed_at.isoformat() if self.deployed_at else None
        return {
            "server": self.server,
            "environment": self.environment,
            "state": self.state,
            "sha256": self.sha256,
            "deployed_at": deployed,
        }


def copy_of(batch: Batch) -> Copy:
    return Copy(
        server=batch.server.name,
        environment=batch.environment,
        state=batch.state,
        client=batch.client.name if batch.client else None,
        category=batch.category,
        execution_folder=batch.execution_folder,
        task=task_full_name(batch, batch.server),
        artifact=batch.artifact,
        sha256=batch.artifact_sha256,
        deployed_at=batch.deployed_at,
        triggers=batch.task_triggers,
    )


@dataclass(frozen=True)
class DeployTarget:
    """Where a deploy goes and what it builds on, read in one transaction."""

    server: str
    task: str
    """The task's full name: the copy's own, or the server's default."""
    default_task: str
    target: Copy | None
    previous: Copy | None
    ran: RunSign | None
    client: str
    domain: str


def plan_deploy(runtime: Runtime, words: DeployWords, lang: str) -> Proposal:
    """The plan of ``words``, or a :class:`Refusal` saying what stands in
    the way. Fetches and checks the archive (kept in batchops' cache)."""
    with runtime.store.session() as session:
        where = _deploy_target(session, lang, words)
    artifact_name = _artifact_name(lang, words, where)
    expected = words.sha256 or _pinned_sha256(artifact_name, where)
    artifact, layout = _checked_artifact(
        runtime, lang, words.batch, artifact_name, expected
    )
    _check_same_archive(lang, words, where, artifact)
    trigger = _trigger(lang, words, where)
    return _deploy_proposal(runtime, words, where, (artifact, layout), trigger)


def _deploy_target(session: Session, lang: str, words: DeployWords) -> DeployTarget:
    batches = batches_named(session, words.batch)
    copies = [copy_of(batch) for batch in batches]
    previous_batch = _previous(lang, words, batches)
    server = _server(session, lang, words, copies)
    target = next((c for c in copies if c.server == server.name), None)
    ran = None
    if words.environment == GO_LIVE and previous_batch is not None:
        ran = _ran(session, lang, previous_batch)
    _check_not_replacing_later(lang, words, target)
    client, domain = _client(session, lang, words, target, copies)
    default_task = default_task_name(server, words.batch)
    return DeployTarget(
        server=server.name,
        task=target.task if target else default_task,
        default_task=default_task,
        target=target,
        previous=copy_of(previous_batch) if previous_batch else None,
        ran=ran,
        client=client,
        domain=domain,
    )


def _previous(lang: str, words: DeployWords, batches: list[Batch]) -> Batch | None:
    """The copy in the environment before; refused when there is none."""
    index = ENVIRONMENTS.index(words.environment)
    if index == 0:
        return None
    earlier = ENVIRONMENTS[index - 1]
    found = [batch for batch in batches if batch.environment == earlier]
    if not found:
        raise Refusal(
            text(
                lang,
                "deploy.skipped",
                batch=words.batch,
                environment=words.environment,
                earlier=earlier,
            )
        )
    return max(found, key=_deployed_order)


def _deployed_order(batch: Batch) -> tuple[bool, datetime]:
    """Copies batchops deployed last come first, then the others."""
    return batch.deployed_at is not None, batch.deployed_at or NEVER


def _check_not_replacing_later(
    lang: str, words: DeployWords, target: Copy | None
) -> None:
    """A server holds one copy of a batch: a deploy there replaces it, but
    never with an earlier environment's."""
    if target is None:
        return
    if ENVIRONMENTS.index(target.environment) > ENVIRONMENTS.index(words.environment):
        raise Refusal(
            text(
                lang,
                "deploy.would_replace",
                batch=words.batch,
                server=target.server,
                environment=words.environment,
                holds=target.environment,
            )
        )


def _ran(session: Session, lang: str, batch: Batch) -> RunSign:
    sign = latest_run_sign(session, batch)
    if sign is not None and sign.ok:
        return sign
    key = "deploy.not_ran" if sign is None else "deploy.ran_badly"
    raise Refusal(text(lang, key, batch=batch.name, server=batch.server.name))


def _server(
    session: Session, lang: str, words: DeployWords, copies: list[Copy]
) -> Server:
    servers = list(session.scalars(select(Server).order_by(Server.name)))
    if words.server:
        return _named_server(lang, words, servers)

    here = [copy.server for copy in copies if copy.environment == words.environment]
    hosting = [
        server
        for server in servers
        if server.environments and words.environment in server.environments
    ]
    if len(here) == 1:
        return next(server for server in servers if server.name == here[0])
    if len(hosting) == 1 and not here:
        return hosting[0]
    if len(servers) == 1 and not here:
        return servers[0]
    choices = here or [server.name for server in hosting or servers]
    raise Refusal(
        text(
            lang,
            "deploy.which_server",
            environment=words.environment,
            choices=", ".join(choices),
            batch=words.batch,
        )
    )


def _named_server(lang: str, words: DeployWords, servers: list[Server]) -> Server:
    wanted = (words.server or "").lower()
    found = next((server for server in servers if server.name.lower() == wanted), None)
    if found is None:
        raise Refusal(text(lang, "deploy.unknown_server", server=words.server))
    if found.environments and words.environment not in found.environments:
        raise Refusal(
            text(
                lang,
                "deploy.server_elsewhere",
                server=found.name,
                environment=words.environment,
                hosts=", ".join(found.environments),
            )
        )
    return found


def _client(
    session: Session,
    lang: str,
    words: DeployWords,
    target: Copy | None,
    copies: list[Copy],
) -> tuple[str, str]:
    name = words.client or (target.client if target else None)
    name = name or next((copy.client for copy in copies if copy.client), None)
    if name is None:
        raise Refusal(text(lang, "deploy.needs_client", batch=words.batch))
    client = session.scalar(
        select(Client).where(func.lower(Client.name) == name.lower())
    )
    if client is None:
        raise Refusal(text(lang, "deploy.unknown_client", client=name))
    if not client.domain:
        raise Refusal(text(lang, "deploy.no_domain", client=client.name))
    if not DOMAIN.match(client.domain):
        raise Refusal(
            text(lang, "deploy.bad_domain", client=client.name, domain=client.domain)
        )
    return client.name, client.domain


def _artifact_name(lang: str, words: DeployWords, where: DeployTarget) -> str:
    for name in (
        words.artifact,
        where.previous.artifact if where.previous else None,
        where.target.artifact if where.target else None,
    ):
        if name:
            return name
    raise Refusal(text(lang, "deploy.needs_artifact", batch=words.batch))


def _pinned_sha256(name: str, where: DeployTarget) -> str | None:
    """A promotion of the archive that ran before takes its checksum."""
    previous = where.previous
    if previous and previous.artifact == name and previous.sha256:
        return previous.sha256
    return None


def _checked_artifact(
    runtime: Runtime, lang: str, batch: str, name: str, sha256: str | None
) -> tuple[Artifact, PackageLayout]:
    cache = runtime.settings.var_dir / "artifact-cache"
    try:
        artifact = fetch_artifact(
            artifact_repository(runtime.settings), name, sha256, cache
        )
        return artifact, inspect_package(artifact.path, batch)
    except DeployError as error:
        raise Refusal(error.text(lang)) from None


def _check_same_archive(
    lang: str, words: DeployWords, where: DeployTarget, artifact: Artifact
) -> None:
    previous = where.previous
    if words.environment != GO_LIVE or previous is None or not previous.sha256:
        return
    if previous.sha256 != artifact.sha256:
        raise Refusal(
            text(
                lang,
                "deploy.other_artifact",
                batch=words.batch,
                artifact=artifact.name,
                sha256=artifact.sha256[:12],
                ran=previous.artifact or "",
                ran_sha256=previous.sha256[:12],
                environment=previous.environment,
            )
        )


def _trigger(lang: str, words: DeployWords, where: DeployTarget) -> TaskTrigger:
    if words.trigger is not None:
        return words.trigger
    for copy in (where.target, where.previous):
        if copy and copy.triggers:
            return trigger_from_record(copy.triggers[0])
    raise Refusal(text(lang, "deploy.needs_schedule", batch=words.batch))


@dataclass(frozen=True)
class DeployPaths:
    """Where a deploy puts things on the server."""

    folder: str
    logs: str
    launcher: str
    executable: str
    config: str


def _paths(
    runtime: Runtime, batch: str, where: DeployTarget, layout: PackageLayout
) -> DeployPaths:
    settings = runtime.settings
    target = where.target
    folder = (target.execution_folder if target else None) or _under(
        settings.deploy_root, batch
    )
    return DeployPaths(
        folder=folder,
        logs=_under(settings.log_root, batch),
        launcher=_under(folder, f"{batch}.bat"),
        executable=_under(folder, *layout.executable.split("/")),
        config=_under(folder, *layout.config.split("/")),
    )


def _deploy_proposal(
    runtime: Runtime,
    words: DeployWords,
    where: DeployTarget,
    package: tuple[Artifact, PackageLayout],
    trigger: TaskTrigger,
) -> Proposal:
    artifact, layout = package
    paths = _paths(runtime, words.batch, where, layout)
    source = artifact_repository(runtime.settings).where()
    steps = [
        _step(BATCHOPS, "fetch_artifact", artifact=artifact.name,
              sha256=artifact.sha256, size=artifact.size, source=source),
        *_server_steps(words, where, (artifact, layout), paths, trigger),
        _record_step(words, where, artifact, paths, trigger),
    ]  # fmt: skip
    target, previous = where.target, where.previous
    document = {
        "kind": "deploy",
        "batch": words.batch,
        "server": where.server,
        "environment": words.environment,
        "basis": {
            "target": target.basis() if target else None,
            "previous": previous.basis() if previous else None,
        },
        "steps": steps,
    }
    return Proposal(
        kind="deploy",
        batch=words.batch,
        server=where.server,
        document=document,
        notes=_deploy_notes(where),
        needed=2 if words.environment == GO_LIVE else 1,
    )


def _server_steps(
    words: DeployWords,
    where: DeployTarget,
    package: tuple[Artifact, PackageLayout],
    paths: DeployPaths,
    trigger: TaskTrigger,
) -> list[dict[str, Any]]:
    artifact, layout = package
    server = where.server
    settings = _config_settings(words.environment, paths.logs)
    return [
        _step(server, "set_aside", path=paths.folder, aside=f"{paths.folder}.previous"),
        _step(server, "make_folder", path=paths.folder, role="execution"),
        _step(server, "make_folder", path=paths.logs, role="logs"),
        _step(server, "unpack", archive=f"{paths.folder}.zip", path=paths.folder,
              sha256=artifact.sha256, files=layout.files),
        _step(server, "configure", path=paths.config, entry=layout.config,
              sha256=artifact.sha256, settings=settings),
        _step(server, "write_launcher", path=paths.launcher,
              environment=words.environment, folder=paths.folder,
              executable=paths.executable, domain=where.domain),
        _step(server, "register_task", task=where.task, command=paths.launcher,
              folder=paths.folder, trigger=trigger_record(trigger)),
    ]  # fmt: skip


def _record_step(
    words: DeployWords,
    where: DeployTarget,
    artifact: Artifact,
    paths: DeployPaths,
    trigger: TaskTrigger,
) -> dict[str, Any]:
    category = words.category or next(
        (copy.category for copy in (where.target, where.previous) if copy), "recurring"
    )
    return _step(
        BATCHOPS,
        "record_deploy",
        environment=words.environment,
        client=where.client,
        category=category,
        folder=paths.folder,
        logs=paths.logs,
        task=None if where.task == where.default_task else where.task,
        artifact=artifact.name,
        sha256=artifact.sha256,
        trigger=trigger_record(trigger),
        replaces=where.target.environment if where.target else None,
    )


def _step(where: str, kind: str, **args: Any) -> dict[str, Any]:
    return {"where": where, "kind": kind, **args}


def _under(folder: str, *names: str) -> str:
    return "\\".join([folder.rstrip("\\"), *names])


def _config_settings(environment: str, logs: str) -> dict[str, str]:
    test_mode = "false" if environment == GO_LIVE else "true"
    return {LOG_FOLDER_KEY: logs, TEST_MODE_KEY: test_mode}


def _deploy_notes(where: DeployTarget) -> dict[str, Any]:
    notes: dict[str, Any] = {}
    if where.ran is not None and where.previous is not None:
        notes["ran"] = {
            "server": where.previous.server,
            "environment": where.previous.environment,
            "source": where.ran.source,
            "at": where.ran.at.isoformat(),
        }
    return notes


def plan_state_change(
    runtime: Runtime, lang: str, words: list[str], enable: bool
) -> Proposal:
    """Disable (or enable) the batch ``words`` name, for the reason the
    words that follow give. :class:`NothingToDo` when it already is."""
    kind = "enable" if enable else "disable"
    if not words:
        raise Refusal(text(lang, f"{kind}.usage"))
    with runtime.store.session() as session:
        batch = _one_batch(session, lang, words[0])
        _check_state(lang, batch, enable)
        task = task_full_name(batch, batch.server)
        name, server, state = batch.name, batch.server.name, batch.state

    to_state = "ready" if enable else "disabled"
    steps = [
        _step(server, "set_task_state", task=task, enabled=enable),
        _step(BATCHOPS, "record_state", to_state=to_state, reason=" ".join(words[1:])),
    ]
    document = {
        "kind": kind,
        "batch": name,
        "server": server,
        "basis": {"state": state, "task": task},
        "steps": steps,
    }
    return Proposal(kind=kind, batch=name, server=server, document=document, notes={})


def _one_batch(session: Session, lang: str, name: str) -> Batch:
    found = batches_named(session, name)
    if not found:
        raise Refusal(text(lang, "plan.unknown_batch", name=name))
    if len(found) > 1:
        choices = ", ".join(f"{b.server.name}/{b.name}" for b in found)
        raise Refusal(text(lang, "plan.ambiguous", name=name, choices=choices))
    return found[0]


def _check_state(lang: str, batch: Batch, enable: bool) -> None:
    values = {"batch": batch.name, "server": batch.server.name}
    if enable and batch.state == "ready":
        raise NothingToDo(text(lang, "enable.already", **values))
    if not enable and batch.state == "disabled":
        raise NothingToDo(text(lang, "disable.already", **values))
    if not enable and batch.state == "inactive":
        raise NothingToDo(text(lang, "disable.inactive", **values))
    if enable and batch.state == "inactive":
        raise Refusal(text(lang, "enable.inactive", **values))
