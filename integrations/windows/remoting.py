"""Windows servers over PowerShell remoting (WinRM, pypsrp).

One runspace pool per server stays open between calls: opening one costs
several round trips and a key exchange, which ``pypsrp.client.Client``
pays on every call. A pool the server dropped (idle timeout, service restart)
is found on the next call and replaced once.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from datetime import timedelta
from typing import Any

import requests
from pypsrp.complex_objects import PSInvocationState, RunspacePoolState
from pypsrp.exceptions import (
    AuthenticationError,
    InvalidPipelineStateError,
    InvalidRunspacePoolStateError,
    WinRMError,
    WinRMTransportError,
    WSManFaultError,
)
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan
from spnego.exceptions import SpnegoError

from bot.clock import Clock, SystemClock
from integrations.session import RemoteError, ScriptResult
from integrations.windows.scripted import (
    DEFAULT_MAX_READ_BYTES,
    ScriptedSession,
    load_script,
)

log = logging.getLogger(__name__)

AUTH_METHODS = ("negotiate", "ntlm", "kerberos", "certificate")

POLL_S = 5
"""Longest wait of one poll for output, so the time limit is checked often."""

_ACCESS_DENIED_FAULTS = {5, 0x80070005}
_OPERATION_TIMEOUT_FAULT = 0x80338029
_REMOTING_ERRORS = (WinRMError, SpnegoError, requests.RequestException, OSError)


class _StalePool(Exception):
    """The pool was there but the server no longer knows it."""


class WinRMSession(ScriptedSession):
    """A Windows server reached over WinRM; implements ``ServerSession``."""

    def __init__(
        self,
        name: str,
        host: str,
        *,
        port: int = 5986,
        username: str,
        password: str | None = None,
        auth: str = "negotiate",
        ssl: bool = True,
        cert_validation: bool = True,
        certificate_pem: str | None = None,
        certificate_key_pem: str | None = None,
        configuration_name: str = "Microsoft.PowerShell",
        script_timeout_s: float = 30,
        connection_timeout_s: int = 10,
        max_read_bytes: int = DEFAULT_MAX_READ_BYTES,
        clock: Clock | None = None,
    ) -> None:
        _check_auth(auth, ssl, certificate_pem, certificate_key_pem)
        self.name = name
        self.host = host
        self.port = port
        self.username = username
        self.auth = auth
        self.ssl = ssl
        self.cert_validation = cert_validation
        self.configuration_name = configuration_name
        self.script_timeout_s = script_timeout_s
        self.connection_timeout_s = connection_timeout_s
        self.max_read_bytes = max_read_bytes
        self._password = password
        self._certificate = (certificate_pem, certificate_key_pem)
        self._clock = clock or SystemClock()
        self._pool: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WinRMSession({self.name!r}, {self.host!r}:{self.port})"

    def run_script(self, script: str, params: dict[str, Any]) -> ScriptResult:
        text = load_script(script)
        started = self._clock.now()

        try:
            with self._lock:
                result = self._run(text, params)
        except RemoteError as err:
            self._log_call(script, err.reason, started)
            raise

        result.duration_s = self._log_call(script, "ok", started)
        return result

    def close(self) -> None:
        with self._lock:
            self._discard_pool()

    def _log_call(self, script: str, outcome: str, started: Any) -> float:
        duration = (self._clock.now() - started).total_seconds()
        log.info("winrm %s %s: %s in %.2f s", self.name, script, outcome, duration)
        return duration

    def _run(self, text: str, params: dict[str, Any]) -> ScriptResult:
        try:
            return self._run_in_pool(text, params)
        except RemoteError:
            raise
        except _REMOTING_ERRORS as exc:
            self._discard_pool()
            raise remote_error_for(exc) from exc
        except ValueError as exc:
            # pypsrp checks its settings only when it first connects.
            self._discard_pool()
            raise RemoteError("remoting settings rejected", retryable=False) from exc

    def _run_in_pool(self, text: str, params: dict[str, Any]) -> ScriptResult:
        reused = self._pool is not None
        try:
            return self._invoke(self._open_pool(), text, params)
        except _StalePool as stale:
            self._discard_pool()
            if not reused:
                raise remote_error_for(stale.__cause__ or stale) from stale
            log.info("winrm %s: runspace pool lost, opening a new one", self.name)

        try:
            return self._invoke(self._open_pool(), text, params)
        except _StalePool as stale:
            self._discard_pool()
            raise remote_error_for(stale.__cause__ or stale) from stale

    def _open_pool(self) -> Any:
        if self._pool is not None and self._pool.state == RunspacePoolState.OPENED:
            return self._pool
        self._discard_pool()

        certificate_pem, certificate_key_pem = self._certificate
        extra: dict[str, Any] = {}
        if self.auth == "certificate":
            extra = {
                "certificate_pem": certificate_pem,
                "certificate_key_pem": certificate_key_pem,
            }
        connection = WSMan(
            self.host,
            port=self.port,
            username=self.username,
            password=self._password,
            ssl=self.ssl,
            auth=self.auth,
            cert_validation=self.cert_validation,
            connection_timeout=self.connection_timeout_s,
            **extra,
        )
        pool = RunspacePool(connection, configuration_name=self.configuration_name)
        pool.open()
        self._pool = pool
        return pool

    def _discard_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            pool.close()
        except Exception:  # the pool is being dropped whatever went wrong
            log.debug("winrm %s: closing a broken pool failed", self.name)

    def _invoke(self, pool: Any, text: str, params: dict[str, Any]) -> ScriptResult:
        shell = PowerShell(pool)
        shell.add_script(text)
        # pypsrp sends a parameter without value as a switch: leave None out.
        shell.add_parameters({k: v for k, v in params.items() if v is not None})

        try:
            shell.begin_invoke()
        except (WSManFaultError, InvalidRunspacePoolStateError) as exc:
            raise _StalePool() from exc

        self._wait(shell)
        return _script_result(shell)

    def _wait(self, shell: Any) -> None:
        deadline = self._clock.now() + timedelta(seconds=self.script_timeout_s)
        while shell.state == PSInvocationState.RUNNING:
            remaining = (deadline - self._clock.now()).total_seconds()
            if remaining <= 0:
                self._stop(shell)
                reason = f"script timed out after {self.script_timeout_s:g} s"
                raise RemoteError(reason, retryable=True)
            shell.poll_invoke(timeout=max(1, math.ceil(min(remaining, POLL_S))))

    def _stop(self, shell: Any) -> None:
        try:
            shell.stop()
        except _REMOTING_ERRORS:
            # A pipeline that cannot be stopped leaves the pool in doubt.
            self._discard_pool()


def _check_auth(
    auth: str, ssl: bool, certificate_pem: str | None, certificate_key_pem: str | None
) -> None:
    if auth not in AUTH_METHODS:
        raise ValueError(f"auth must be one of {', '.join(AUTH_METHODS)}: {auth!r}")
    if auth == "certificate" and not (ssl and certificate_pem and certificate_key_pem):
        raise ValueError("certificate auth needs ssl, certificate_pem and its key")


def _script_result(shell: Any) -> ScriptResult:
    if shell.had_errors or shell.streams.error:
        raise RemoteError(f"script failed: {_first_error(shell)}", retryable=False)
    if shell.state != PSInvocationState.COMPLETED:
        raise RemoteError("script stopped before the end", retryable=True)

    text = "".join(str(item) for item in shell.output if item is not None).strip()
    if not text:
        raise RemoteError("script printed nothing", retryable=False)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RemoteError("script printed invalid JSON", retryable=False) from exc

    warnings = [str(record) for record in shell.streams.warning]
    return ScriptResult(data=data, warnings=warnings)


def _first_error(shell: Any) -> str:
    if not shell.streams.error:
        return "no error record"
    lines = str(shell.streams.error[0]).strip().splitlines() or ["no message"]
    return lines[0][:200]


def remote_error_for(exc: BaseException) -> RemoteError:
    """The short reason, and whether retrying can help, for a remoting failure."""
    if isinstance(exc, requests.exceptions.SSLError):
        return RemoteError("TLS certificate rejected", retryable=False)
    if isinstance(exc, requests.exceptions.ConnectionError):
        return RemoteError("server unreachable", retryable=True)
    if isinstance(exc, requests.exceptions.Timeout):
        return RemoteError("server did not answer in time", retryable=True)
    if isinstance(exc, AuthenticationError | SpnegoError):
        return RemoteError("access denied", retryable=False)
    if isinstance(exc, WinRMTransportError):
        return _transport_error(exc.code)
    if isinstance(exc, WSManFaultError):
        return _fault_error(exc.code)
    if isinstance(exc, InvalidRunspacePoolStateError | InvalidPipelineStateError):
        return RemoteError("remote session broken", retryable=True)
    if isinstance(exc, OSError):
        return RemoteError("server unreachable", retryable=True)
    return RemoteError("remoting failed", retryable=True)


def _transport_error(status: int) -> RemoteError:
    if status in (401, 403):
        return RemoteError("access denied", retryable=False)
    if status >= 500:
        return RemoteError(f"WinRM service error (HTTP {status})", retryable=True)
    return RemoteError(f"WinRM refused the request (HTTP {status})", retryable=False)


def _fault_error(code: Any) -> RemoteError:
    if code in _ACCESS_DENIED_FAULTS:
        return RemoteError("access denied", retryable=False)
    if code == _OPERATION_TIMEOUT_FAULT:
        return RemoteError("server did not answer in time", retryable=True)
    if isinstance(code, int):
        return RemoteError(f"WinRM fault 0x{code:08X}", retryable=True)
    return RemoteError("WinRM fault", retryable=True)
