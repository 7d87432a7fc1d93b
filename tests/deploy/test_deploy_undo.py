"""A failing step stops the run, undoes what the run made, and the card says
which step failed and why."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.store import ActionPlan, Batch, StatusChange
from integrations.session import RemoteError
from tests.deploy.support import BATCH, ZoomChannel, declare_estate, fake_windows
from tests.deploy.test_deploy_zoom_flow import FIRST_DEPLOY, FOLDER, deploy, step_lines
from tests.fakes.windows import serve_remove_path

TASK = "\\Batchs\\ImportContrats"


@pytest.fixture
def estate(deploy_runtime, store, clock):  # type: ignore[no-untyped-def]
    schedulers = declare_estate(store, clock.now())
    return schedulers, fake_windows(deploy_runtime, schedulers)


def refuse_registration(fake) -> None:  # type: ignore[no-untyped-def]
    fake.responses["register_task_xml"] = RemoteError(
        "script failed: Access is denied. (0x80070005)", retryable=False
    )


def test_it_undoes_a_first_deploy_when_registering_the_task_fails(
    channel: ZoomChannel, estate, store
) -> None:
    schedulers, fakes = estate
    refuse_registration(fakes["SRV-RECETTE"])

    final = deploy(channel, FIRST_DEPLOY)

    assert final["head"]["text"] == f"❌ Deploying {BATCH} to RecetteInterne failed"
    icons = [line.split(" ")[0] for line in step_lines(final)]
    assert icons == ["✅", "✅", "↩", "↩", "↩", "↩", "↩", "❌", "⬜"]
    said = final["body"][2]["text"]
    assert "Step 8 (Register the scheduled task \\Batchs\\ImportContrats" in said
    assert "failed: script failed: Access is denied. (0x80070005)" in said
    assert "What the deploy had made was undone." in said

    files = fakes["SRV-RECETTE"].files
    assert not files.exists(FOLDER)
    assert not files.exists("D:\\Logs\\ImportContrats")
    assert not files.exists(f"{FOLDER}.zip")
    assert schedulers["SRV-RECETTE"].state_of(TASK) is None
    with store.session() as session:
        assert session.scalars(select(Batch)).all() == []
        assert session.scalars(select(StatusChange)).all() == []
        plan = session.scalars(select(ActionPlan)).one()
        assert plan.status == "failed"
        assert plan.outcome == "script failed: Access is denied. (0x80070005)"


def test_it_puts_the_version_in_place_back_when_a_redeploy_fails(
    channel: ZoomChannel, estate, store
) -> None:
    schedulers, fakes = estate
    deploy(channel, FIRST_DEPLOY)
    fake = fakes["SRV-RECETTE"]
    fake.files.write(f"{FOLDER}\\data\\kept.csv", b"written by the batch")
    task_before = schedulers["SRV-RECETTE"].xml_of(TASK)
    fake.responses["expand_archive"] = RemoteError(
        "script failed: There is not enough space on the disk.", retryable=False
    )

    final = deploy(channel, f"/batch deploy {BATCH} to RecetteInterne daily 03:00")

    icons = [line.split(" ")[0] for line in step_lines(final)]
    assert icons == ["✅", "↩", "↩", "✅", "❌", "⬜", "⬜", "⬜", "⬜"]
    assert fake.files.get(f"{FOLDER}\\data\\kept.csv").data == b"written by the batch"
    assert fake.files.get(f"{FOLDER}\\ImportContrats.exe") is not None
    assert not fake.files.exists(f"{FOLDER}.previous")
    assert not fake.files.exists(f"{FOLDER}.zip")
    assert fake.files.is_folder("D:\\Logs\\ImportContrats")
    assert schedulers["SRV-RECETTE"].xml_of(TASK) == task_before
    with store.session() as session:
        assert session.scalars(select(Batch.schedule)).one() == (
            "every week on Mon, Thu at 06:00"
        )


def test_it_puts_a_replaced_task_back_when_the_inventory_step_fails(
    channel: ZoomChannel, estate, store, monkeypatch
) -> None:
    schedulers, _ = estate
    deploy(channel, FIRST_DEPLOY)
    task_before = schedulers["SRV-RECETTE"].xml_of(TASK)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("bot.deploy.steps.record_status_change", broken)
    final = deploy(channel, f"/batch deploy {BATCH} to RecetteInterne daily 03:00")

    assert "Step 9" in final["body"][2]["text"]
    assert "internal error (ref. " in final["body"][2]["text"]
    assert schedulers["SRV-RECETTE"].xml_of(TASK) == task_before
    with store.session() as session:
        assert session.scalars(select(Batch.deployed_at)).one() is not None
        assert len(session.scalars(select(StatusChange)).all()) == 1


def test_it_says_when_an_undo_fails_too(channel: ZoomChannel, estate) -> None:
    _, fakes = estate
    fake = fakes["SRV-RECETTE"]
    refuse_registration(fake)
    busy = RemoteError(
        "script failed: The process cannot access the file", retryable=False
    )
    fake.responses["remove_path"] = lambda params: (
        busy if params["Path"] == FOLDER else serve_remove_path(fake.files, params)
    )

    final = deploy(channel, FIRST_DEPLOY)

    icons = [line.split(" ")[0] for line in step_lines(final)]
    assert icons == ["✅", "✅", "⚠️", "↩", "↩", "↩", "↩", "❌", "⬜"]
    assert "Some steps could not be undone (⚠️)" in final["body"][2]["text"]


def test_it_restores_the_task_state_when_recording_a_disable_fails(
    channel: ZoomChannel, estate, monkeypatch
) -> None:
    schedulers, _ = estate
    deploy(channel, FIRST_DEPLOY)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("bot.deploy.steps.record_status_change", broken)
    channel.command(f"/batch disable {BATCH}", "U-OLGA")
    channel.click(channel.last_message_id(), "Confirm", "U-OLGA")

    final = channel.card(channel.last_message_id())
    assert final["head"]["text"] == f"❌ Disabling {BATCH} failed"
    assert schedulers["SRV-RECETTE"].state_of(TASK) == "Ready"
