"""The one error type of the Zoom boundary and how Zoom's answers map to it.

Status and error codes are those of Zoom's Chatbot API reference
(https://developers.zoom.us/docs/api/chatbot/): 400/7001 bad body, 401/7010
bad token, 403/7003 and 404/7002 bad robot JID, 403/7004 not authorised or
unknown ``to_jid``, 404/8001 unknown message id on edit, 429 rate limit.
"""

from __future__ import annotations

CODE_UNKNOWN_ROBOT = 7003
CODE_UNKNOWN_MESSAGE = 8001


class ZoomError(Exception):
    """Zoom could not do what was asked.

    ``reason`` is short and fit to show a person; ``retryable`` says whether
    trying again later can help; ``status`` and ``code`` are Zoom's HTTP status
    and error code when Zoom answered at all.
    """

    def __init__(
        self,
        reason: str,
        retryable: bool,
        status: int | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status = status
        self.code = code

    def __repr__(self) -> str:
        return (
            f"ZoomError(reason={self.reason!r}, retryable={self.retryable}, "
            f"status={self.status}, code={self.code})"
        )


def is_retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


def api_error(status: int, code: int | None) -> ZoomError:
    """Map an error answer of the chat API to a :class:`ZoomError`."""
    return ZoomError(
        _api_reason(status, code), is_retryable_status(status), status, code
    )


def token_error(status: int, code: int | None) -> ZoomError:
    """Map an error answer of the OAuth token endpoint to a :class:`ZoomError`."""
    if status == 401:
        reason = "bad Zoom client id or secret"
    else:
        reason = _shared_reason(status)
    return ZoomError(reason, is_retryable_status(status), status, code)


def unreachable() -> ZoomError:
    return ZoomError("Zoom unreachable", retryable=True)


def _api_reason(status: int, code: int | None) -> str:
    if status == 400:
        return "bad message body"
    if status == 401:
        return "bad credentials or expired token"
    if status == 403:
        if code == CODE_UNKNOWN_ROBOT:
            return "bad robot JID"
        return "not authorised or unknown channel (to_jid)"
    if status == 404:
        if code == CODE_UNKNOWN_MESSAGE:
            return "unknown message id"
        return "bad robot JID"
    return _shared_reason(status)


def _shared_reason(status: int) -> str:
    if status == 429:
        return "rate limited by Zoom"
    if status >= 500:
        return "Zoom is unavailable"
    return f"Zoom refused the request (HTTP {status})"
