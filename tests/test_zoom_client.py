"""The Zoom client against the fake Zoom API, over real HTTP on loopback."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest
import requests
from requests.adapters import HTTPAdapter

from bot.clock import FrozenClock
from integrations.zoom import ZoomClient, ZoomError
from integrations.zoom.errors import api_error
from tests.fakes.zoom_api import FakeEdit, FakeZoom

CARD = {
    "head": {"text": "Batch status", "sub_head": {"text": "Production"}},
    "body": [{"type": "message", "text": "12 ready, 1 disabled"}],
}
ACKNOWLEDGED = {"head": {"text": "Alert acknowledged"}}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 29, 0, 30, tzinfo=UTC))


@pytest.fixture
def client(zoom_api: FakeZoom, clock: FrozenClock) -> ZoomClient:
    return zoom_api.client(clock)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _TimingOutAdapter(HTTPAdapter):
    """Times out the first ``count`` requests, then sends for real."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def send(self, request, **options):
        if self.count:
            self.count -= 1
            raise requests.ReadTimeout("read timed out")
        return super().send(request, **options)


def test_it_sends_a_card_and_returns_zooms_message_id(zoom_api, client):
    message_id = client.send_card(zoom_api.channel_jid, CARD)

    assert zoom_api.message_ids == [message_id]
    assert zoom_api.messages == [
        {
            "robot_jid": zoom_api.bot_jid,
            "to_jid": zoom_api.channel_jid,
            "account_id": zoom_api.account_id,
            "content": CARD,
        }
    ]


def test_it_sends_the_optional_fields_it_is_given(zoom_api, client):
    client.send_card(
        zoom_api.channel_jid,
        CARD,
        user_jid=zoom_api.user_jid,
        reply_to="PARENT-MESSAGE-ID",
        visible_to_user="pm-claire-id",
        is_markdown_support=True,
    )

    sent = zoom_api.messages[0]
    assert sent["user_jid"] == zoom_api.user_jid
    assert sent["reply_to"] == "PARENT-MESSAGE-ID"
    assert sent["visible_to_user"] == "pm-claire-id"
    assert sent["is_markdown_support"] is True


def test_it_replaces_a_sent_card_with_the_whole_new_one(zoom_api, client):
    message_id = client.send_card(zoom_api.channel_jid, CARD)

    client.edit_card(
        message_id, zoom_api.channel_jid, ACKNOWLEDGED, user_jid=zoom_api.user_jid
    )

    assert zoom_api.edits == [
        FakeEdit(
            message_id,
            {
                "robot_jid": zoom_api.bot_jid,
                "to_jid": zoom_api.channel_jid,
                "account_id": zoom_api.account_id,
                "content": ACKNOWLEDGED,
                "user_jid": zoom_api.user_jid,
            },
        )
    ]


def test_it_fetches_one_token_for_many_cards(zoom_api, client, clock):
    for _ in range(3):
        client.send_card(zoom_api.channel_jid, CARD)
        clock.advance(timedelta(minutes=10))

    assert zoom_api.tokens_issued == 1
    assert len(zoom_api.messages) == 3


def test_it_fetches_a_new_token_shortly_before_the_old_one_expires(
    zoom_api, client, clock
):
    client.send_card(zoom_api.channel_jid, CARD)
    clock.advance(timedelta(minutes=54))
    client.send_card(zoom_api.channel_jid, CARD)
    assert zoom_api.tokens_issued == 1

    clock.advance(timedelta(minutes=2))
    client.send_card(zoom_api.channel_jid, CARD)

    assert zoom_api.tokens_issued == 2


def test_it_gets_a_new_token_when_zoom_drops_the_cached_one(zoom_api, client):
    client.send_card(zoom_api.channel_jid, CARD)
    zoom_api.expire_tokens()

    client.send_card(zoom_api.channel_jid, CARD)

    assert zoom_api.tokens_issued == 2
    assert len(zoom_api.messages) == 2
    assert zoom_api.waits == []


def test_it_waits_as_long_as_zoom_asks_when_rate_limited(zoom_api, client):
    zoom_api.fail_next(429, 2, retry_after=3)

    client.send_card(zoom_api.channel_jid, CARD)

    assert zoom_api.waits == [3, 3]
    assert zoom_api.api_requests == 3
    assert len(zoom_api.messages) == 1


def test_it_retries_an_outage_with_growing_waits(zoom_api, client):
    zoom_api.fail_next(503, 2)

    client.send_card(zoom_api.channel_jid, CARD)

    assert zoom_api.waits == [0.5, 1.0]
    assert len(zoom_api.messages) == 1


def test_it_retries_a_failing_token_endpoint(zoom_api, client):
    zoom_api.fail_next(502, 1, token_endpoint=True)

    client.send_card(zoom_api.channel_jid, CARD)

    assert zoom_api.waits == [0.5]
    assert zoom_api.tokens_issued == 1


def test_it_gives_up_after_three_tries_and_says_zoom_is_unavailable(zoom_api, client):
    zoom_api.fail_next(500, 5)

    with pytest.raises(ZoomError) as caught:
        client.send_card(zoom_api.channel_jid, CARD)

    assert caught.value.reason == "Zoom is unavailable"
    assert (caught.value.retryable, caught.value.status) == (True, 500)
    assert zoom_api.api_requests == 3
    assert zoom_api.waits == [0.5, 1.0]


