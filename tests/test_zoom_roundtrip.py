"""A signed Zoom event in, a card out through the fake of Zoom's API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot import cards, router
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.store import Batch, ErrorGroup, Server
from bot.web import create_app
from integrations.zoom import validate_content
from tests.conftest import SECRET_TOKEN, signed_headers, zoom_event

DATA = Path(__file__).parent / "data" / "zoom"


def zoom_settings(zoom_api, database_url: str, var_dir: Path, **extra: str) -> Settings:  # type: ignore[no-untyped-def]
    """Settings that send cards to the fake Zoom; ``extra`` variables added."""
    return Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "ZOOM_CLIENT_ID": zoom_api.client_id,
            "ZOOM_CLIENT_SECRET": zoom_api.client_secret,
            "ZOOM_BOT_JID": zoom_api.bot_jid,
            "ZOOM_ACCOUNT_ID": zoom_api.account_id,
            "ZOOM_SECRET_TOKEN": SECRET_TOKEN,
            "ZOOM_API_URL": zoom_api.api_url,
            "ZOOM_OAUTH_URL": zoom_api.oauth_url,
            "ZOOM_ALERT_CHANNEL_JID": zoom_api.channel_jid,
            "BATCHOPS_SECRET_KEY": "test-signing-key-0123456789",
            **extra,
        },
        var_dir=var_dir,
    )


def runtime_on(settings: Settings, store, clock) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    """A runtime of ``settings`` on the tests' store and clock."""
    router.load_commands()
    runtime = build_runtime(settings, clock=clock)
    runtime.store.dispose()
    runtime.store = store
    yield runtime
    runtime.worker.shutdown()


@pytest.fixture
def zoom_runtime(zoom_api, database_url, store, clock, tmp_path):  # type: ignore[no-untyped-def]
    yield from runtime_on(zoom_settings(zoom_api, database_url, tmp_path), store, clock)


def command_event(zoom_api, cmd: str, event_ts: int) -> bytes:  # type: ignore[no-untyped-def]
    payload = json.loads(
        (DATA / "chatbot-bot_notification.openapi-example.json").read_text()
    )["payload"]
    payload.update(
        cmd=cmd,
        toJid=zoom_api.channel_jid,
        robotJid=zoom_api.bot_jid,
        accountId=zoom_api.account_id,
    )
    return zoom_event("bot_notification", payload, event_ts)


def test_it_answers_a_signed_command_with_one_card_zoom_accepts(
    zoom_api, zoom_runtime
) -> None:
    client = create_app(zoom_runtime).test_client()
    now = int(zoom_runtime.clock.now().timestamp())

    for event_ts in (1, 2):
        body = command_event(zoom_api, "/batch status", event_ts)
        response = client.post(
            "/zoom/events", data=body, headers=signed_headers(body, now)
        )
        assert response.status_code == 200
    zoom_runtime.worker.drain()

    assert zoom_api.api_requests == 2
    assert zoom_api.tokens_issued == 1
    sent = zoom_api.messages[0]
    assert sent["robot_jid"] == zoom_api.bot_jid
    assert sent["account_id"] == zoom_api.account_id
    assert sent["to_jid"] == zoom_api.channel_jid
    assert sent["user_jid"] == "kdykjnimtas4kpd8kkdqt9fq@example.com"
    assert validate_content(sent["content"]) == []


def test_it_fetches_a_new_token_when_the_old_one_nears_expiry(
    zoom_api, zoom_runtime
) -> None:
    zoom_runtime.messenger.send(zoom_api.channel_jid, cards.refusal("fr", "non"))
    zoom_runtime.clock.advance(timedelta(minutes=58))
    zoom_runtime.messenger.send(zoom_api.channel_jid, cards.refusal("fr", "non"))
    assert zoom_api.tokens_issued == 2


def seed_group(store, clock) -> int:  # type: ignore[no-untyped-def]
    with store.session() as session:
        server = Server(name="SRV", kind="local", root="/tmp/none")
        batch = Batch(name="Export", server=server)
        group = ErrorGroup(
            batch=batch,
            fingerprint="f" * 40,
            level="ERROR",
            sample="boom",
            first_seen=clock.now(),
            last_seen=clock.now(),
        )
        session.add_all([server, batch, group])
        session.flush()
        return group.id


