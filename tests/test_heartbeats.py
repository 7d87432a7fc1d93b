"""Heartbeats through the real Flask app: runs recorded, bad input refused."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import tree_sitter_powershell
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select, text
from tree_sitter import Language, Node, Parser
from werkzeug.test import create_environ, run_wsgi_app

from bot import router
from bot.cards.watch import powershell_snippet
from bot.heartbeats import MAX_BODY_BYTES, read_output
from bot.messenger import render_text
from bot.schema import upgrade
from bot.store import Batch, BatchRun, Client, OutboxMessage, Server, Store
from bot.web import create_app
from integrations.zoom import validate_content

POWERSHELL = Parser(Language(tree_sitter_powershell.language()))


@pytest.fixture
def batch(runtime):  # type: ignore[no-untyped-def]
    """A PowerShell batch that calls a client's API; no schedule of its own."""
    with runtime.store.session() as session:
        server = Server(name="SRV-01", kind="local", root="/tmp")
        found = Batch(
            name="ACME-Sync-API",
            server=server,
            client=Client(name="ACME"),
            run_limit_minutes=30,
        )
        session.add(found)
    return found


@pytest.fixture
def client(runtime):  # type: ignore[no-untyped-def]
    return create_app(runtime).test_client()


def runs(runtime) -> list[BatchRun]:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        return list(session.scalars(select(BatchRun).order_by(BatchRun.id)))


def titles(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row.content["head"]["text"] for row in rows]


def test_it_gives_every_new_batch_its_own_ping_uuid(runtime, batch) -> None:
    with runtime.store.session() as session:
        other = Batch(name="Other", server_id=batch.server_id)
        session.add(other)

    assert uuid.UUID(batch.ping_uuid)
    assert other.ping_uuid != batch.ping_uuid


def test_it_records_a_run_from_start_to_end_with_its_output(
    runtime, batch, client
) -> None:
    started = client.post(f"/ping/{batch.ping_uuid}/start")
    runtime.clock.advance(timedelta(seconds=42))
    ended = client.post(
        f"/ping/{batch.ping_uuid}/0",
        data="Réponse : 204\nfin".encode(),
        content_type="text/plain; charset=utf-8",
    )

    assert (started.status_code, ended.status_code) == (200, 200)
    assert ended.text == "OK\n"
    [run] = runs(runtime)
    assert run.outcome == "success"
    assert run.exit_code == 0
    assert run.duration_ms == 42_000
    assert run.output == "Réponse : 204\nfin"


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
def test_it_takes_a_ping_by_get_post_or_head(runtime, batch, client, method) -> None:
    response = client.open(f"/ping/{batch.ping_uuid}", method=method)

    assert response.status_code == 200
    [run] = runs(runtime)
    assert (run.outcome, run.started_at) == ("success", None)


def test_it_closes_a_run_left_open_when_the_next_one_starts(
    runtime, batch, client
) -> None:
    client.get(f"/ping/{batch.ping_uuid}/start")
    client.get(f"/ping/{batch.ping_uuid}/start")

    assert [run.outcome for run in runs(runtime)] == ["unfinished", "running"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/ping/{uuid}/256", 400),
        ("/ping/{uuid}/-1", 400),
        ("/ping/{uuid}/finish", 400),
        ("/ping/{uuid}/²", 400),
        ("/ping/{other}", 404),
        ("/ping/not-a-uuid", 404),
        ("/ping/{uuid}/start/extra", 404),
    ],
)
def test_it_refuses_bad_pings_with_a_4xx(batch, client, path, status) -> None:
    url = path.format(uuid=batch.ping_uuid, other=uuid.uuid4())

    response = client.post(url)

    assert response.status_code == status
    assert response.text.strip()


def test_it_refuses_a_body_over_10_kb(runtime, batch, client) -> None:
    too_big = client.post(f"/ping/{batch.ping_uuid}", data=b"x" * (MAX_BODY_BYTES + 1))
    just_right = client.post(f"/ping/{batch.ping_uuid}", data=b"x" * MAX_BODY_BYTES)

    assert too_big.status_code == 413
    assert just_right.status_code == 200
    assert len(runs(runtime)) == 1


def test_it_refuses_a_body_over_10_kb_sent_without_its_length(runtime, batch) -> None:
    # A chunked request: the server knows the length only by reading.
    environ = create_environ(
        f"/ping/{batch.ping_uuid}",
        method="POST",
        input_stream=io.BytesIO(b"y" * (MAX_BODY_BYTES + 1)),
    )
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"

    _, status, _ = run_wsgi_app(create_app(runtime), environ, buffered=True)

    assert status.startswith("413")


def test_it_reads_output_in_any_encoding_a_windows_script_sends() -> None:
    assert read_output("Échec".encode("cp1252"), None) == "Échec"
    assert read_output("Échec".encode("utf-16"), None) == "Échec"
    assert read_output("Échec".encode("cp1252"), "windows-1252") == "Échec"
    assert read_output(b"end\x00\r\n", "no-such-charset") == "end"
    assert read_output(b"  \r\n", None) is None


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    signal=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/"),
        max_size=12,
    ),
    body=st.binary(max_size=64),
    charset=st.sampled_from(["utf-8", "latin-1", "bogus", ""]),
)
def test_it_never_answers_bad_input_with_a_5xx(
    batch, client, signal: str, body: bytes, charset: str
) -> None:
    content_type = f"text/plain; charset={charset}" if charset else "text/plain"
    response = client.post(
        f"/ping/{batch.ping_uuid}/{signal}", data=body, content_type=content_type
    )

    assert response.status_code in (200, 400, 404)


