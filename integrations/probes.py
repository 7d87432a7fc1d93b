"""HTTP probes: one request to an API, its outcome in a few words.

Every exception ``requests`` can raise becomes a :class:`ProbeError` whose
reason a person can read at a glance ("connection refused", "timed out after
5 s", "TLS certificate rejected"); the tests prove each mapping against a real
server on 127.0.0.1. A wrong status or a missing keyword is a failure too,
told the same way ("expected 200, got 500", "keyword 'OK' missing").
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass

import requests
import urllib3.exceptions

MAX_BODY_BYTES = 1024 * 1024
"""How much of a body is searched for the keyword."""
MAX_REDIRECTS = 5
METHODS = ("GET", "HEAD", "POST", "PUT", "OPTIONS")


class ProbeError(Exception):
    """A request that got no usable answer; ``reason`` is short and for people."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class ProbeRequest:
    url: str
    method: str = "GET"
    expected_status: int = 200
    keyword: str | None = None
    timeout_s: float = 5.0


@dataclass(frozen=True)
class ProbeOutcome:
    ok: bool
    status: int | None
    latency_ms: int
    error: str | None = None


def check_endpoint(request: ProbeRequest) -> ProbeOutcome:
    """Send the request once and say whether the answer is the one expected."""
    started = time.monotonic()
    try:
        status, body = _fetch(request, started + request.timeout_s)
    except ProbeError as error:
        return ProbeOutcome(False, None, _since(started), error.reason)

    latency = _since(started)
    if status != request.expected_status:
        reason = f"expected {request.expected_status}, got {status}"
        return ProbeOutcome(False, status, latency, reason)
    if request.keyword and request.keyword not in body:
        return ProbeOutcome(
            False, status, latency, f"keyword '{request.keyword}' missing"
        )
    return ProbeOutcome(True, status, latency)


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _fetch(request: ProbeRequest, deadline: float) -> tuple[int, str]:
    with requests.Session() as http:
        http.max_redirects = MAX_REDIRECTS
        try:
            with http.request(
                request.method,
                request.url,
                timeout=request.timeout_s,
                stream=True,
                allow_redirects=True,
            ) as response:
                body = (
                    _read_body(response, deadline, request) if request.keyword else ""
                )
                return response.status_code, body
        except requests.RequestException as error:
            raise probe_error(error, request.timeout_s) from error


def _read_body(
    response: requests.Response, deadline: float, request: ProbeRequest
) -> str:
    """The start of the body; a server that trickles it out times out too."""
    data = bytearray()
    for chunk in response.iter_content(64 * 1024):
        data.extend(chunk)
        if time.monotonic() > deadline:
            raise ProbeError(_timed_out(request.timeout_s), retryable=True)
        if len(data) >= MAX_BODY_BYTES:
            break
    return bytes(data).decode(response.encoding or "utf-8", errors="replace")


def probe_error(error: requests.RequestException, timeout_s: float) -> ProbeError:
    """The short reason for a failed request."""
    if isinstance(error, requests.exceptions.SSLError):
        return ProbeError(_tls_reason(error), retryable=False)
    if isinstance(error, requests.exceptions.Timeout):
        return ProbeError(_timed_out(timeout_s), retryable=True)
    if isinstance(error, requests.exceptions.TooManyRedirects):
        return ProbeError("too many redirects", retryable=False)
    if isinstance(
        error,
        (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ),
    ):
        return ProbeError("invalid URL", retryable=False)
    if isinstance(error, requests.exceptions.ConnectionError):
        return ProbeError(_connection_reason(error, timeout_s), retryable=True)
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return ProbeError("response cut short", retryable=True)
    return ProbeError("request failed", retryable=True)


def _timed_out(timeout_s: float) -> str:
    return f"timed out after {timeout_s:g} s"


def _tls_reason(error: BaseException) -> str:
    if any(isinstance(cause, ssl.SSLCertVerificationError) for cause in _causes(error)):
        return "TLS certificate rejected"
    return "TLS handshake failed"


CONNECTION_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (ConnectionRefusedError, "connection refused"),
    (urllib3.exceptions.NameResolutionError, "host not found"),
    (socket.gaierror, "host not found"),
    (ConnectionResetError, "connection reset"),
    (http.client.RemoteDisconnected, "connection closed by the server"),
)


def _connection_reason(error: BaseException, timeout_s: float) -> str:
    causes = list(_causes(error))
    for kind, reason in CONNECTION_REASONS:
        if any(isinstance(cause, kind) for cause in causes):
            return reason
    timeouts = (TimeoutError, urllib3.exceptions.TimeoutError)
    if any(isinstance(cause, timeouts) for cause in causes):
        return _timed_out(timeout_s)
    return "connection failed"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it wraps: causes, contexts, urllib3 reasons."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [
            current.__cause__,
            current.__context__,
            getattr(current, "reason", None),
        ]
        wrapped += list(current.args)
        pending += [item for item in wrapped if isinstance(item, BaseException)]
