"""`/batch status` for batches on Windows servers: the task as Windows says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import router
from bot.messenger import render_text
from bot.store import Batch, Client, Server
from integrations.session import RemoteError
from tests.fakes.windows import FakeWindowsSession

TASKS = Path(__file__).parent / "data" / "tasks"
NEVER_RUN = {
    "tasks": [
        {
            "name": "ACME-Envoi-Mails",
            "path": "\\Batches\\",
            "state": "Ready",
            "actions": [],
            "triggers": [],
            "last_run_time": "1999-11-30T00:00:00",
            "last_task_result": 267011,
            "next_run_time": "2026-12-05T04:30:00.0000000Z",
            "number_of_missed_runs": 0,
        }
    ]
}


@pytest.fixture
def windows(runtime):  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        server = Server(
            name="SRV-WIN-01", kind="winrm", host="127.0.0.1", task_folder="\\Batches\\"
        )
        acme = Client(name="ACME")
        session.add_all(
            [
                server,
                Batch(name="ACME-Purge-RGPD", server=server, client=acme),
                Batch(name="ACME-Export-Sinistres", server=server, client=acme),
                Batch(name="ACME-Envoi-Mails", server=server, client=acme),
            ]
        )
    fake = FakeWindowsSession(
        "SRV-WIN-01",
        {"list_tasks": (TASKS / "list-tasks-script-output.json").read_text()},
    )
    runtime.open_session = lambda server: fake
    return fake


def status(runtime, text: str = "status") -> str:  # type: ignore[no-untyped-def]
    request = router.Request(text=text, user_id="u", user_name="u", to_jid="t")
    return render_text(router.dispatch(runtime, request))


def line_after(reply: str, batch: str) -> str:
    lines = reply.splitlines()
    found = next(i for i, line in enumerate(lines) if f" {batch} — " in line)
    return lines[found + 1]


def test_it_shows_the_task_state_runs_and_result_in_words(runtime, windows) -> None:
    reply = status(runtime)

    purge = line_after(reply, "ACME-Purge-RGPD")
    assert "tâche : prête" in purge
    assert "dernière exécution : 31/03/2025 23:00:00 CEST (succès)" in purge
    assert "prochaine : 30/04/2025 23:00:00 CEST" in purge
    assert "exécutions manquées : 0" in purge
    export = line_after(reply, "ACME-Export-Sinistres")
    assert "tâche : en cours" in export
    assert windows.scripts_called() == ["list_tasks"]


def test_it_says_never_run_rather_than_a_date_in_1999(runtime, windows) -> None:
    windows.responses["list_tasks"] = json.dumps(NEVER_RUN)
    reply = status(runtime, "status ACME-Envoi-Mails")

    task = line_after(reply, "ACME-Envoi-Mails")
    assert "dernière exécution : jamais" in task
    assert "1999" not in task
    assert "jamais exécutée" in task


def test_it_flags_a_task_missing_from_the_server(runtime, windows) -> None:
    reply = status(runtime)
    assert "introuvable sur le serveur" in line_after(reply, "ACME-Envoi-Mails")


def test_it_shows_the_last_known_task_when_the_server_is_down(runtime, windows) -> None:
    status(runtime)
    windows.responses["list_tasks"] = RemoteError("server unreachable", retryable=True)

    reply = status(runtime)

    purge = line_after(reply, "ACME-Purge-RGPD")
    assert "tâche : prête" in purge
    assert "[relevé du 04/12/2026 10:30:00 CET : server unreachable]" in purge
