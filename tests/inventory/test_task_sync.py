"""The task sync: what a Windows server's Task Scheduler says, against the inventory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.runtime import build_runtime
from bot.store import Batch, Client, Server, StatusChange
from integrations.session import RemoteError
from integrations.zoom import validate_content
from jobs.scheduler import job_specs
from jobs.task_sync import run_task_sync
from tests.fakes.windows import FakeWindowsSession
from tests.inventory.support import cards_to, sent_cards

TASKS = Path(__file__).parents[1] / "data" / "tasks" / "list-tasks-script-output.json"
MANAGER = "pm-acme@xmpp.zoom.us"
CHANNEL = "alerts@outbox"


def server_tasks(**states: str) -> dict[str, object]:
    """The captured task list, with each task named in ``states`` in that
    state, and a task of that name added when the capture has none."""
    tasks = json.loads(TASKS.read_text())["tasks"]
    by_name = {task["name"]: task for task in tasks}
    for name, state in states.items():
        if name not in by_name:
            by_name[name] = {**tasks[1], "name": name}
        by_name[name]["state"] = state
    return {"tasks": list(by_name.values())}


@pytest.fixture
def windows(runtime):  # type: ignore[no-untyped-def]
    """SRV-WIN-01 with three ACME batches; the server has the captured tasks."""
    with runtime.store.session() as session:
        server = Server(
            name="SRV-WIN-01", kind="winrm", host="127.0.0.1", task_folder="\\Batches\\"
        )
        acme = Client(name="ACME", project_manager_jid=MANAGER)
        session.add_all(
            [
                server,
                Batch(name="ACME-Purge-RGPD", server=server, client=acme),
                Batch(
                    name="ACME-Export-Sinistres",
                    server=server,
                    client=acme,
                    state="disabled",
                ),
                Batch(name="ACME-Envoi-Mails", server=server, client=acme),
                Server(name="DEMO-LOCAL", kind="local", root="/tmp/none"),
            ]
        )
    fake = FakeWindowsSession("SRV-WIN-01", {"list_tasks": server_tasks()})
    runtime.open_session = lambda server: fake
    return fake


def changes(runtime) -> dict[str, tuple[str | None, str, str]]:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        rows = session.execute(
            select(Batch.name, StatusChange)
            .join(StatusChange, StatusChange.batch_id == Batch.id)
            .order_by(StatusChange.id)
        )
        return {
            name: (change.from_state, change.to_state, change.source)
            for name, change in rows
        }


def test_it_records_each_difference_as_a_detected_change(runtime, windows) -> None:
    windows.responses["list_tasks"] = server_tasks(
        **{"ACME-Purge-RGPD": "Disabled", "ACME-Relances": "Ready"}
    )

    report = run_task_sync(runtime)

    assert report.changes == 4
    assert changes(runtime) == {
        "ACME-Envoi-Mails": ("ready", "inactive", "detected"),
        "ACME-Export-Sinistres": ("disabled", "ready", "detected"),
        "ACME-Purge-RGPD": ("ready", "disabled", "detected"),
        "ACME-Relances": (None, "ready", "detected"),
    }
    with runtime.store.session() as session:
        found = session.scalars(
            select(Batch).where(Batch.name == "ACME-Relances")
        ).one()
        assert found.task_path is None
        assert found.execution_folder == "D:\\Batches\\ACME\\Export"
        assert found.client is None


def test_it_reports_a_sync_in_one_card_and_one_message_per_manager(
    runtime, windows
) -> None:
    windows.responses["list_tasks"] = server_tasks(
        **{"ACME-Purge-RGPD": "Disabled", "ACME-Relances": "Ready"}
    )

    run_task_sync(runtime)

    [channel] = cards_to(runtime.store, CHANNEL)
    assert "Changements d'état des batchs : 4" in channel
    assert "Trouvés par la synchronisation des tâches planifiées" in channel
    assert (
        "ACME-Purge-RGPD (SRV-WIN-01, ACME) : prêt → désactivé\n"
        "    détecté sur le serveur — batchops (synchronisation des tâches), "
        "le 04/12/2026 10:30:00 CET\n"
        "    tâche \\Batches\\ACME-Purge-RGPD désactivée sur le serveur"
    ) in channel
    assert "tâche \\Batches\\ACME-Envoi-Mails introuvable sur le serveur" in channel
    assert "ACME-Relances (SRV-WIN-01, —) : entre dans l'inventaire : prêt" in channel
    [manager] = cards_to(runtime.store, MANAGER)
    assert "Vos batchs : 3 changement(s) d'état" in manager
    assert "ACME-Relances" not in manager
    for _, content in sent_cards(runtime.store):
        assert validate_content(content) == []


def test_it_finds_nothing_new_on_the_next_sync(runtime, windows) -> None:
    windows.responses["list_tasks"] = server_tasks(**{"ACME-Purge-RGPD": "Disabled"})
    run_task_sync(runtime)
    before = sent_cards(runtime.store)

    report = run_task_sync(runtime)

    assert report.changes == 0
    assert sent_cards(runtime.store) == before


def test_it_takes_a_disabled_task_as_agreeing_with_an_inactive_batch(
    runtime, windows
) -> None:
    with runtime.store.session() as session:
        batch = session.scalars(select(Batch).where(Batch.name == "ACME-Purge-RGPD"))
        batch.one().state = "inactive"
    windows.responses["list_tasks"] = server_tasks(
        **{"ACME-Purge-RGPD": "Disabled", "ACME-Envoi-Mails": "Ready"}
    )

    report = run_task_sync(runtime)

    assert "ACME-Purge-RGPD" not in changes(runtime)
    assert report.changes == 1


def test_it_leaves_a_server_that_does_not_answer_for_the_next_sync(
    runtime, windows
) -> None:
    windows.responses["list_tasks"] = RemoteError("server unreachable", retryable=True)

    report = run_task_sync(runtime)

    assert report.unread == {"SRV-WIN-01": "server unreachable"}
    assert report.changes == 0
    assert changes(runtime) == {}
    assert windows.scripts_called() == ["list_tasks"]


def test_it_syncs_from_the_chat_for_an_operator_and_shows_the_history(
    runtime, windows, batchops, monkeypatch
) -> None:
    windows.responses["list_tasks"] = server_tasks(**{"ACME-Purge-RGPD": "Disabled"})

    def with_fake_windows(*args, **kwargs):  # type: ignore[no-untyped-def]
        return build_runtime(*args, **{**kwargs, "open_session": lambda _: windows})

    monkeypatch.setattr("bot.cli.build_runtime", with_fake_windows)
    batchops("users", "grant", "chloe", "operator")

    said = batchops("chat", "--as", "chloe", "/batch inventory sync")
    history = batchops("chat", "/batch history ACME-Purge-RGPD")

    assert "Tâches planifiées relues sur 1 serveur(s) : 3 changement(s)" in said
    assert "prêt → désactivé — batchops (synchronisation des tâches) " in history
    assert "(détecté sur le serveur)" in history


def test_it_runs_every_five_minutes(runtime) -> None:
    [spec] = [spec for spec in job_specs(runtime) if spec.id == "task_sync"]
    assert spec.trigger.interval.total_seconds() == 300
    assert spec.run is run_task_sync
