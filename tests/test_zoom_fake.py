"""The fake Zoom API and the card checks answer as Zoom documents it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.clock import FrozenClock
from integrations.zoom import validate_content
from tests.fakes.zoom_api import FakeEdit, FakeZoom

DATA = Path(__file__).parent / "data" / "zoom"
CARD = {"head": {"text": "Batch status"}, "body": [{"type": "message", "text": "ok"}]}


def _documented_cards() -> dict[str, Any]:
    cards = json.loads((DATA / "documented-cards.json").read_text(encoding="utf-8"))
    for name in ("actions", "select", "fields_editable"):
        event = DATA / f"chatbot-interactive_message_{name}.openapi-example.json"
        payload = json.loads(event.read_text(encoding="utf-8"))["payload"]
        cards[f"clicked {name}"] = payload["original"]
    return cards


def _ask_token(
    zoom: FakeZoom, grant_type: str = "client_credentials", secret: str | None = None
) -> requests.Response:
    return requests.post(
        f"{zoom.oauth_url}/oauth/token",
        params={"grant_type": grant_type},
        auth=(zoom.client_id, secret if secret is not None else zoom.client_secret),
        timeout=5,
    )


def _token(zoom: FakeZoom) -> str:
    return _ask_token(zoom).json()["access_token"]


def _send(zoom: FakeZoom, token: str, **changes: Any) -> requests.Response:
    body = {
        "robot_jid": zoom.bot_jid,
        "to_jid": zoom.channel_jid,
        "account_id": zoom.account_id,
        "content": CARD,
    } | changes
    return requests.post(
        f"{zoom.api_url}/im/chat/messages",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


def _error(answer: requests.Response) -> tuple[int, int]:
    return answer.status_code, answer.json()["code"]


@pytest.mark.parametrize("name, card", sorted(_documented_cards().items()))
def test_it_accepts_every_card_zoom_documents(name: str, card: dict[str, Any]):
    assert validate_content(card) == []


def test_it_accepts_an_attachment_with_link_image_title_and_description():
    card = {
        "head": {"text": "Errors this week"},
        "body": [
            {
                "type": "attachments",
                "resource_url": "https://batchops.example/charts/week.png",
                "img_url": "https://batchops.example/charts/week.png",
                "information": {
                    "title": {"text": "Errors per day"},
                    "description": {"text": "Week 12"},
                },
                "ext": "png",
                "size": 48213,
            }
        ],
    }

    assert validate_content(card) == []


@pytest.mark.parametrize(
    "card, problem",
    [
        ([], "content: must be an object"),
        ({}, "content: needs a head or a body"),
        ({"head": {"sub_head": {"text": "x"}}}, "head: missing text"),
        ({"head": {"text": "t", "sub_head": {}}}, "head.sub_head: missing text"),
        ({"body": []}, "body: must be a non-empty list"),
        ({"body": [{"type": "carousel"}]}, "body[0]: unknown item type 'carousel'"),
        ({"body": [{"text": "no type"}]}, "body[0]: unknown item type None"),
        ({"body": [{"type": "message"}]}, "body[0]: missing text"),
        ({"body": [{"type": "actions", "items": []}]}, "body[0].items: must be"),
        (
            {"body": [{"type": "actions", "items": [{"text": "Ack"}]}]},
            "body[0].items[0]: missing value",
        ),
        (
            {
                "body": [
                    {
                        "type": "actions",
                        "items": [{"text": "Ack", "value": "ack", "style": "Success"}],
                    }
                ]
            },
            "body[0].items[0]: style 'Success' is not one of",
        ),
        (
            {"body": [{"type": "fields", "items": [{"value": "Production"}]}]},
            "body[0].items[0]: missing key",
        ),
        (
            {"body": [{"type": "select", "text": "Batch"}]},
            "body[0]: needs select_items or static_source, not both",
        ),
        (
            {"body": [{"type": "select", "text": "Who", "static_source": "users"}]},
            "body[0].static_source: must be members or channels",
        ),
        (
            {"body": [{"type": "attachments", "resource_url": "https://x"}]},
            "body[0]: missing img_url",
        ),
        (
            {
                "body": [
                    {
                        "type": "attachments",
                        "resource_url": "https://x",
                        "img_url": "https://x/a.png",
                        "information": {"title": {"text": "Chart"}},
                    }
                ]
            },
            "body[0].information.description: must be an object",
        ),
        ({"body": [{"type": "section"}]}, "body[0].sections: must be a non-empty"),
        (
            {
                "body": [
                    {
                        "type": "section",
                        "sections": [{"type": "section", "sections": []}],
                    }
                ]
            },
            "body[0].sections[0]: a section cannot hold another section",
        ),
        (
            {"body": [{"type": "divider", "style": "bold"}]},
            "body[0].style: must be an object",
        ),
    ],
)
def test_it_names_what_is_wrong_with_a_card(card: Any, problem: str):
    problems = validate_content(card)

    assert any(found.startswith(problem) for found in problems), problems


def test_it_issues_an_hour_long_bearer_token_for_the_app_credentials(zoom_api):
    answer = _ask_token(zoom_api)

    assert answer.status_code == 200
    assert answer.json()["token_type"] == "bearer"
    assert answer.json()["expires_in"] == 3600
    assert zoom_api.tokens_issued == 1


def test_it_refuses_a_token_for_a_wrong_secret(zoom_api):
    answer = _ask_token(zoom_api, secret="not-the-secret")

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert zoom_api.tokens_issued == 0


def test_it_refuses_a_token_for_another_grant_type(zoom_api):
    answer = _ask_token(zoom_api, "account_credentials")

    assert answer.status_code == 400
    assert zoom_api.tokens_issued == 0


def test_it_accepts_a_sound_message_and_keeps_it(zoom_api):
    answer = _send(zoom_api, _token(zoom_api))

    assert answer.status_code == 201
    assert zoom_api.message_ids == [answer.json()["message_id"]]
    assert zoom_api.messages[0]["content"] == CARD


def test_it_rejects_a_message_without_a_token_it_issued(zoom_api):
    assert _error(_send(zoom_api, "forged-token")) == (401, 7010)
    assert zoom_api.messages == []


def test_it_rejects_a_token_it_has_expired(zoom_api):
    token = _token(zoom_api)
    zoom_api.expire_tokens()

    assert _error(_send(zoom_api, token)) == (401, 7010)


def test_it_rejects_a_body_that_is_not_json(zoom_api):
    answer = requests.post(
        f"{zoom_api.api_url}/im/chat/messages",
        data="robot_jid=me",
        headers={"Authorization": f"Bearer {_token(zoom_api)}"},
        timeout=5,
    )

    assert _error(answer) == (400, 7001)


def test_it_rejects_a_message_missing_a_required_field(zoom_api):
    answer = _send(zoom_api, _token(zoom_api), to_jid=None)

    assert _error(answer) == (400, 7001)
    assert "to_jid" in answer.json()["message"]


def test_it_rejects_another_robot_jid(zoom_api):
    answer = _send(zoom_api, _token(zoom_api), robot_jid="other@xmpp.zoom.us")

    assert _error(answer) == (404, 7002)


def test_it_rejects_another_account(zoom_api):
    answer = _send(zoom_api, _token(zoom_api), account_id="SomeoneElse")

    assert _error(answer) == (403, 7004)


def test_it_rejects_an_unknown_to_jid(zoom_api):
    answer = _send(zoom_api, _token(zoom_api), to_jid="nowhere@conference.zoom.us")

    assert _error(answer) == (403, 7004)


def test_it_rejects_a_bad_card_and_lists_its_problems(zoom_api):
    card = {"head": {}, "body": [{"type": "carousel"}]}

    answer = _send(zoom_api, _token(zoom_api), content=card)

    assert _error(answer) == (400, 7001)
    assert "head: missing text" in answer.json()["message"]
    assert "unknown item type 'carousel'" in answer.json()["message"]
    assert zoom_api.messages == []


def test_it_keeps_an_edit_of_a_message_it_accepted(zoom_api):
    token = _token(zoom_api)
    message_id = _send(zoom_api, token).json()["message_id"]
    edit = {
        "robot_jid": zoom_api.bot_jid,
        "account_id": zoom_api.account_id,
        "content": {"head": {"text": "Acknowledged"}},
    }

    answer = requests.put(
        f"{zoom_api.api_url}/im/chat/messages/{message_id}",
        json=edit,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )

    assert answer.status_code == 200
    assert zoom_api.edits == [FakeEdit(message_id, edit)]


def test_it_rejects_an_edit_of_an_unknown_message(zoom_api):
    answer = requests.put(
        f"{zoom_api.api_url}/im/chat/messages/NO-SUCH-MESSAGE",
        json={
            "robot_jid": zoom_api.bot_jid,
            "account_id": zoom_api.account_id,
            "content": CARD,
        },
        headers={"Authorization": f"Bearer {_token(zoom_api)}"},
        timeout=5,
    )

    assert _error(answer) == (404, 8001)


def test_it_fails_the_next_requests_when_told(zoom_api):
    token = _token(zoom_api)
    zoom_api.fail_next(429, 2, retry_after=7)

    first, second, third = (_send(zoom_api, token) for _ in range(3))

    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert second.status_code == 429
    assert third.status_code == 201
    assert zoom_api.api_requests == 3


def test_it_fails_token_requests_only_when_told(zoom_api):
    zoom_api.fail_next(503, 1, token_endpoint=True)

    assert _ask_token(zoom_api).status_code == 503
    assert _send(zoom_api, _token(zoom_api)).status_code == 201


def test_it_starts_afresh_after_a_reset(zoom_api):
    _send(zoom_api, _token(zoom_api))
    zoom_api.fail_next(500, 1)

    zoom_api.reset()

    assert (zoom_api.messages, zoom_api.tokens_issued, zoom_api.api_requests) == (
        [],
        0,
        0,
    )
    assert _send(zoom_api, _token(zoom_api)).status_code == 201


def test_it_keeps_reporting_for_clients_made_before_a_reset(zoom_api):
    client = zoom_api.client(FrozenClock(datetime(2026, 3, 29, tzinfo=UTC)))
    zoom_api.reset()
    zoom_api.fail_next(503, 1)

    client.send_card(zoom_api.channel_jid, CARD)

    assert zoom_api.waits == [0.5]
    assert len(zoom_api.messages) == 1
