"""Roles keyed on the Zoom user: the same checks from Zoom and from `batchops chat`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.roles import grant_role
from bot.store import Batch, Client, ErrorGroup, Server
from integrations.zoom import validate_content
from tests.fakes.windows import FakeWindowsSession
from tests.inventory.support import post_command
from tests.test_zoom_roundtrip import alert, click, seed_group

TASKS = Path(__file__).parents[1] / "data" / "tasks" / "list-tasks-script-output.json"
# The users of Zoom's documented event examples.
COMMAND_USER = "KdYKjnimT4asKPd8KKdQt9FQ"
CLICK_USER_JID = "kdykjnimt4kpd8kkdqt9fq@example.com"


def test_it_grants_lists_and_revokes_roles(batchops) -> None:
    said = batchops(
        "users", "grant", "KdYKjnimT4KPd8KKdQt9FQ", "admin", "--name", "Jill"
    )
    assert "KdYKjnimT4KPd8KKdQt9FQ a maintenant le rôle administrateur." in said
    batchops("users", "grant", "paul@xmpp.zoom.us", "operator")
    batchops("users", "grant", "paul@xmpp.zoom.us", "viewer")

    listed = batchops("users", "list").splitlines()

    assert listed[0].startswith("KdYKjnimT4KPd8KKdQt9FQ\tadmin\tJill\t")
    assert listed[1].startswith("paul@xmpp.zoom.us\tviewer\t")
    said = batchops("users", "revoke", "paul@xmpp.zoom.us")
    assert "il est lecteur, comme tout inconnu" in said
    assert "paul" not in batchops("users", "list")
    batchops("users", "revoke", "paul@xmpp.zoom.us", expect=1)
    batchops("users", "grant", "paul", "superuser", expect=2)


def test_it_refuses_a_viewer_and_names_the_role_needed(batchops) -> None:
    said = batchops("chat", "--as", "jill", "/batch inventory sync")

    assert "Refusé" in said
    assert (
        "Il faut le rôle opérateur (ou plus) pour cela ; votre rôle est lecteur. "
        "Un administrateur peut vous l'accorder : batchops users grant jill operator"
    ) in said


def test_it_lets_anyone_read_the_inventory_and_the_history(batchops) -> None:
    assert "Inventaire des batchs : 0" in batchops(
        "chat", "--as", "nobody", "inventory"
    )
    said = batchops("chat", "--as", "nobody", "history Nope")
    assert "Aucun batch « Nope » dans l'inventaire." in said


@pytest.fixture
def acme_on_windows(zoom_api, zoom_runtime):  # type: ignore[no-untyped-def]
    """A Windows server whose ACME batch was disabled by hand; ACME's project
    manager is the Zoom user the fake Zoom knows."""
    with zoom_runtime.store.session() as session:
        server = Server(
            name="SRV-WIN-01", kind="winrm", host="127.0.0.1", task_folder="\\Batches\\"
        )
        acme = Client(name="ACME", project_manager_jid=zoom_api.user_jid)
        session.add_all(
            [
                Batch(name="ACME-Purge-RGPD", server=server, client=acme),
                Batch(name="ACME-Export-Sinistres", server=server, client=acme),
            ]
        )
    tasks = json.loads(TASKS.read_text())
    tasks["tasks"][0]["state"] = "Disabled"
    fake = FakeWindowsSession("SRV-WIN-01", {"list_tasks": tasks})
    zoom_runtime.open_session = lambda server: fake
    return fake


def to(zoom_api, jid: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        json.dumps(m["content"], ensure_ascii=False)
        for m in zoom_api.messages
        if m["to_jid"] == jid
    ]


def test_it_refuses_a_zoom_user_without_the_role(
    zoom_api, zoom_runtime, acme_on_windows
) -> None:
    post_command(zoom_runtime, zoom_api, "/batch inventory sync", 1)

    [reply] = to(zoom_api, zoom_api.channel_jid)
    assert "Refusé" in reply and "le rôle opérateur" in reply
    assert COMMAND_USER in reply
    assert acme_on_windows.calls == []
    assert to(zoom_api, zoom_api.user_jid) == []


def test_it_tells_the_project_manager_once_through_zoom(
    zoom_api, zoom_runtime, acme_on_windows
) -> None:
    with zoom_runtime.store.session() as session:
        grant_role(session, COMMAND_USER, "operator", "test", zoom_runtime.clock.now())

    post_command(zoom_runtime, zoom_api, "/batch inventory sync", 1)
    post_command(zoom_runtime, zoom_api, "/batch inventory sync", 2)

    [told] = to(zoom_api, zoom_api.user_jid)
    assert "ACME-Purge-RGPD (SRV-WIN-01, ACME) : prêt → désactivé" in told
    assert "ACME-Export-Sinistres" not in told
    channel = to(zoom_api, zoom_api.channel_jid)
    assert len(channel) == 3
    assert sum("Changements d'état des batchs : 1" in c for c in channel) == 1
    for message in zoom_api.messages:
        assert validate_content(message["content"]) == []


def test_it_lets_a_viewer_acknowledge_but_only_an_operator_silence(
    zoom_api, zoom_runtime, store, clock
) -> None:
    group_id = seed_group(store, clock)
    original = alert(zoom_runtime, group_id)
    message_id = zoom_runtime.messenger.send(zoom_api.channel_jid, original)

    click(zoom_api, zoom_runtime, f"silence:{group_id}", message_id, original)

    assert zoom_api.edits == []
    assert "le rôle opérateur" in to(zoom_api, zoom_api.channel_jid)[-1]
    with store.session() as session:
        assert session.get_one(ErrorGroup, group_id).silenced_until is None
        grant_role(session, CLICK_USER_JID, "operator", "test", clock.now())

    # Zoom would ignore the same click delivered again: click on a second card.
    message_id = zoom_runtime.messenger.send(zoom_api.channel_jid, original)
    click(zoom_api, zoom_runtime, f"silence:{group_id}", message_id, original)

    [edit] = zoom_api.edits
    assert "Mis en silence 24 h par Jill Chill" in json.dumps(edit.body["content"])
    with store.session() as session:
        assert session.scalar(select(ErrorGroup.silenced_until)) is not None
