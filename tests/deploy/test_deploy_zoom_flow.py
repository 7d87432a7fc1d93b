"""A deploy the way the team does it: signed Zoom events in, a preview card,
a click, the card edited step by step, and the batch on the fake server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.store import ActionPlan, Batch, BatchRun, Server, StatusChange
from integrations.windows.task_xml import triggers_from_xml
from integrations.zoom import validate_content
from tests.deploy.support import (
    BATCH,
    ZoomChannel,
    card_text,
    declare_estate,
    fake_windows,
)

FOLDER = "D:\\Batchs Clients\\Société Générale\\ImportContrats"
FIRST_DEPLOY = (
    f"/batch deploy {BATCH} to RecetteInterne {BATCH}-1.0.0.zip "
    'weekly mon,thu 06:00 client="Mutuelle Horizon" category=import'
)


@pytest.fixture
def estate(deploy_runtime, store, clock, zoom_api):  # type: ignore[no-untyped-def]
    schedulers = declare_estate(store, clock.now(), pm_jid=zoom_api.user_jid)
    fakes = fake_windows(deploy_runtime, schedulers)
    return schedulers, fakes


def step_lines(content: dict) -> list[str]:
    steps = next(
        item["text"]
        for item in content["body"]
        if item["type"] == "message" and item["text"].startswith("Steps:")
    )
    return steps.splitlines()[1:]


def run_a_heartbeat(store, clock, server: str) -> None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        batch = session.scalars(
            select(Batch).join(Server).where(Server.name == server)
        ).one()
        session.add(
            BatchRun(
                batch_id=batch.id,
                outcome="success",
                started_at=clock.now() - timedelta(minutes=3),
                finished_at=clock.now(),
                last_ping_at=clock.now(),
                exit_code=0,
            )
        )


def test_it_previews_every_step_with_its_server(channel: ZoomChannel, estate) -> None:
    preview = channel.command(FIRST_DEPLOY)

    assert validate_content(preview) == []
    assert preview["head"]["text"] == f"Deploy {BATCH} to RecetteInterne?"
    lines = step_lines(preview)
    assert [line.split("] ")[0].split("[")[1] for line in lines] == [
        "batchops",
        *["SRV-RECETTE"] * 7,
        "batchops",
    ]
    said = "\n".join(lines)
    assert "check its SHA-256" in said
    assert f"Create the execution folder {FOLDER}" in said
    assert "Create the log folder D:\\Logs\\ImportContrats" in said
    assert "LogFolder = D:\\Logs\\ImportContrats, testmode = true" in said
    assert "DOTNET_ENVIRONMENT and ASPNETCORE_ENVIRONMENT = RecetteInterne" in said
    assert (
        f'runs "{FOLDER}\\ImportContrats.exe" for the domain mutuelle-horizon' in said
    )
    assert "\\Batchs\\ImportContrats: every week on Mon, Thu at 06:00" in said
    assert "Enter the batch in the inventory (RecetteInterne" in said
    labels = [b["text"] for b in preview["body"][-1]["items"]]
    assert labels == ["Confirm", "Cancel"]
    _, fakes = estate
    assert fakes["SRV-RECETTE"].calls == []


def test_it_deploys_on_confirm_editing_the_card_at_each_step(
    channel: ZoomChannel, estate, store, zoom_api
) -> None:
    schedulers, fakes = estate
    channel.command(FIRST_DEPLOY)
    message_id = channel.last_message_id()

    channel.click(message_id, "Confirm")

    edits = [e.body["content"] for e in zoom_api.edits if e.message_id == message_id]
    assert all(validate_content(edit) == [] for edit in edits)
    assert len(edits) == 10
    for number, edit in enumerate(edits[:9]):
        icons = [line.split(" ")[0] for line in step_lines(edit)]
        assert icons == ["✅"] * number + ["⏳"] + ["⬜"] * (8 - number)
    final = edits[-1]
    assert final["head"]["text"] == f"✅ {BATCH} deployed to RecetteInterne"
    assert all(line.startswith("✅") for line in step_lines(final))
    assert not any(item["type"] == "actions" for item in final["body"])

    files = fakes["SRV-RECETTE"].files
    assert files.get(f"{FOLDER}\\ImportContrats.exe").data == b"MZ program"
    assert files.get(f"{FOLDER}\\lib\\Contrats.Core.dll") is not None
    assert files.get(f"{FOLDER}.zip") is None
    assert files.is_folder("D:\\Logs\\ImportContrats")
    launcher = files.get(f"{FOLDER}\\ImportContrats.bat").data.decode("cp850")
    assert f'\r\ncd /d "{FOLDER}"\r\n' in launcher
    runs = f'"{FOLDER}\\ImportContrats.exe" "mutuelle-horizon.fr" %*'
    assert f"\r\n{runs}\r\n" in launcher
    config = files.get(f"{FOLDER}\\ImportContrats.exe.config").data.decode()
    assert '<add key="TestMode" value="true" />' in config
    assert '<add key="LogFolder" value="D:\\Logs\\ImportContrats" />' in config
    xml = schedulers["SRV-RECETTE"].xml_of("\\Batchs\\ImportContrats")
    (trigger,) = triggers_from_xml(xml)
    assert (trigger.kind, trigger.days_of_week) == ("weekly", ("Monday", "Thursday"))

    with store.session() as session:
        batch = session.scalars(select(Batch).where(Batch.name == BATCH)).one()
        assert (batch.environment, batch.state, batch.category) == (
            "RecetteInterne",
            "ready",
            "import",
        )
        assert batch.execution_folder == FOLDER
        assert batch.deployed_by == "Alice Martin"
        assert batch.schedule == "every week on Mon, Thu at 06:00"
        assert [s.path for s in batch.log_sources] == ["D:\\Logs\\ImportContrats"]
        change = session.scalars(select(StatusChange)).one()
        assert change.source == "deploy"
        assert change.reason.startswith("deployed to RecetteInterne by Alice Martin")

    told = [m for m in zoom_api.messages if m["to_jid"] == zoom_api.user_jid]
    assert len(told) == 1
    assert "deployed to RecetteInterne by Alice Martin" in card_text(told[0]["content"])


def deploy(channel: ZoomChannel, command: str, *confirmers: str) -> dict:
    channel.command(command)
    message_id = channel.last_message_id()
    channel.click(message_id, "Confirm")
    for user in confirmers:
        channel.click(message_id, "Confirm (second admin)", user)
    return channel.card(message_id)


def test_it_promotes_to_production_with_a_second_admin_then_disables(
    channel: ZoomChannel, estate, store, clock, zoom_api
) -> None:
    schedulers, fakes = estate
    deploy(channel, FIRST_DEPLOY)
    done = deploy(channel, f"/batch deploy {BATCH} to RecetteClient")
    assert done["head"]["text"] == f"✅ {BATCH} deployed to RecetteClient"
    run_a_heartbeat(store, clock, "SRV-RECETTE")

    channel.command(f"/batch deploy {BATCH} to Production")
    message_id = channel.last_message_id()
    assert "Go-live: a second admin must confirm." in card_text(
        channel.card(message_id)
    )
    assert "Ran in RecetteClient on SRV-RECETTE: an end heartbeat" in card_text(
        channel.card(message_id)
    )
    channel.click(message_id, "Confirm")
    waiting = channel.card(message_id)
    assert "a second admin must confirm before" in waiting["head"]["sub_head"]["text"]
    assert fakes["SRV-PROD"].calls == []

    channel.click(message_id, "Confirm (second admin)", "U-BOB")
    final = channel.card(message_id)
    assert final["head"]["text"] == f"✅ {BATCH} deployed to Production"
    prod = (
        fakes["SRV-PROD"]
        .files.get(f"{FOLDER}\\ImportContrats.exe.config")
        .data.decode()
    )
    assert '<add key="TestMode" value="false" />' in prod
    launcher = fakes["SRV-PROD"].files.get(f"{FOLDER}\\ImportContrats.bat").data
    assert b'set "DOTNET_ENVIRONMENT=Production"' in launcher

    disabled = deploy_disable(channel, f"/batch disable SRV-PROD/{BATCH} supplier down")
    assert disabled["head"]["text"] == f"✅ {BATCH} disabled"
    assert schedulers["SRV-PROD"].state_of("\\Batchs\\ImportContrats") == "Disabled"
    with store.session() as session:
        changes = session.scalars(select(StatusChange).order_by(StatusChange.id)).all()
        assert [(c.from_state, c.to_state, c.source) for c in changes] == [
            (None, "ready", "deploy"),
            ("ready", "ready", "deploy"),
            (None, "ready", "deploy"),
            ("ready", "disabled", "chat"),
        ]
        assert "confirmed by Alice Martin, Bob Durand" in changes[2].reason
        assert changes[3].reason == "supplier down"
    told = [m for m in zoom_api.messages if m["to_jid"] == zoom_api.user_jid]
    assert len(told) == 4


def deploy_disable(channel: ZoomChannel, command: str, user: str = "U-OLGA") -> dict:
    channel.command(command, user)
    message_id = channel.last_message_id()
    channel.click(message_id, "Confirm", user)
    return channel.card(message_id)


def test_it_enables_a_disabled_batch_again(channel: ZoomChannel, estate) -> None:
    schedulers, _ = estate
    deploy(channel, FIRST_DEPLOY)
    deploy_disable(channel, f"/batch disable {BATCH}")

    enabled = deploy_disable(channel, f"/batch enable {BATCH}")

    assert enabled["head"]["text"] == f"✅ {BATCH} enabled"
    assert schedulers["SRV-RECETTE"].state_of("\\Batchs\\ImportContrats") == "Ready"


def test_it_says_so_and_changes_nothing_when_the_batch_is_already_disabled(
    channel: ZoomChannel, estate, store, zoom_api
) -> None:
    deploy(channel, FIRST_DEPLOY)
    deploy_disable(channel, f"/batch disable {BATCH}")
    before = len(zoom_api.edits)

    reply = channel.command(f"/batch disable {BATCH}", "U-OLGA")

    assert reply["head"]["text"] == "Nothing to do"
    assert "is already disabled: nothing changes" in card_text(reply)
    assert len(zoom_api.edits) == before
    with store.session() as session:
        assert set(session.scalars(select(ActionPlan.status))) == {"done"}


def test_it_cancels_a_plan_and_runs_nothing(
    channel: ZoomChannel, estate, store
) -> None:
    _, fakes = estate
    channel.command(FIRST_DEPLOY)
    message_id = channel.last_message_id()

    channel.click(message_id, "Cancel")

    cancelled = channel.card(message_id)
    assert cancelled["head"]["text"] == f"Cancelled: {BATCH}"
    assert "Cancelled by Alice Martin" in card_text(cancelled)
    assert fakes["SRV-RECETTE"].calls == []
    with store.session() as session:
        assert session.scalars(select(ActionPlan.status)).one() == "cancelled"
