"""API probes against a real HTTP server on 127.0.0.1: slow, 500, wrong
keyword, connection refused, TLS errors; one card when an API goes down after
several failures, one when it is back."""

from __future__ import annotations

import http.server
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import urllib3.exceptions
from sqlalchemy import select

from bot import router
from bot.cards.watch import ProbeCheck, latency_summary, sparkline
from bot.messenger import render_text
from bot.probes import (
    ProbeConfigError,
    ProbeSettings,
    add_probe,
    due_probes,
    probe_history,
)
from bot.store import Batch, Client, OutboxMessage, Probe, ProbeResult, Server
from integrations.probes import ProbeRequest, check_endpoint, probe_error
from integrations.zoom import validate_content
from jobs.probes import run_probe_cycle

cryptography = pytest.importorskip("cryptography")


class FakeApi(http.server.BaseHTTPRequestHandler):
    """A client's API: ``/health`` answers as ``server.answer`` says."""

    server: ApiServer

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path == "/slow":
            self.server.release.wait(timeout=10)
        if self.path == "/loop":
            self._reply(302, b"", {"Location": "/loop"})
            return
        status, body = self.server.answer
        self._reply(status, body, {})

    def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read results, not the server's log."""


class ApiServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    answer: tuple[int, bytes] = (200, b'{"status": "OK"}')
    release: threading.Event


def serve(context: ssl.SSLContext | None = None) -> Iterator[ApiServer]:
    server = ApiServer(("127.0.0.1", 0), FakeApi)
    server.release = threading.Event()
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def api() -> Iterator[ApiServer]:
    yield from serve()


@pytest.fixture
def tls_api(tmp_path: Path) -> Iterator[ApiServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed_certificate(tmp_path))
    yield from serve(context)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    # TLS checks validity against the real time, not the test's clock.
    today = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(today - timedelta(days=1))
        .not_valid_after(today + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def url(server: ApiServer, path: str = "/health", scheme: str = "http") -> str:
    host, port = server.server_address[:2]
    return f"{scheme}://{host!s}:{port}{path}"


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return int(probe_socket.getsockname()[1])


# One check: each way an API can fail, in a few words.


def test_it_passes_an_api_that_answers_as_expected(api: ApiServer) -> None:
    outcome = check_endpoint(ProbeRequest(url(api), keyword='"OK"'))

    assert (outcome.ok, outcome.status, outcome.error) == (True, 200, None)
    assert outcome.latency_ms >= 0


def test_it_fails_a_wrong_status(api: ApiServer) -> None:
    api.answer = (500, b"Internal Server Error")

    outcome = check_endpoint(ProbeRequest(url(api)))

    assert (outcome.ok, outcome.status) == (False, 500)
    assert outcome.error == "expected 200, got 500"


def test_it_fails_a_missing_keyword(api: ApiServer) -> None:
    api.answer = (200, b'{"status": "DEGRADED"}')

    outcome = check_endpoint(ProbeRequest(url(api), keyword="OK"))

    assert outcome.error == "keyword 'OK' missing"


def test_it_gives_up_on_a_slow_api_after_its_timeout(api: ApiServer) -> None:
    outcome = check_endpoint(ProbeRequest(url(api, "/slow"), timeout_s=0.3))

    assert outcome.error == "timed out after 0.3 s"
    assert outcome.status is None


def test_it_says_connection_refused_on_a_closed_port() -> None:
    outcome = check_endpoint(ProbeRequest(f"http://127.0.0.1:{free_port()}/"))

    assert outcome.error == "connection refused"


def test_it_rejects_a_self_signed_certificate(tls_api: ApiServer) -> None:
    outcome = check_endpoint(ProbeRequest(url(tls_api, scheme="https")))

    assert outcome.error == "TLS certificate rejected"


def test_it_says_tls_failed_when_the_server_speaks_plain_http(api: ApiServer) -> None:
    outcome = check_endpoint(ProbeRequest(url(api, scheme="https")))

    assert outcome.error == "TLS handshake failed"


def test_it_stops_following_a_redirect_loop(api: ApiServer) -> None:
    outcome = check_endpoint(ProbeRequest(url(api, "/loop")))

    assert outcome.error == "too many redirects"


def test_it_names_a_host_that_does_not_resolve_without_asking_dns() -> None:
    lookup = urllib3.exceptions.NameResolutionError(
        "api.client.example", None, socket.gaierror(-2, "Name or service not known")
    )
    wrapped = requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, "/", lookup)  # type: ignore[arg-type]
    )

    assert probe_error(wrapped, 5).reason == "host not found"
    assert probe_error(requests.exceptions.InvalidURL("x"), 5).reason == "invalid URL"
    assert probe_error(requests.exceptions.ReadTimeout(), 5).reason == (
        "timed out after 5 s"
    )
    assert probe_error(requests.exceptions.ConnectionError(), 5).reason == (
        "connection failed"
    )


# The probe job on a real store: down after N failures, one card each way.


@pytest.fixture
def probed(runtime, api):  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        batch = Batch(
            name="ACME-Sync-API",
            server=Server(name="SRV-01", kind="local"),
            client=Client(name="ACME", channel_jid="acme@conference"),
        )
        session.add(batch)
        add_probe(
            session,
            "acme-api",
            ProbeSettings(url(api), keyword="OK", timeout_s=2, failure_threshold=3),
            batch=batch,
        )
    return runtime


