"""The pypsrp adapter, with pypsrp's classes replaced at their boundary."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import requests
from pypsrp.complex_objects import PSInvocationState, RunspacePoolState
from pypsrp.exceptions import AuthenticationError, WinRMTransportError, WSManFaultError

from bot.clock import FrozenClock
from integrations.session import ReadRequest, RemoteError
from integrations.windows import open_winrm_session, password_env_name, remoting
from integrations.windows.remoting import WinRMSession

SHELL_NOT_FOUND = 0x8033805B
PASSWORD = "S3cret-pass!"


class ErrorRecord:
    def __init__(self, message):
        self.message = message

    def __str__(self):
        return self.message


class Streams:
    def __init__(self):
        self.error = []
        self.warning = []


class Answer:
    """How the fake server handles one pipeline."""

    def __init__(self, output=(), errors=(), failed=False, hangs=False, begin=None):
        self.output = list(output)
        self.errors = [ErrorRecord(m) for m in errors]
        self.failed = failed
        self.hangs = hangs
        self.begin = begin


class FakeServer:
    def __init__(self, clock):
        self.clock = clock
        self.answers = []
        self.open_errors = []
        self.connections = []
        self.pools = []
        self.shells = []

    def wsman(self, host, **kwargs):
        self.connections.append((host, kwargs))
        return ("wsman", host)

    def pool(self, connection, **kwargs):
        pool = FakePool(self, kwargs)
        self.pools.append(pool)
        return pool

    def shell(self, pool):
        shell = FakeShell(self, pool)
        self.shells.append(shell)
        return shell


class FakePool:
    def __init__(self, server, kwargs):
        self.server = server
        self.kwargs = kwargs
        self.state = RunspacePoolState.BEFORE_OPEN

    def open(self):
        if self.server.open_errors:
            raise self.server.open_errors.pop(0)
        self.state = RunspacePoolState.OPENED

    def close(self):
        self.state = RunspacePoolState.CLOSED


class FakeShell:
    def __init__(self, server, pool):
        self.server = server
        self.pool = pool
        self.state = PSInvocationState.NOT_STARTED
        self.had_errors = False
        self.streams = Streams()
        self.output = []
        self.scripts = []
        self.params = {}
        self.poll_timeouts = []
        self.stopped = False

    def add_script(self, text):
        self.scripts.append(text)
        return self

    def add_parameters(self, params):
        self.params.update(params)
        return self

    def begin_invoke(self):
        self.answer = self.server.answers.pop(0)
        if self.answer.begin is not None:
            raise self.answer.begin
        self.state = PSInvocationState.RUNNING

    def poll_invoke(self, timeout=None):
        self.poll_timeouts.append(timeout)
        if self.answer.hangs:
            self.server.clock.advance(timedelta(seconds=timeout))
            return
        self.output = self.answer.output
        self.streams.error = self.answer.errors
        self.had_errors = self.answer.failed
        failed = PSInvocationState.FAILED
        self.state = failed if self.answer.failed else PSInvocationState.COMPLETED

    def stop(self):
        self.stopped = True
        self.state = PSInvocationState.STOPPED


@pytest.fixture
def clock():
    return FrozenClock(datetime(2025, 3, 30, 0, 30, tzinfo=UTC))


@pytest.fixture
def server(monkeypatch, clock):
    fake = FakeServer(clock)
    monkeypatch.setattr(remoting, "WSMan", fake.wsman)
    monkeypatch.setattr(remoting, "RunspacePool", fake.pool)
    monkeypatch.setattr(remoting, "PowerShell", fake.shell)
    return fake


@pytest.fixture
def session(server, clock):
    return WinRMSession(
        "SRV-BATCH-01",
        "127.0.0.1",
        username="EXPLOIT\\svc-batchops",
        password=PASSWORD,
        auth="ntlm",
        clock=clock,
    )


def test_it_runs_scripts_with_parameters_in_one_kept_pool(server, session):
    server.answers = [Answer(['{"tasks":', "[]}"]), Answer(['{"tasks":[]}'])]

    first = session.run_script("list_tasks", {"TaskPath": "\\Batches\\", "X": None})
    session.run_script("list_tasks", {"TaskPath": "\\Batches\\"})

    assert first.data == {"tasks": []}
    assert len(server.pools) == 1
    assert server.shells[0].params == {"TaskPath": "\\Batches\\"}
    assert "$ErrorActionPreference = 'Stop'" in server.shells[0].scripts[0]


def test_it_connects_over_https_with_certificate_validation_by_default(server, session):
    server.answers = [Answer(['{"tasks":[]}'])]

    session.run_script("list_tasks", {"TaskPath": "\\"})

    host, settings = server.connections[0]
    assert host == "127.0.0.1"
    assert settings["port"] == 5986
    assert settings["ssl"] is True
    assert settings["cert_validation"] is True
    assert settings["auth"] == "ntlm"


def test_it_stops_a_script_past_its_time_limit(server, session, clock):
    server.answers = [Answer(hangs=True)]
    started = clock.now()

    with pytest.raises(RemoteError) as caught:
        session.run_script("list_tasks", {"TaskPath": "\\"})

    assert caught.value.reason == "script timed out after 30 s"
    assert caught.value.retryable
    assert server.shells[0].stopped
    assert clock.now() - started == timedelta(seconds=30)
    assert max(server.shells[0].poll_timeouts) <= remoting.POLL_S


def test_it_reopens_a_pool_the_server_dropped(server, session):
    dropped = WSManFaultError(SHELL_NOT_FOUND, "srv", "shell not found", "", "", "")
    server.answers = [
        Answer(['{"tasks":[]}']),
        Answer(begin=dropped),
        Answer(['{"tasks":[1]}']),
    ]
    session.run_script("list_tasks", {"TaskPath": "\\"})

    result = session.run_script("list_tasks", {"TaskPath": "\\"})

    assert result.data == {"tasks": [1]}
    assert len(server.pools) == 2
    assert server.pools[0].state == RunspacePoolState.CLOSED


def test_it_opens_a_new_pool_when_the_old_one_is_broken(server, session):
    server.answers = [Answer(['{"a":1}']), Answer(['{"a":2}'])]
    session.run_script("list_tasks", {"TaskPath": "\\"})
    server.pools[0].state = RunspacePoolState.BROKEN

    session.run_script("list_tasks", {"TaskPath": "\\"})

    assert len(server.pools) == 2


def test_it_fails_a_script_that_wrote_to_the_error_stream(server, session):
    message = "Get-ScheduledTask : Accès refusé.\nAu caractère Ligne:1"
    server.answers = [Answer(['{"tasks":[]}'], errors=[message])]

    with pytest.raises(RemoteError) as caught:
        session.run_script("list_tasks", {"TaskPath": "\\"})

    assert caught.value.reason == "script failed: Get-ScheduledTask : Accès refusé."
    assert not caught.value.retryable


def test_it_fails_a_script_that_had_errors(server, session):
    server.answers = [Answer(failed=True)]

    with pytest.raises(RemoteError, match="script failed"):
        session.run_script("list_tasks", {"TaskPath": "\\"})


def test_it_fails_a_script_that_printed_no_json(server, session):
    server.answers = [Answer(["Ready"])]

    with pytest.raises(RemoteError, match="script printed invalid JSON"):
        session.run_script("list_tasks", {"TaskPath": "\\"})


@pytest.mark.parametrize(
    ("exception", "reason", "retryable"),
    [
        (
            AuthenticationError("Failed to authenticate the user x"),
            "access denied",
            False,
        ),
        (WinRMTransportError("http", 401, ""), "access denied", False),
        (
            WSManFaultError(5, "srv", "Access is denied.", "", "", ""),
            "access denied",
            False,
        ),
        (requests.ConnectionError("refused"), "server unreachable", True),
        (requests.ConnectTimeout("timed out"), "server unreachable", True),
        (requests.ReadTimeout("slow"), "server did not answer in time", True),
        (
            requests.exceptions.SSLError("verify failed"),
            "TLS certificate rejected",
            False,
        ),
        (
            WinRMTransportError("http", 503, "busy"),
            "WinRM service error (HTTP 503)",
            True,
        ),
    ],
)
def test_it_turns_connection_failures_into_short_reasons(
    server, session, exception, reason, retryable
):
    server.open_errors = [exception]

    with pytest.raises(RemoteError) as caught:
        session.run_script("list_tasks", {"TaskPath": "\\"})

    assert (caught.value.reason, caught.value.retryable) == (reason, retryable)


def test_it_recovers_once_the_server_answers_again(server, session):
    server.open_errors = [requests.ConnectionError("refused")]
    server.answers = [Answer(['{"tasks":[]}'])]
    with pytest.raises(RemoteError):
        session.run_script("list_tasks", {"TaskPath": "\\"})

    assert session.run_script("list_tasks", {"TaskPath": "\\"}).data == {"tasks": []}


def test_it_logs_one_line_per_call_without_secrets_or_script(server, session, caplog):
    server.answers = [Answer(['{"tasks":[]}'])]
    server.open_errors = [AuthenticationError("Failed to authenticate")]
    caplog.set_level(logging.DEBUG, logger="integrations.windows")

    with pytest.raises(RemoteError):
        session.run_script("list_tasks", {"TaskPath": "\\"})
    session.run_script("list_tasks", {"TaskPath": "\\"})

    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert lines == [
        "winrm SRV-BATCH-01 list_tasks: access denied in 0.00 s",
        "winrm SRV-BATCH-01 list_tasks: ok in 0.00 s",
    ]
    assert PASSWORD not in caplog.text
    assert "ErrorActionPreference" not in caplog.text
    assert PASSWORD not in repr(session)


def test_it_reads_many_files_in_one_script_call(server, session):
    server.answers = [
        Answer(['{"results":{"path":"D:\\\\a.log","start":0,"data":"aGk=","size":2}}'])
    ]

    (result,) = session.read_files([ReadRequest("D:\\a.log"), ReadRequest("D:\\b.log")])

    assert result.data == b"hi"
    assert len(server.shells) == 1
    assert '"D:\\\\b.log"' in server.shells[0].params["RequestsJson"]


def test_it_refuses_certificate_auth_without_a_certificate():
    with pytest.raises(ValueError, match="certificate"):
        WinRMSession("SRV", "127.0.0.1", username="", auth="certificate")


def test_it_takes_the_password_from_the_server_variable(server, monkeypatch):
    monkeypatch.setenv("BATCHOPS_WINRM_PASSWORD_SRV_BATCH_01", PASSWORD)
    server.answers = [Answer(['{"tasks":[]}'])]

    session = open_winrm_session("srv-batch.01", "127.0.0.1", username="svc")
    session.run_script("list_tasks", {"TaskPath": "\\"})

    assert password_env_name("srv-batch.01") == "BATCHOPS_WINRM_PASSWORD_SRV_BATCH_01"
    assert server.connections[0][1]["password"] == PASSWORD


def test_it_names_the_missing_password_variable(monkeypatch):
    monkeypatch.delenv("BATCHOPS_WINRM_PASSWORD_SRV9", raising=False)

    with pytest.raises(ValueError, match="BATCHOPS_WINRM_PASSWORD_SRV9"):
        open_winrm_session("srv9", "127.0.0.1", username="svc", auth="ntlm")
