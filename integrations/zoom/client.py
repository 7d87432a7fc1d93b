"""Zoom Team Chat's chatbot API: send and edit message cards.

A chatbot token comes from the client-credentials grant, lasts an hour and
has no refresh token (https://developers.zoom.us/docs/chat/chatbot/extend/
tokens-and-identifiers/): it is cached and asked for again shortly before it
expires.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests

from bot.clock import Clock
from integrations.zoom.errors import (
    ZoomError,
    api_error,
    is_retryable_status,
    token_error,
    unreachable,
)

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.zoom.us/v2"
DEFAULT_OAUTH_URL = "https://zoom.us"
TOKEN_PATH = "/oauth/token"
MESSAGES_PATH = "/im/chat/messages"

MAX_ATTEMPTS = 3
FIRST_BACKOFF_S = 0.5
LONGEST_WAIT_S = 30.0
"""A longer Retry-After means a spent daily quota: not worth holding a worker."""
TOKEN_MARGIN = timedelta(minutes=5)
DEFAULT_TOKEN_LIFETIME_S = 3600


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    renew_at: datetime


class ZoomClient:
    """Sends and edits the bot's cards through Zoom's chatbot API.

    Every failure is a :class:`ZoomError`. Rate limits, outages and network
    failures are retried a few times with back-off before giving up.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        bot_jid: str,
        account_id: str,
        api_url: str,
        oauth_url: str,
        clock: Clock,
        http: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout_s: float = 10,
    ) -> None:
        self.bot_jid = bot_jid
        self.account_id = account_id
        self._client_id = client_id
        self._client_secret = client_secret
        self._api_url = api_url.rstrip("/")
        self._oauth_url = oauth_url.rstrip("/")
        self._clock = clock
        self._http = http if http is not None else requests.Session()
        self._sleep = sleep
        self._timeout_s = timeout_s
        self._token: _Token | None = None
        # Cards go out from several worker threads; one token serves them all.
        self._token_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ZoomClient(bot_jid={self.bot_jid!r}, api_url={self._api_url!r})"

    def send_card(
        self,
        to_jid: str,
        content: dict[str, Any],
        *,
        user_jid: str | None = None,
        reply_to: str | None = None,
        visible_to_user: str | None = None,
        is_markdown_support: bool = False,
    ) -> str:
        """Post a card to a channel or user; return Zoom's message id."""
        body = self._message_body(to_jid, content, user_jid)
        optional = {"reply_to": reply_to, "visible_to_user": visible_to_user}
        body.update({key: value for key, value in optional.items() if value})
        if is_markdown_support:
            body["is_markdown_support"] = True

        response = self._call_api("POST", MESSAGES_PATH, body)
        message_id = _json_object(response).get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise ZoomError("unexpected answer from Zoom", False, response.status_code)
        return message_id

    def edit_card(
        self,
        message_id: str,
        to_jid: str,
        content: dict[str, Any],
        *,
        user_jid: str | None = None,
    ) -> None:
        """Replace a card the bot sent earlier with ``content`` (the whole card)."""
        body = self._message_body(to_jid, content, user_jid)
        path = f"{MESSAGES_PATH}/{quote(message_id, safe='')}"
        self._call_api("PUT", path, body)

    def _message_body(
        self, to_jid: str, content: dict[str, Any], user_jid: str | None
    ) -> dict[str, Any]:
        body = {
            "robot_jid": self.bot_jid,
            "to_jid": to_jid,
            "account_id": self.account_id,
            "content": content,
        }
        if user_jid:
            body["user_jid"] = user_jid
        return body

    def _call_api(
        self, method: str, path: str, body: dict[str, Any]
    ) -> requests.Response:
        response = self._send_authorised(method, path, body)
        if response.status_code == 401:
            # Zoom can revoke a token before its announced expiry (a new secret,
            # the app reinstalled): one fresh token settles whether it was that.
            self._token = None
            response = self._send_authorised(method, path, body)

        if response.status_code >= 400:
            raise api_error(response.status_code, _error_code(response))
        return response

    def _send_authorised(
        self, method: str, path: str, body: dict[str, Any]
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._access_token()}"}
        url = self._api_url + path
        return self._send_with_retries(method, url, path, json=body, headers=headers)

    def _access_token(self) -> str:
        with self._token_lock:
            now = self._clock.now()
            if self._token is None or now >= self._token.renew_at:
                self._token = self._fetch_token(now)
            return self._token.value

    def _fetch_token(self, now: datetime) -> _Token:
        response = self._send_with_retries(
            "POST",
            self._oauth_url + TOKEN_PATH,
            TOKEN_PATH,
            params={"grant_type": "client_credentials"},
            auth=(self._client_id, self._client_secret),
        )
        if response.status_code >= 400:
            raise token_error(response.status_code, _error_code(response))

        payload = _json_object(response)
        value = payload.get("access_token")
        lifetime = payload.get("expires_in", DEFAULT_TOKEN_LIFETIME_S)
        if not isinstance(value, str) or not value or not isinstance(lifetime, int):
            raise ZoomError("unexpected answer from Zoom", False, response.status_code)
        return _Token(value, now + timedelta(seconds=lifetime) - TOKEN_MARGIN)

    def _send_with_retries(
        self, method: str, url: str, target: str, **options: Any
    ) -> requests.Response:
        """Send; on a rate limit, an outage or a network failure, wait and resend.

        Returns the last answer, whatever its status; raises only when Zoom
        could not be reached at all.
        """
        attempt = 1
        response = self._send_once(method, url, target, options)
        wait = _wait_before_retry(attempt, response)
        while wait is not None:
            self._sleep(wait)
            attempt += 1
            response = self._send_once(method, url, target, options)
            wait = _wait_before_retry(attempt, response)

        if response is None:
            raise unreachable()
        return response

    def _send_once(
        self, method: str, url: str, target: str, options: dict[str, Any]
    ) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self._http.request(
                method, url, timeout=self._timeout_s, **options
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            _log_call(method, target, f"failed ({type(exc).__name__})", started)
            return None

        _log_call(method, target, _describe(response), started)
        return response


def _wait_before_retry(
    attempt: int, response: requests.Response | None
) -> float | None:
    """Seconds to wait before the next try, or None when not to try again."""
    if response is not None and not is_retryable_status(response.status_code):
        return None
    if attempt >= MAX_ATTEMPTS:
        return None

    asked = _retry_after_s(response)
    if asked is None:
        return FIRST_BACKOFF_S * 2 ** (attempt - 1)
    if asked > LONGEST_WAIT_S:
        return None
    return asked


def _retry_after_s(response: requests.Response | None) -> float | None:
    if response is None:
        return None
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None


def _error_code(response: requests.Response) -> int | None:
    code = _json_object(response).get("code")
    return code if isinstance(code, int) else None


def _json_object(response: requests.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _describe(response: requests.Response) -> str:
    """Zoom's status, error code and message; Zoom never echoes secrets there."""
    if response.status_code < 400:
        return str(response.status_code)

    payload = _json_object(response)
    described = str(response.status_code)
    if payload.get("code"):
        described += f" code {payload['code']}"
    message = str(payload.get("message") or payload.get("reason") or "")[:200]
    return f"{described}: {message}" if message else described


def _log_call(method: str, target: str, outcome: str, started: float) -> None:
    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info("Zoom %s %s -> %s in %.0f ms", method, target, outcome, elapsed_ms)
