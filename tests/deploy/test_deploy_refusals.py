"""Clicks and commands that must not deploy: each refused with its reason,
the card left as it was for the others in the channel."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from sqlalchemy import select, update

from bot import router
from bot.exports import AUDIENCE as EXPORT_AUDIENCE
from bot.plans import load_plan, record_confirmation
from bot.roles import revoke_role
from bot.runtime import build_runtime
from bot.signing import sign_token
from bot.store import ActionPlan, Batch, BatchRun, Server
from tests.deploy.support import (
    ARCHIVE,
    BATCH,
    ZoomChannel,
    archive,
    button_value,
    card_text,
    declare_estate,
    fake_windows,
    publish,
)
from tests.deploy.test_deploy_zoom_flow import FIRST_DEPLOY, deploy


@pytest.fixture
def estate(deploy_runtime, store, clock):  # type: ignore[no-untyped-def]
    return fake_windows(deploy_runtime, declare_estate(store, clock.now()))


def task_ran_well(store, clock) -> None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        batch = session.scalars(select(Batch)).one()
        batch.task_last_run_at = clock.now() + timedelta(minutes=5)
        batch.task_last_result = 0


def preview(channel: ZoomChannel, command: str = FIRST_DEPLOY) -> str:
    channel.command(command)
    return channel.last_message_id()


def refusal_after(channel: ZoomChannel, message_id: str, value: str, user: str) -> str:
    """Click, and return the text of the refusal the bot sent."""
    before = len(channel.zoom_api.messages)
    edits = len(channel.zoom_api.edits)
    channel.click_value(message_id, value, user)
    assert len(channel.zoom_api.edits) == edits, "the card was edited"
    (reply,) = channel.zoom_api.messages[before:]
    assert reply["content"]["head"]["text"] == "Refused"
    return card_text(reply["content"])


def test_it_refuses_a_click_by_someone_else(channel: ZoomChannel, estate) -> None:
    message_id = preview(channel)
    value = button_value(channel.card(message_id), "Confirm")

    said = refusal_after(channel, message_id, value, "U-BOB")

    assert "Only Alice Martin, who asked for this plan, may confirm" in said
    assert estate["SRV-RECETTE"].calls == []


def test_it_refuses_a_cancel_by_someone_else(channel: ZoomChannel, estate) -> None:
    message_id = preview(channel)
    value = button_value(channel.card(message_id), "Cancel")

    said = refusal_after(channel, message_id, value, "U-BOB")

    assert "Only Alice Martin" in said


def test_it_refuses_a_click_after_expiry(channel: ZoomChannel, estate, clock) -> None:
    message_id = preview(channel)
    value = button_value(channel.card(message_id), "Confirm")
    clock.advance(timedelta(minutes=15))

    said = refusal_after(channel, message_id, value, "U-ALICE")

    assert "This plan expired at 2026-12-04 10:45:00 CET" in said
    assert estate["SRV-RECETTE"].calls == []


@pytest.mark.parametrize("how", ["altered", "other key", "other purpose"])
def test_it_refuses_a_tampered_token(
    channel: ZoomChannel, estate, deploy_runtime, clock, how: str
) -> None:
    message_id = preview(channel)
    token = button_value(channel.card(message_id), "Confirm").removeprefix("plan:")
    claims = jwt.decode(token, options={"verify_signature": False})
    if how == "altered":
        header, body, signature = token.split(".")
        forged = jwt.encode({**claims, "uid": "U-BOB"}, "x" * 32).split(".")[1]
        token = ".".join([header, forged, signature])
    elif how == "other key":
        token = jwt.encode(claims, "another-secret-of-32-characters!", "HS256")
    else:
        settings = deploy_runtime.settings
        token = sign_token(settings, EXPORT_AUDIENCE, claims, clock.now(), timedelta(1))

    said = refusal_after(channel, message_id, f"plan:{token}", "U-BOB")

    assert "This button is not valid" in said
    assert estate["SRV-RECETTE"].calls == []


def test_it_refuses_deploys_to_a_viewer_and_an_operator(
    channel: ZoomChannel, estate, store
) -> None:
    for user, role in (("U-VIC", "viewer"), ("U-OLGA", "operator")):
        reply = channel.command(FIRST_DEPLOY, user)

        assert reply["head"]["text"] == "Refused"
        assert f"your role is {role}" in card_text(reply)
    with store.session() as session:
        assert session.scalars(select(ActionPlan)).all() == []


def test_it_refuses_a_click_once_the_role_is_taken_back(
    channel: ZoomChannel, estate, store
) -> None:
    message_id = preview(channel)
    value = button_value(channel.card(message_id), "Confirm")
    with store.session() as session:
        revoke_role(session, "U-ALICE")

    said = refusal_after(channel, message_id, value, "U-ALICE")

    assert "This needs the admin role" in said


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (f"/batch deploy {BATCH} to RecetteClient", "it has no copy in RecetteInterne"),
        (f"/batch deploy {BATCH} to Production", "it has no copy in RecetteClient"),
    ],
)
def test_it_refuses_an_environment_skipped(
    channel: ZoomChannel, estate, command: str, reason: str
) -> None:
    reply = channel.command(command)

    assert reply["head"]["text"] == "Refused"
    assert reason in card_text(reply)


def add_heartbeat(store, batch_id: int, at, outcome: str) -> None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        session.add(
            BatchRun(
                batch_id=batch_id,
                outcome=outcome,
                finished_at=at,
                last_ping_at=at,
                exit_code=0 if outcome == "success" else 2,
            )
        )


def test_it_refuses_production_until_the_recette_client_copy_last_ran_well(
    channel: ZoomChannel, estate, store, clock
) -> None:
    deploy(channel, FIRST_DEPLOY)
    deploy(channel, f"/batch deploy {BATCH} to RecetteClient")
    promote = f"/batch deploy {BATCH} to Production"
    with store.session() as session:
        batch_id = session.scalars(select(Batch.id)).one()

    assert "has not run since it was deployed" in card_text(channel.command(promote))

    add_heartbeat(store, batch_id, clock.now() + timedelta(minutes=10), "success")
    with store.session() as session:
        batch = session.get_one(Batch, batch_id)
        batch.task_last_run_at = clock.now() + timedelta(minutes=20)
        batch.task_last_result = 2
    clock.advance(timedelta(hours=1))
    refused = card_text(channel.command(promote))
    assert "its last run in RecetteClient on SRV-RECETTE failed" in refused

    add_heartbeat(store, batch_id, clock.now(), "success")
    assert "Deploy ImportContrats to Production?" in card_text(channel.command(promote))


def test_it_refuses_production_with_another_archive_than_the_one_that_ran(
    channel: ZoomChannel, estate, store, clock, repository: Path
) -> None:
    deploy(channel, FIRST_DEPLOY)
    deploy(channel, f"/batch deploy {BATCH} to RecetteClient")
    task_ran_well(store, clock)
    other = archive(
        {f"{BATCH}.exe": b"MZ 1.0.1", f"{BATCH}.exe.config": b"<configuration/>"}
    )
    publish(repository, f"{BATCH}-1.0.1.zip", other)

    reply = channel.command(f"/batch deploy {BATCH} to Production {BATCH}-1.0.1.zip")

    said = card_text(reply)
    assert (
        "may only go to Production with the archive that ran in RecetteClient" in said
    )
    assert ARCHIVE in said


def test_it_refuses_a_click_on_a_plan_that_changed_since_the_preview(
    channel: ZoomChannel, estate, repository: Path
) -> None:
    message_id = preview(channel)
    rebuilt = archive(
        {f"{BATCH}.exe": b"MZ rebuilt", f"{BATCH}.exe.config": b"<configuration/>"}
    )
    publish(repository, ARCHIVE, rebuilt)

    value = button_value(channel.card(message_id), "Confirm")
    said = refusal_after(channel, message_id, value, "U-ALICE")

    assert "The plan changed since the preview" in said
    assert estate["SRV-RECETTE"].calls == []


def test_it_refuses_a_click_when_the_stored_plan_was_rewritten(
    channel: ZoomChannel, estate, store
) -> None:
    message_id = preview(channel)
    with store.session() as session:
        session.execute(update(ActionPlan).values(plan_hash="0" * 64))

    value = button_value(channel.card(message_id), "Confirm")
    said = refusal_after(channel, message_id, value, "U-ALICE")

    assert "The plan changed since the preview" in said


def test_it_refuses_a_disable_whose_batch_was_disabled_meanwhile(
    channel: ZoomChannel, estate, store
) -> None:
    deploy(channel, FIRST_DEPLOY)
    message_id = preview(channel, f"/batch disable {BATCH}")
    with store.session() as session:
        session.execute(update(Batch).values(state="disabled"))

    value = button_value(channel.card(message_id), "Confirm")
    said = refusal_after(channel, message_id, value, "U-ALICE")

    assert "The plan changed since the preview" in said
    assert "is already disabled" in said


def test_it_runs_a_plan_once_whatever_the_clicks(
    channel: ZoomChannel, estate, deploy_runtime
) -> None:
    message_id = preview(channel)
    value = button_value(channel.card(message_id), "Confirm")
    channel.click_value(message_id, value, "U-ALICE")
    calls = len(estate["SRV-RECETTE"].calls)

    said = refusal_after(channel, message_id, value, "U-ALICE")

    assert "This plan was carried out already." in said
    assert len(estate["SRV-RECETTE"].calls) == calls


def test_it_lets_one_of_two_simultaneous_confirmations_win(
    channel: ZoomChannel, estate, deploy_runtime
) -> None:
    preview(channel)
    with deploy_runtime.store.session() as session:
        plan_id = session.scalars(select(ActionPlan.id)).one()
    seen = load_plan(deploy_runtime, plan_id)
    assert seen is not None

    first = record_confirmation(deploy_runtime, seen, "U-ALICE", "Alice Martin")
    second = record_confirmation(deploy_runtime, seen, "U-ALICE", "Alice Martin")

    assert first is not None and first.status == "running"
    assert second is None


def test_it_needs_another_admin_for_the_second_confirmation(
    channel: ZoomChannel, estate, store, clock
) -> None:
    deploy(channel, FIRST_DEPLOY)
    deploy(channel, f"/batch deploy {BATCH} to RecetteClient")
    task_ran_well(store, clock)
    clock.advance(timedelta(minutes=10))
    message_id = preview(channel, f"/batch deploy {BATCH} to Production")
    channel.click(message_id, "Confirm")
    second = button_value(channel.card(message_id), "Confirm (second admin)")

    assert "other than Alice Martin" in refusal_after(
        channel, message_id, second, "U-ALICE"
    )
    assert "This needs the admin role" in refusal_after(
        channel, message_id, second, "U-OLGA"
    )
    assert estate["SRV-PROD"].calls == []


def test_it_keeps_a_plan_across_a_restart_between_preview_and_click(
    channel: ZoomChannel, estate, deploy_runtime, zoom_api
) -> None:
    message_id = preview(channel)
    restarted = build_runtime(deploy_runtime.settings, clock=deploy_runtime.clock)
    router.load_commands()
    fake_windows_for = deploy_runtime.open_session
    restarted.open_session = fake_windows_for
    try:
        ZoomChannel(restarted, zoom_api).click(message_id, "Confirm")
    finally:
        restarted.worker.shutdown()
        restarted.store.dispose()

    assert (
        channel.card(message_id)["head"]["text"]
        == f"✅ {BATCH} deployed to RecetteInterne"
    )


def test_it_asks_which_server_when_none_is_clear(channel: ZoomChannel, store) -> None:
    with store.session() as session:
        session.add(Server(name="SRV-AUTRE", kind="local", root="/tmp/none"))
        session.add(Server(name="SRV-AUTRE-2", kind="local", root="/tmp/none"))
    declare_estate(store, channel.runtime.clock.now())
    with store.session() as session:
        session.execute(update(Server).values(environments=None))

    reply = channel.command(FIRST_DEPLOY)

    assert "Say “on SERVER”" in card_text(reply)
    assert "SRV-AUTRE, SRV-AUTRE-2, SRV-PROD, SRV-RECETTE" in card_text(reply)