def test_it_does_not_hold_a_worker_through_a_long_retry_after(zoom_api, client):
    zoom_api.fail_next(429, 1, retry_after=3600)

    with pytest.raises(ZoomError) as caught:
        client.send_card(zoom_api.channel_jid, CARD)

    assert (caught.value.reason, caught.value.retryable) == (
        "rate limited by Zoom",
        True,
    )
    assert zoom_api.waits == []


@pytest.mark.parametrize(
    "change, reason, status, code",
    [
        ({"content": {"body": [{"type": "carousel"}]}}, "bad message body", 400, 7001),
        (
            {"to_jid": "nowhere@conference.xmpp.zoom.us"},
            "not authorised or unknown channel (to_jid)",
            403,
            7004,
        ),
        ({"bot_jid": "other@xmpp.zoom.us"}, "bad robot JID", 404, 7002),
        (
            {"account_id": "SomeoneElse"},
            "not authorised or unknown channel (to_jid)",
            403,
            7004,
        ),
    ],
)
def test_it_never_retries_a_refusal_and_names_its_cause(
    zoom_api, clock, change, reason, status, code
):
    to_jid = change.pop("to_jid", zoom_api.channel_jid)
    content = change.pop("content", CARD)
    client = zoom_api.client(clock, **change)

    with pytest.raises(ZoomError) as caught:
        client.send_card(to_jid, content)

    assert caught.value.reason == reason
    assert (caught.value.retryable, caught.value.status) == (False, status)
    assert caught.value.code == code
    assert zoom_api.api_requests == 1
    assert zoom_api.waits == []


def test_it_says_which_message_is_unknown_on_edit(zoom_api, client):
    with pytest.raises(ZoomError) as caught:
        client.edit_card("NO-SUCH-MESSAGE", zoom_api.channel_jid, ACKNOWLEDGED)

    assert (caught.value.reason, caught.value.code) == ("unknown message id", 8001)


@pytest.mark.parametrize(
    "status, code, reason",
    [
        (400, 7001, "bad message body"),
        (401, 7010, "bad credentials or expired token"),
        (403, 7003, "bad robot JID"),
        (403, 7004, "not authorised or unknown channel (to_jid)"),
        (404, 7002, "bad robot JID"),
        (404, 8001, "unknown message id"),
        (429, None, "rate limited by Zoom"),
        (503, None, "Zoom is unavailable"),
        (409, None, "Zoom refused the request (HTTP 409)"),
    ],
)
def test_it_names_each_documented_zoom_error(status, code, reason):
    error = api_error(status, code)

    assert (error.reason, error.retryable) == (reason, status in (429, 503))


def test_it_says_the_client_id_or_secret_is_wrong_when_refused_a_token(zoom_api, clock):
    client = zoom_api.client(clock, client_secret="not-the-secret")

    with pytest.raises(ZoomError) as caught:
        client.send_card(zoom_api.channel_jid, CARD)

    assert caught.value.reason == "bad Zoom client id or secret"
    assert (caught.value.retryable, caught.value.status) == (False, 401)
    assert zoom_api.api_requests == 0


def test_it_says_zoom_is_unreachable_when_nothing_listens(zoom_api, clock):
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    client = zoom_api.client(clock, api_url=f"{nowhere}/v2", oauth_url=nowhere)

    with pytest.raises(ZoomError) as caught:
        client.send_card(zoom_api.channel_jid, CARD)

    assert caught.value.reason == "Zoom unreachable"
    assert (caught.value.retryable, caught.value.status) == (True, None)
    assert zoom_api.waits == [0.5, 1.0]


def test_it_retries_a_timeout(zoom_api, clock):
    http = requests.Session()
    http.mount("http://", _TimingOutAdapter(count=1))
    client = zoom_api.client(clock, http=http)

    client.send_card(zoom_api.channel_jid, CARD)

    assert zoom_api.waits == [0.5]
    assert len(zoom_api.messages) == 1


def test_it_logs_one_line_per_call_with_path_outcome_and_duration(
    zoom_api, client, caplog
):
    caplog.set_level(logging.INFO, logger="integrations.zoom")

    client.send_card(zoom_api.channel_jid, CARD)

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("Zoom POST /oauth/token -> 200 in ")
    assert lines[1].startswith("Zoom POST /im/chat/messages -> 201 in ")
    assert all(line.endswith(" ms") and "http" not in line for line in lines)


def test_it_keeps_secrets_out_of_logs_errors_and_reprs(zoom_api, clock, caplog):
    caplog.set_level(logging.DEBUG)
    client = zoom_api.client(clock)
    client.send_card(zoom_api.channel_jid, CARD)
    tokens = set(zoom_api.tokens)
    zoom_api.expire_tokens()
    client.send_card(zoom_api.channel_jid, CARD)
    tokens |= zoom_api.tokens
    zoom_api.fail_next(400, 1)
    with pytest.raises(ZoomError) as caught:
        client.send_card(zoom_api.channel_jid, CARD)

    refused = zoom_api.client(clock, client_secret=zoom_api.client_secret + "x")
    with pytest.raises(ZoomError) as refusal:
        refused.send_card(zoom_api.channel_jid, CARD)

    shown = [caplog.text, repr(client), repr(refused)]
    for error in (caught.value, refusal.value):
        shown += [str(error), repr(error)]
    secrets = [zoom_api.client_secret, zoom_api.client_secret + "x", *tokens]
    assert len(tokens) == 2
    assert not [secret for secret in secrets if any(secret in s for s in shown)]
