"""The Zoom webhook endpoint: signatures, URL validation, hand-off, duplicates."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from bot import webhook
from bot.router import COMMANDS, Command
from bot.store import OutboxMessage
from bot.web import create_app
from tests.conftest import SECRET_TOKEN, signed_headers, zoom_event

DATA = Path(__file__).parent / "data" / "zoom"
VECTORS = json.loads((DATA / "signature-test-vectors.json").read_text())


@pytest.mark.parametrize(
    "vector", VECTORS["x_zm_signature"], ids=lambda v: v["note"][:40]
)
def test_it_computes_every_known_signature(vector: dict[str, str]) -> None:
    body = vector["body"].encode()
    assert (
        webhook.sign(vector["secret"], vector["timestamp"], body) == vector["expected"]
    )
    accepted = webhook.verify_signature(
        vector["secret"], vector["timestamp"], body, vector["expected"]
    )
    assert accepted == bool(vector["timestamp"])


def test_it_rejects_a_reserialised_body() -> None:
    original, compact = VECTORS["x_zm_signature"][0], VECTORS["x_zm_signature"][1]
    assert not webhook.verify_signature(
        original["secret"],
        original["timestamp"],
        compact["body"].encode(),
        original["expected"],
    )


@pytest.mark.parametrize(
    "placeholder", VECTORS["documented_placeholders_that_must_be_rejected"]
)
def test_it_rejects_documented_placeholders_without_raising(
    placeholder: dict[str, str],
) -> None:
    assert not webhook.verify_signature(
        "secret", "1739923528", b"{}", placeholder["x-zm-signature"]
    )


@pytest.mark.parametrize(
    "vector",
    [v for v in VECTORS["endpoint_url_validation"] if v["secret"]],
)
def test_it_answers_url_validation_vectors(vector: dict[str, str]) -> None:
    answer = webhook.url_validation_answer(vector["secret"], vector["plainToken"])
    assert answer == {
        "plainToken": vector["plainToken"],
        "encryptedToken": vector["expected_encryptedToken"],
    }


@pytest.fixture
def client(runtime):  # type: ignore[no-untyped-def]
    return create_app(runtime).test_client()


def now_s(runtime) -> int:  # type: ignore[no-untyped-def]
    return int(runtime.clock.now().timestamp())


def post(client, body: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post("/zoom/events", data=body, headers=headers)


def test_it_answers_url_validation_through_the_endpoint(client, runtime) -> None:
    body = (DATA / "webhook-endpoint_url_validation.request.json").read_bytes()
    response = post(client, body, signed_headers(body, now_s(runtime)))

    assert response.status_code == 200
    expected = webhook.url_validation_answer(SECRET_TOKEN, "qgg8vlvZRS6UYooatFL8Aw")
    assert response.get_json() == expected


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-zm-request-timestamp": "1764840600"},
        {"x-zm-signature": "v0=" + "0" * 64},
        {"x-zm-request-timestamp": "abc", "x-zm-signature": "v0=zz"},
        {"x-zm-request-timestamp": "1764840600", "x-zm-signature": "v0=WF9aT09N"},
    ],
    ids=["none", "no-signature", "no-timestamp", "garbage", "placeholder"],
)
def test_it_rejects_missing_or_malformed_signatures_with_a_bare_401(
    client, headers
) -> None:
    response = post(client, b'{"event": "bot_notification"}', headers)
    assert response.status_code == 401
    assert response.data == b""


def test_it_rejects_a_body_changed_after_signing(client, runtime) -> None:
    body = zoom_event("bot_notification", {"cmd": "help"}, 1)
    headers = signed_headers(body, now_s(runtime))
    response = post(client, body.replace(b"help", b"hel "), headers)
    assert response.status_code == 401


def test_it_rejects_a_stale_signature(client, runtime) -> None:
    body = zoom_event("bot_notification", {"cmd": "help"}, 1)
    stale = now_s(runtime) - int(timedelta(minutes=10).total_seconds())
    assert post(client, body, signed_headers(body, stale)).status_code == 401


def test_it_rejects_a_signature_made_with_another_secret(client, runtime) -> None:
    body = zoom_event("bot_notification", {"cmd": "help"}, 1)
    headers = signed_headers(body, now_s(runtime), secret="not-the-secret")
    assert post(client, body, headers).status_code == 401


def test_it_answers_a_signed_malformed_body_with_a_short_400(client, runtime) -> None:
    body = b'{"event": '
    response = post(client, body, signed_headers(body, now_s(runtime)))
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]


def notification(runtime, cmd: str, event_ts: int = 1560796234686) -> bytes:  # type: ignore[no-untyped-def]
    payload = json.loads(
        (DATA / "chatbot-bot_notification.openapi-example.json").read_text()
    )["payload"]
    payload["cmd"] = cmd
    return zoom_event("bot_notification", payload, event_ts)


def outbox(runtime) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        return list(session.query(OutboxMessage).order_by(OutboxMessage.id))


def test_it_answers_zoom_before_a_slow_command_finishes(client, runtime) -> None:
    release = threading.Event()

    def slow(ctx):  # type: ignore[no-untyped-def]
        release.wait(timeout=10)
        return {"head": {"text": "slow done"}, "body": []}

    COMMANDS["slowtest"] = Command("slowtest", slow, "waits")
    try:
        body = notification(runtime, "slowtest")
        response = post(client, body, signed_headers(body, now_s(runtime)))
        assert response.status_code == 200
        assert outbox(runtime) == []
        release.set()
        runtime.worker.drain()
    finally:
        del COMMANDS["slowtest"]
    assert [m.content["head"]["text"] for m in outbox(runtime)] == ["slow done"]


def test_it_handles_the_same_event_delivered_twice_once(client, runtime) -> None:
    body = notification(runtime, "help")
    first = post(client, body, signed_headers(body, now_s(runtime)))
    runtime.clock.advance(timedelta(seconds=90))
    again = post(client, body, signed_headers(body, now_s(runtime)))
    runtime.worker.drain()

    assert first.get_json()["status"] == "accepted"
    assert again.get_json()["status"] == "duplicate"
    assert len(outbox(runtime)) == 1


def test_it_replies_in_the_channel_the_command_came_from(client, runtime) -> None:
    body = notification(runtime, "status")
    post(client, body, signed_headers(body, now_s(runtime)))
    runtime.worker.drain()

    [sent] = outbox(runtime)
    assert sent.to_jid == "b1c841dc7b0b4as69287e6be05c7f93f25@conference.example.com"
    assert sent.user_jid == "kdykjnimtas4kpd8kkdqt9fq@example.com"


def test_it_ignores_events_it_does_not_handle(client, runtime) -> None:
    body = zoom_event("bot_installed", {"accountId": "a"}, 1)
    response = post(client, body, signed_headers(body, now_s(runtime)))
    assert response.get_json()["status"] == "ignored"


def test_it_reports_health(client) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_it_reports_an_unreachable_database_as_unavailable(runtime, tmp_path) -> None:
    from bot.store import Store

    runtime.store = Store(f"sqlite:///{tmp_path}/missing/folder/db.sqlite")
    response = create_app(runtime).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_it_answers_a_deeply_nested_signed_body_with_a_400(client, runtime) -> None:
    body = b"[" * 100000 + b"]" * 100000
    response = post(client, body, signed_headers(body, now_s(runtime)))
    assert response.status_code == 400


def test_it_refuses_a_timestamp_too_long_to_be_one(client, runtime) -> None:
    body = b'{"event": "bot_notification", "payload": {}}'
    stamp = "9" * 400
    headers = {
        "x-zm-request-timestamp": stamp,
        "x-zm-signature": webhook.sign(SECRET_TOKEN, stamp, body),
    }
    assert post(client, body, headers).status_code == 401


def test_it_ignores_a_click_whose_action_item_is_not_an_object(
    client, runtime, caplog
) -> None:
    body = zoom_event(
        "interactive_message_actions",
        {"actionItem": "x", "toJid": "c@x", "userJid": "u@x"},
        7,
    )
    response = post(client, body, signed_headers(body, now_s(runtime)))
    runtime.worker.drain()
    assert response.status_code == 200
    assert outbox(runtime) == []
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
