"""`batchops watch` and `batchops probes` as an operator types them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from bot.cli import main
from bot.store import Batch, Client, Probe, Server


@pytest.fixture
def cli(settings, store, monkeypatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BATCHOPS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("BATCHOPS_LANG", "en")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://batchops.example")
    for name in ("ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_BOT_JID"):
        monkeypatch.delenv(name, raising=False)
    with store.session() as session:
        one = Server(name="SRV-01", kind="local")
        acme = Client(name="ACME")
        session.add_all(
            [
                Batch(name="Import", server=one, client=acme),
                Batch(name="Export", server=one, client=acme),
                Batch(name="Export", server=Server(name="SRV-02", kind="local")),
            ]
        )

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run


def batch(store, name: str = "Import") -> Batch:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return session.scalars(select(Batch).where(Batch.name == name)).first()


def test_it_sets_a_cron_schedule_with_its_grace(cli, store) -> None:
    result = cli("watch", "set", "Import", "--cron", "30 2 * * *", "--grace", "45")

    assert result.exit_code == 0, result.output
    assert "SRV-01/Import\tcron 30 2 * * *\tgrace 45 min" in result.output
    saved = batch(store)
    assert (saved.expect_cron, saved.expect_grace_minutes) == ("30 2 * * *", 45)
    assert f"https://batchops.example/ping/{saved.ping_uuid}" in result.output


def test_it_keeps_what_is_not_given_and_follows_the_task_on_request(cli, store) -> None:
    cli("watch", "set", "Import", "--cron", "0 6 * * 1-5", "--timezone", "UTC")
    cli("watch", "set", "Import", "--max-run", "90")
    assert batch(store).expect_cron == "0 6 * * 1-5"
    assert batch(store).run_limit_minutes == 90

    result = cli("watch", "set", "Import", "--task")

    assert "heartbeats only" in result.output
    assert batch(store).expect_cron is None
    assert batch(store).expect_timezone == "UTC"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Import", "--cron", "30 2 * *"], "5 fields"),
        (["Import", "--cron", "30 2 * * *", "--timezone", "Mars/Olympus"], "zone"),
        (["Export", "--grace", "10"], "SRV-01/Export, SRV-02/Export"),
        (["Nope", "--grace", "10"], "no batch is called 'Nope'"),
    ],
)
def test_it_refuses_what_it_cannot_watch(cli, args, message) -> None:
    result = cli("watch", "set", *args)

    assert result.exit_code == 1
    assert message in result.output


def test_it_lists_every_batch_with_its_ping_url(cli) -> None:
    cli("watch", "set", "SRV-02/Export", "--cron", "@daily")

    lines = cli("watch", "list").output.splitlines()

    assert [line.split("\t")[0] for line in lines] == [
        "SRV-01/Export",
        "SRV-01/Import",
        "SRV-02/Export",
    ]
    assert "cron @daily" in lines[2]
    assert all("https://batchops.example/ping/" in line for line in lines)


def test_it_prints_the_ping_url_and_the_powershell_lines(cli, store) -> None:
    result = cli("watch", "ping", "Import")

    url = f"https://batchops.example/ping/{batch(store).ping_uuid}"
    assert result.output.startswith(url + "\n")
    assert f"$batchopsPing = '{url}'" in result.output


def test_it_adds_lists_and_removes_probes(cli, store) -> None:
    added = cli(
        "probes",
        "add",
        "acme-api",
        "http://127.0.0.1:9/health",
        "--client",
        "ACME",
        "--keyword",
        "OK",
        "--every",
        "120",
    )
    assert added.exit_code == 0, added.output
    with store.session() as session:
        probe = session.scalars(select(Probe)).one()
        owner = probe.client.name if probe.client else None
        assert (probe.interval_s, probe.keyword, owner) == (120, "OK", "ACME")

    listed = cli("probes", "list").output
    assert listed.startswith("acme-api\tACME\tGET http://127.0.0.1:9/health\t")

    assert cli("probes", "remove", "acme-api").exit_code == 0
    assert cli("probes", "list").output == ""
    assert cli("probes", "remove", "acme-api").exit_code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["p", "127.0.0.1/health"], "http(s)://"),
        (["p", "http://127.0.0.1/", "--every", "5"], "at least 30 s"),
        (["p", "http://127.0.0.1/", "--batch", "Nope"], "no batch"),
        (["p", "http://127.0.0.1/", "--client", "Nope"], "no client"),
        (
            ["p", "http://127.0.0.1/", "--batch", "Import", "--client", "ACME"],
            "not both",
        ),
    ],
)
def test_it_refuses_a_probe_it_could_not_run(cli, args, message) -> None:
    result = cli("probes", "add", *args)

    assert result.exit_code == 1
    assert message in result.output