def test_it_alerts_once_on_a_failed_api_call_and_once_on_the_next_success(
    runtime, batch, client
) -> None:
    url = f"/ping/{batch.ping_uuid}"
    client.post(f"{url}/start")
    client.post(f"{url}/1", data=b"Erreur : (503) Serveur indisponible.")
    runtime.worker.drain()
    client.post(f"{url}/start")
    client.post(f"{url}/fail")
    runtime.worker.drain()

    assert titles(runtime) == ["Échec signalé : ACME-Sync-API"]

    client.post(f"{url}/start")
    runtime.worker.drain()
    assert len(titles(runtime)) == 1
    client.post(f"{url}/0")
    runtime.worker.drain()

    assert titles(runtime) == [
        "Échec signalé : ACME-Sync-API",
        "Exécution réussie : ACME-Sync-API",
    ]
    with runtime.store.session() as session:
        cards = [row.content for row in session.scalars(select(OutboxMessage))]
    failure = render_text(cards[0])
    assert "Code de sortie: 1" in failure or "Code de sortie : 1" in failure
    assert "(503) Serveur indisponible." in failure
    assert all(validate_content(card) == [] for card in cards)


def test_it_alerts_when_a_started_run_does_not_end_within_its_limit(
    runtime, batch, client
) -> None:
    from jobs.watch import run_watch_cycle

    client.post(f"/ping/{batch.ping_uuid}/start")
    runtime.worker.drain()
    runtime.clock.advance(timedelta(minutes=29))
    run_watch_cycle(runtime)
    runtime.clock.advance(timedelta(minutes=2))
    run_watch_cycle(runtime)
    run_watch_cycle(runtime)

    assert titles(runtime) == ["Exécution trop longue : ACME-Sync-API"]

    client.post(f"/ping/{batch.ping_uuid}")
    runtime.worker.drain()

    assert titles(runtime)[-1] == "Exécution terminée : ACME-Sync-API"
    [run] = runs(runtime)
    assert run.duration_ms == 31 * 60 * 1000


# /batch ping NAME


def ask(runtime, line: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    request = router.Request(text=line, user_id="u", user_name="u", to_jid="t")
    return router.dispatch(runtime, request)


def test_it_shows_the_ping_url_and_the_powershell_lines(runtime, batch) -> None:
    reply = ask(runtime, "/batch ping acme-sync-api")

    shown = render_text(reply)
    url = f"http://127.0.0.1:8080/ping/{batch.ping_uuid}"
    assert url in shown
    assert f"$batchopsPing = '{url}'" in shown
    assert "Send-BatchopsPing '/start'" in shown
    assert 'Send-BatchopsPing "/$exitCode"' in shown
    assert validate_content(reply) == []


def test_it_asks_which_server_when_two_batches_share_a_name(runtime, batch) -> None:
    with runtime.store.session() as session:
        session.add(
            Batch(name="ACME-Sync-API", server=Server(name="SRV-02", kind="local"))
        )

    refused = render_text(ask(runtime, "/batch ping ACME-Sync-API"))
    chosen = render_text(ask(runtime, "/batch ping SRV-02/ACME-Sync-API"))

    assert "SRV-01/ACME-Sync-API, SRV-02/ACME-Sync-API" in refused
    assert "/ping/" in chosen
    assert "Aucun batch" in render_text(ask(runtime, "/batch ping Nope"))


def _errors(node: Node) -> list[str]:
    if node.type == "ERROR" or node.is_missing:
        return [f"line {node.start_point[0] + 1}: {node.text[:60]!r}"]
    return [error for child in node.children for error in _errors(child)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_it_hands_out_powershell_that_parses(lang: str) -> None:
    snippet = powershell_snippet(lang, "https://batchops.example/ping/abc")

    tree = POWERSHELL.parse(snippet.encode())

    assert _errors(tree.root_node) == []
    assert "try {" in snippet and "} catch {" in snippet
    assert "exit $exitCode" in snippet


def test_it_gives_batches_already_there_a_ping_uuid_on_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(url)
    upgrade(store, "0001")
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO servers (name, kind, use_ssl, cert_validation, "
                "reachable) VALUES ('S', 'local', true, true, true)"
            )
        )
        for name in ("A", "B"):
            connection.execute(
                text(
                    "INSERT INTO batches (name, server_id, category, environment, "
                    "state) VALUES (:name, 1, 'send', 'Production', 'ready')"
                ),
                {"name": name},
            )

    upgrade(store)

    with create_engine(url).connect() as connection:
        uuids = connection.execute(text("SELECT ping_uuid FROM batches")).scalars()
        found = [uuid.UUID(value) for value in uuids]
    assert len(set(found)) == 2
    store.dispose()
