"""/deploy, /disable and /enable as typed: what they need, what they refuse,
and every card of a plan's life shaped as Zoom wants it."""

from __future__ import annotations

import dataclasses
import shlex
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from bot import router
from bot.cards.deploy import PlanView, plan_card
from bot.deploy.planning import (
    NothingToDo,
    plan_deploy,
    plan_state_change,
    read_deploy_words,
)
from bot.runtime import Runtime
from bot.store import Batch, Client, Server
from integrations.zoom import validate_content
from tests.deploy.support import (
    ARCHIVE,
    BATCH,
    archive,
    card_text,
    declare_estate,
    publish,
)

ADMIN = "U-ALICE"


@pytest.fixture
def chat(runtime: Runtime, store, clock):  # type: ignore[no-untyped-def]
    runtime.settings = dataclasses.replace(runtime.settings, lang="en")
    declare_estate(store, clock.now())
    publish(runtime.settings.artifacts_dir, ARCHIVE, archive())

    def say(words: str, user: str = ADMIN) -> str:
        request = router.Request(text=words, user_id=user, user_name=user, to_jid="ops")
        content = router.dispatch(runtime, request)
        assert validate_content(content) == []
        return card_text(content)

    return say


FIRST = (
    f'deploy {BATCH} to RecetteInterne {ARCHIVE} daily 02:30 client="Mutuelle Horizon"'
)


@pytest.mark.parametrize(
    ("words", "said"),
    [
        ("deploy", "Usage: /batch deploy BATCH to ENVIRONMENT"),
        (f"deploy {BATCH} RecetteInterne", "Usage: /batch deploy"),
        (f"deploy {BATCH} to Staging", "“Staging” is not an environment"),
        ("deploy ../Import to RecetteInterne", "“../Import” cannot name a batch"),
        (f"{FIRST} soon", "I don't understand “soon”"),
        (f"{FIRST} colour=blue", "I don't understand “colour=”"),
        (f"{FIRST} category=misc", "“misc” is not a category"),
        (f"{FIRST} sha256=abc", "“abc” is not a SHA-256 checksum"),
        (f"{FIRST} weekly 06:00", "“weekly” needs a day and a time"),
        (f"deploy {BATCH} to RecetteInterne {ARCHIVE} daily 02:30", "name its client"),
        (
            f"deploy {BATCH} to RecetteInterne daily 02:30 client=Autre",
            "No client “Autre”",
        ),
        (
            f'deploy {BATCH} to RecetteInterne {ARCHIVE} client="Mutuelle Horizon"',
            "When should ImportContrats run?",
        ),
        (
            f'deploy {BATCH} to RecetteInterne daily 02:30 client="Mutuelle Horizon"',
            "Which archive should ImportContrats get?",
        ),
        (f"{FIRST} on SRV-NOPE", "No server “SRV-NOPE”"),
        (f"{FIRST} on SRV-PROD", "SRV-PROD does not host RecetteInterne"),
        (FIRST.replace(ARCHIVE, "Other.zip"), "No checksum next to Other.zip"),
        (
            f"{FIRST.replace(ARCHIVE, 'Other.zip')} sha256={'0' * 64}",
            "Other.zip not found",
        ),
    ],
)
def test_it_refuses_a_deploy_it_cannot_plan(chat, words: str, said: str) -> None:  # type: ignore[no-untyped-def]
    assert said in chat(words)


def test_it_asks_for_the_client_domain_the_launcher_passes(chat, store) -> None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        session.execute(update(Client).values(domain=None))

    said = chat(FIRST)

    assert "Client Mutuelle Horizon has no domain" in said
    assert 'batchops clients set \\"Mutuelle Horizon\\" --domain DOMAIN' in said


def test_it_never_replaces_a_later_environment_with_an_earlier_one(chat, store) -> None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        server = session.scalars(select(Server).where(Server.name == "SRV-PROD")).one()
        server.environments = None
        client = session.scalars(select(Client)).one()
        session.add(
            Batch(name=BATCH, server=server, client=client, environment="Production")
        )

    said = chat(f"{FIRST} on SRV-PROD")

    assert "SRV-PROD already holds the Production copy of ImportContrats" in said


def test_it_plans_nothing_for_a_batch_already_in_that_state(runtime, store) -> None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        server = Server(name="SRV", kind="local", root="/tmp/none")
        session.add_all(
            [
                Batch(name="A", server=server, state="disabled"),
                Batch(name="B", server=server, state="ready"),
                Batch(name="C", server=server, state="inactive"),
            ]
        )

    for name, enable, said in (
        ("A", False, "is already disabled"),
        ("B", True, "is already enabled"),
        ("C", False, "is inactive"),
    ):
        with pytest.raises(NothingToDo, match=said):
            plan_state_change(runtime, "en", [name], enable)
    with pytest.raises(router.Refusal, match="Deploy it again"):
        plan_state_change(runtime, "en", ["C"], True)
    with pytest.raises(router.Refusal, match="No batch “Z”"):
        plan_state_change(runtime, "en", ["Z"], True)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_card_of_a_plan_is_one_zoom_accepts(chat, runtime, lang: str) -> None:  # type: ignore[no-untyped-def]
    words = read_deploy_words(lang, shlex.split(FIRST)[1:], date(2026, 12, 4))
    proposal = plan_deploy(runtime, words, lang)
    steps = len(proposal.document["steps"])
    until = datetime(2026, 12, 4, 9, 45, tzinfo=UTC)
    views = [
        ("preview", ["todo"] * steps, {}),
        ("waiting", ["todo"] * steps, {}),
        ("running", ["done", "running"] + ["todo"] * (steps - 2), {}),
        ("done", ["done"] * steps, {}),
        ("failed", ["done", "undone", "undo_failed", "failed"] + ["todo"] * (steps - 4),
         {"failure": (3, "script failed: disk full")}),
        ("cancelled", ["todo"] * steps, {"cancelled": ("Alice", until)}),
    ]  # fmt: skip
    for phase, progress, extra in views:
        view = PlanView(
            kind="deploy",
            document=proposal.document,
            requested_name="Alice",
            expires_at=until,
            phase=phase,
            progress=progress,
            buttons=[("OK", "plan:x", "Primary")] if phase == "preview" else [],
            **extra,
        )
        content = plan_card(lang, runtime.settings.zone, view)
        assert validate_content(content) == [], (phase, content)