def titles(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row.content["head"]["text"] for row in rows]


def every_minute(runtime, times: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        run_probe_cycle(runtime)
        runtime.clock.advance(timedelta(minutes=1))


def test_it_posts_one_card_when_an_api_goes_down_and_one_when_it_is_back(
    probed, api
) -> None:
    api.answer = (500, b"")
    every_minute(probed, 2)
    assert titles(probed) == []

    every_minute(probed, 3)
    assert titles(probed) == ["API en panne : acme-api"]

    api.answer = (200, b"OK")
    every_minute(probed, 2)

    assert titles(probed) == ["API en panne : acme-api", "API rétablie : acme-api"]
    with probed.store.session() as session:
        sent = session.scalars(select(OutboxMessage)).all()
    assert {message.to_jid for message in sent} == {"acme@conference"}
    assert "expected 200, got 500" in render_text(sent[0].content)
    assert all(validate_content(message.content) == [] for message in sent)


def test_it_does_not_alert_on_one_blip(probed, api) -> None:
    api.answer = (503, b"")
    every_minute(probed, 1)
    api.answer = (200, b"OK")
    every_minute(probed, 1)
    api.answer = (503, b"")
    every_minute(probed, 2)

    assert titles(probed) == []


def test_it_checks_a_probe_again_only_once_its_interval_passed(probed) -> None:
    now = probed.clock.now()

    assert [plan.facts.name for plan in due_probes(probed, now)] == ["acme-api"]
    assert due_probes(probed, now + timedelta(seconds=30)) == []
    assert len(due_probes(probed, now + timedelta(seconds=58))) == 1


def test_it_checks_the_due_probes_of_a_cycle_in_parallel(runtime, api) -> None:
    with runtime.store.session() as session:
        for number in range(5):
            add_probe(
                session,
                f"slow-{number}",
                ProbeSettings(url(api, "/slow"), timeout_s=0.3),
            )

    cycle = run_probe_cycle(runtime)

    assert (cycle.checked, cycle.failed) == (5, 5)
    with runtime.store.session() as session:
        errors = session.scalars(select(ProbeResult.error)).all()
    assert errors == ["timed out after 0.3 s"] * 5


@pytest.mark.parametrize(
    ("wanted", "reason"),
    [
        (ProbeSettings("ftp://127.0.0.1/"), "http"),
        (ProbeSettings("http://127.0.0.1/", method="PATCH"), "method"),
        (ProbeSettings("http://127.0.0.1/", expected_status=700), "status"),
        (ProbeSettings("http://127.0.0.1/", timeout_s=0), "timeout"),
        (ProbeSettings("http://127.0.0.1/", interval_s=5), "interval"),
        (ProbeSettings("http://127.0.0.1/", failure_threshold=0), "failure"),
    ],
)
def test_it_refuses_a_probe_it_could_not_run(runtime, wanted, reason) -> None:
    with (
        runtime.store.session() as session,
        pytest.raises(ProbeConfigError, match=reason),
    ):
        add_probe(session, "bad", wanted)


# /batch probe NAME


def ask(runtime, line: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    request = router.Request(text=line, user_id="u", user_name="u", to_jid="t")
    return router.dispatch(runtime, request)


def test_it_checks_a_probe_now_and_shows_its_last_24_hours(probed) -> None:
    with probed.store.session() as session:
        probe_id = session.scalars(select(Probe.id)).one()
        for hours_ago, latency in ((30, 900), (3, 120), (2, 80)):
            session.add(
                ProbeResult(
                    probe_id=probe_id,
                    checked_at=probed.clock.now() - timedelta(hours=hours_ago),
                    ok=True,
                    status=200,
                    latency_ms=latency,
                )
            )

    reply = ask(probed, "/batch probe acme-api")

    shown = render_text(reply)
    assert reply["head"]["text"] == "Sonde acme-api : OK"
    assert "Latence sur 24 h (3 vérifications, 0 en échec)" in shown
    assert "max 120 ms" in shown
    assert validate_content(reply) == []
    with probed.store.session() as session:
        assert len(probe_history(session, probe_id, probed.clock.now())) == 1


def test_it_names_the_probes_there_are_when_one_is_unknown(probed) -> None:
    shown = render_text(ask(probed, "/batch probe nope"))

    assert "Aucune sonde ne s'appelle « nope ». Sondes : acme-api" in shown


def test_it_draws_an_hourly_sparkline_with_failures_marked() -> None:
    end = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    history = [
        ProbeCheck(end - timedelta(hours=3), True, 200, 100, None),
        ProbeCheck(end - timedelta(hours=2), True, 200, 800, None),
        ProbeCheck(end - timedelta(hours=1), False, None, 5000, "timed out after 5 s"),
        ProbeCheck(end, True, 200, 400, None),
    ]

    line = sparkline(history, end)

    assert len(line) == 24
    assert line == "·" * 20 + "▂█×▅"
    summary = latency_summary("en", history)
    assert "4 checks, 1 failed" in summary
    assert "min 100 ms — median 400 ms — max 800 ms" in summary
