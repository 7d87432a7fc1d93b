"""A fake of Zoom's chatbot HTTP API, served for real on 127.0.0.1.

It checks what Zoom checks, with Zoom's statuses and error codes
(https://developers.zoom.us/docs/api/chatbot/): Basic auth and the grant type
on the token endpoint, the bearer token, the JSON body, the robot JID, the
account, the destination and the card's shape. It keeps what it accepted so
tests can look at it, and can be told to fail the next requests.

Use the ``zoom_api`` fixture, or ``with FakeZoom() as zoom:`` outside pytest.
"""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from bot.clock import Clock
from integrations.zoom import ZoomClient, validate_content

TOKEN_PATH = "/oauth/token"
MESSAGES_PATH = "/v2/im/chat/messages"
TOKEN_LIFETIME_S = 3600

SEND_FIELDS = ("robot_jid", "to_jid", "account_id", "content")
EDIT_FIELDS = ("robot_jid", "account_id", "content")


@dataclass(frozen=True)
class FakeEdit:
    message_id: str
    body: dict[str, Any]


@dataclass
class _Failure:
    status: int
    retry_after: int | None


class _QuietHandler(WSGIRequestHandler):
    """Keeps one access line per request out of the tests' captured logs."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class FakeZoom:
    """Zoom's token endpoint and chat message API, on a free loopback port.

    ``messages`` holds every accepted send body, in order, and ``message_ids``
    the id given to each; ``edits`` every accepted edit. ``tokens_issued``
    counts tokens, ``tokens`` holds those still valid, ``api_requests``
    counts every request to the message API.
    """

    def __init__(self) -> None:
        self.client_id = "batchops-test-client"
        self.client_secret = secrets.token_hex(16)
        self.bot_jid = "v1batchopsbot0test@xmpp.zoom.us"
        self.account_id = "BatchOpsTestAccount"
        self.channel_jid = "ops-batches@conference.xmpp.zoom.us"
        self.user_jid = "pm-claire@xmpp.zoom.us"
        self.channels: set[str] = {self.channel_jid, self.user_jid}

        self.messages: list[dict[str, Any]] = []
        self.message_ids: list[str] = []
        self.edits: list[FakeEdit] = []
        self.waits: list[float] = []
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self.api_requests = 0
        self._failures: dict[bool, deque[_Failure]] = {False: deque(), True: deque()}

        self._lock = threading.Lock()
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, request_handler=_QuietHandler
        )
        self.oauth_url = f"http://127.0.0.1:{self._server.server_port}"
        self.api_url = f"{self.oauth_url}/v2"
        self._thread: threading.Thread | None = None

    def reset(self) -> None:
        """Forget messages, tokens, counters, waits and planned failures.

        The lists are emptied in place: clients made earlier still report here.
        """
        with self._lock:
            for kept in (self.messages, self.message_ids, self.edits, self.waits):
                kept.clear()
            self.tokens.clear()
            self.tokens_issued = 0
            self.api_requests = 0
            for planned in self._failures.values():
                planned.clear()

    def start(self) -> FakeZoom:
        # A short poll keeps stop() quick: it waits for the loop to notice.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> FakeZoom:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def fail_next(
        self,
        status: int,
        count: int,
        retry_after: int | None = None,
        *,
        token_endpoint: bool = False,
    ) -> None:
        """Answer the next ``count`` message API requests with ``status``.

        With ``token_endpoint``, the token endpoint's requests fail instead.
        """
        with self._lock:
            planned = self._failures[token_endpoint]
            planned.extend(_Failure(status, retry_after) for _ in range(count))

    def expire_tokens(self) -> None:
        """Make every token issued so far invalid, as Zoom does after an hour."""
        with self._lock:
            self.tokens.clear()

    def client(self, clock: Clock, **overrides: Any) -> ZoomClient:
        """A client aimed at this fake; ``overrides`` replace its arguments.

        Unless ``sleep`` is given, the client's waits are kept in ``waits``.
        """
        arguments: dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "bot_jid": self.bot_jid,
            "account_id": self.account_id,
            "api_url": self.api_url,
            "oauth_url": self.oauth_url,
            "clock": clock,
            "sleep": self.waits.append,
        }
        return ZoomClient(**(arguments | overrides))

    def message(self, message_id: str) -> dict[str, Any]:
        """The accepted send body that got ``message_id``."""
        return self.messages[self.message_ids.index(message_id)]

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        with self._lock:
            response = self._route(request)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        if request.path == TOKEN_PATH and request.method == "POST":
            return self._planned_failure(True) or self._issue_token(request)
        if request.path.startswith(MESSAGES_PATH):
            self.api_requests += 1
            return self._planned_failure(False) or self._message_api(request)
        return _zoom_error(404, 404, "No such endpoint.")

    def _planned_failure(self, token_endpoint: bool) -> Response | None:
        planned = self._failures[token_endpoint]
        if not planned:
            return None

        failure = planned.popleft()
        message = "Too many requests." if failure.status == 429 else "Unavailable."
        response = _zoom_error(failure.status, failure.status, message)
        if failure.retry_after is not None:
            response.headers["Retry-After"] = str(failure.retry_after)
        return response

    def _issue_token(self, request: Request) -> Response:
        if request.args.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "Unsupported grant type")
        auth = request.authorization
        if (
            auth is None
            or auth.type != "basic"
            or auth.username != self.client_id
            or auth.password != self.client_secret
        ):
            return _oauth_error(401, "invalid_client", "Invalid client_id or secret")

        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        self.tokens_issued += 1
        return _json(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": TOKEN_LIFETIME_S,
                "scope": "imchat:bot",
                "api_url": self.api_url,
            },
        )

    def _message_api(self, request: Request) -> Response:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in self.tokens:
            return _zoom_error(401, 7010, "Invalid access token.")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _zoom_error(400, 7001, "Invalid request body format.")

        message_id = unquote(request.path.removeprefix(MESSAGES_PATH).strip("/"))
        if request.method == "POST" and not message_id:
            return self._accept_send(body)
        if request.method == "PUT" and message_id:
            return self._accept_edit(message_id, body)
        return _zoom_error(405, 405, "Method not allowed.")

    def _accept_send(self, body: dict[str, Any]) -> Response:
        refusal = self._refusal(body, SEND_FIELDS)
        if refusal is not None:
            return refusal

        message_id = str(uuid.uuid4()).upper()
        self.messages.append(body)
        self.message_ids.append(message_id)
        return _json(201, self._message_answer(message_id, body["to_jid"]))

    def _accept_edit(self, message_id: str, body: dict[str, Any]) -> Response:
        refusal = self._refusal(body, EDIT_FIELDS)
        if refusal is not None:
            return refusal
        if message_id not in self.message_ids:
            return _zoom_error(404, 8001, "Invalid message_id value.")

        self.edits.append(FakeEdit(message_id, body))
        to_jid = self.message(message_id)["to_jid"]
        return _json(200, self._message_answer(message_id, to_jid))

    def _refusal(
        self, body: dict[str, Any], required: tuple[str, ...]
    ) -> Response | None:
        """Zoom's answer to a body it will not take, or None when it is fine."""
        missing = [key for key in required if body.get(key) in (None, "")]
        if missing:
            return _zoom_error(400, 7001, f"Missing fields: {', '.join(missing)}.")
        if body["robot_jid"] != self.bot_jid:
            return _zoom_error(404, 7002, "Invalid robot_jid value.")
        if body["account_id"] != self.account_id:
            return _zoom_error(403, 7004, "Not authorized.")
        if "to_jid" in body and body["to_jid"] not in self.channels:
            return _zoom_error(403, 7004, "No channel or user found for to_jid.")

        problems = validate_content(body["content"])
        if problems:
            return _zoom_error(400, 7001, "Invalid content: " + "; ".join(problems))
        return None

    def _message_answer(self, message_id: str, to_jid: str) -> dict[str, str]:
        return {
            "message_id": message_id,
            "robot_jid": self.bot_jid,
            "to_jid": to_jid,
            "sent_time": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        }


def _json(status: int, payload: dict[str, Any]) -> Response:
    return Response(
        json.dumps(payload),
        status=status,
        content_type="application/json;charset=UTF-8",
    )


def _zoom_error(status: int, code: int, message: str) -> Response:
    return _json(status, {"code": code, "message": message})


def _oauth_error(status: int, error: str, reason: str) -> Response:
    return _json(status, {"reason": reason, "error": error})


@pytest.fixture
def zoom_api() -> Iterator[FakeZoom]:
    """A running fake Zoom API, fresh for each test."""
    with FakeZoom() as fake:
        yield fake