def click_payload(zoom_api, value: str, message_id: str, original) -> dict:  # type: ignore[no-untyped-def]
    """Zoom's example click, on the button ``value`` of the card ``message_id``."""
    payload = json.loads(
        (DATA / "chatbot-interactive_message_actions.openapi-example.json").read_text()
    )["payload"]
    payload.update(
        actionItem={"text": "button", "value": value},
        messageId=message_id,
        original=original,
        toJid=zoom_api.channel_jid,
    )
    return payload


def click(zoom_api, runtime, value: str, message_id: str, original) -> None:  # type: ignore[no-untyped-def]
    payload = click_payload(zoom_api, value, message_id, original)
    body = zoom_event("interactive_message_actions", payload, 3)
    now = int(runtime.clock.now().timestamp())
    client = create_app(runtime).test_client()
    response = client.post("/zoom/events", data=body, headers=signed_headers(body, now))
    assert response.status_code == 200
    runtime.worker.drain()


def alert(runtime, group_id: int):  # type: ignore[no-untyped-def]
    facts = cards.AlertFacts(
        group_id,
        "Export",
        "Horizon",
        "SRV",
        runtime.clock.now(),
        "x.log",
        "ERROR boom",
        1,
        False,
    )
    return cards.alert_card("en", runtime.settings.zone, facts)


def test_it_edits_the_alert_card_when_acknowledged(
    zoom_api, zoom_runtime, store, clock
) -> None:
    group_id = seed_group(store, clock)
    original = alert(zoom_runtime, group_id)
    message_id = zoom_runtime.messenger.send(zoom_api.channel_jid, original)

    click(zoom_api, zoom_runtime, f"ack:{group_id}", message_id, original)

    [edit] = zoom_api.edits
    assert edit.message_id == message_id
    assert validate_content(edit.body["content"]) == []
    assert "Pris en charge par Jill Chill" in json.dumps(edit.body["content"])
    with store.session() as session:
        assert session.get_one(ErrorGroup, group_id).acknowledged_by == "Jill Chill"


def test_it_answers_a_click_on_a_gone_group_without_touching_the_card(
    zoom_api, zoom_runtime, store, clock
) -> None:
    original = alert(zoom_runtime, 999)
    message_id = zoom_runtime.messenger.send(zoom_api.channel_jid, original)

    click(zoom_api, zoom_runtime, "silence:999", message_id, original)

    assert zoom_api.edits == []
    assert len(zoom_api.messages) == 2
    assert validate_content(zoom_api.messages[1]["content"]) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_card_we_build_is_one_zoom_accepts(lang: str, clock) -> None:
    zone = Settings.from_env({"BATCHOPS_SECRET_KEY": "x" * 16}).zone
    facts = cards.AlertFacts(
        7,
        "Export",
        "Horizon",
        "SRV",
        clock.now(),
        "x.log",
        "ERROR boom\n   at X.Y()\n" * 10,
        3,
        True,
    )
    rows = [cards.StatusRow("Export", "Horizon", "SRV", "ready", None, None, 2)]
    built = [
        cards.help_card(lang, [("status", "show status")]),
        cards.unknown_command(lang, "stauts", "status"),
        cards.refusal(lang, "no"),
        cards.apology(lang, "abcd1234"),
        cards.status_card(lang, zone, rows, None),
        cards.status_card(lang, zone, [], "x"),
        cards.alert_card(lang, zone, facts),
        cards.alert_handled(cards.alert_card(lang, zone, facts), "done"),
        cards.alert_digest_card(lang, [facts] * 30),
        cards.server_down_card(lang, "SRV", "server unreachable"),
        cards.server_back_card(lang, zone, "SRV", clock.now()),
    ]
    for content in built:
        assert validate_content(content) == [], content


def test_it_shares_one_token_between_cards_sent_at_once(zoom_api, zoom_runtime) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda n: zoom_runtime.messenger.send(
                    zoom_api.channel_jid, cards.refusal("fr", f"non {n}")
                ),
                range(8),
            )
        )
    assert zoom_api.tokens_issued == 1
    assert len(zoom_api.messages) == 8
