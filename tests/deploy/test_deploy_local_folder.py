"""The whole flow from the terminal against a local folder server, as the demo
runs it: `batchops chat` previews, `batchops plans click` confirms, the
files and the task land in the folder."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.deploy.demo import DEMO_ARTIFACT
from bot.deploy.schedule_words import read_schedule
from bot.store import Batch, Client, Server
from integrations.windows.task_xml import NS, decode_task_xml, triggers_from_xml
from tests.deploy.support import ARCHIVE, BATCH

DATA = Path(__file__).parents[1] / "data" / "tasks"
Batchops = Callable[..., str]


@pytest.fixture
def batchops(settings, store, clock, monkeypatch, tmp_path: Path, repository: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BATCHOPS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("BATCHOPS_ARTIFACTS_DIR", str(repository))
    monkeypatch.setenv("BATCHOPS_LANG", "en")
    for name in ("ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_BOT_JID"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, expect: int = 0) -> str:
        result = CliRunner().invoke(
            main, list(args), obj={"clock": clock}, catch_exceptions=False
        )
        assert result.exit_code == expect, result.output
        return result.output

    return run


@pytest.fixture
def server(batchops: Batchops, tmp_path: Path) -> Path:
    root = tmp_path / "SRV-LOCAL"
    root.mkdir()
    batchops("servers", "add", "SRV-LOCAL", "--folder", str(root))
    batchops("servers", "environments", "SRV-LOCAL", "RecetteInterne", "RecetteClient")
    batchops("clients", "set", "Mutuelle Horizon", "--domain", "mutuelle-horizon.fr")
    batchops("users", "grant", "alice", "admin")
    batchops("users", "grant", "olga", "operator")
    return root


def test_it_deploys_disables_and_enables_from_the_terminal(
    batchops: Batchops, server: Path, store
) -> None:
    preview = batchops(
        "chat",
        "--as",
        "alice",
        f"/deploy {BATCH} to RecetteInterne {ARCHIVE} monthly 1,15,last 03:00 "
        'client="Mutuelle Horizon" category=import',
    )
    assert f"== Deploy {BATCH} to RecetteInterne?" in preview
    assert "[Confirm]  [Cancel]" in preview
    assert "pending" in batchops("plans", "list")

    shown = batchops("plans", "click", "confirm", "--as", "alice")

    assert shown.count("⏳") == 9
    assert f"== ✅ {BATCH} deployed to RecetteInterne" in shown
    assert shown.rstrip().endswith(": done")
    folder = server / "D" / "Batchs" / BATCH
    assert (folder / f"{BATCH}.exe").read_bytes() == b"MZ program"
    assert (folder / "lib" / "Contrats.Core.dll").is_file()
    assert (server / "D" / "Logs" / BATCH).is_dir()
    assert (
        b'"D:\\Batchs\\ImportContrats\\ImportContrats.exe"'
        in (folder / f"{BATCH}.bat").read_bytes()
    )

    batchops("chat", "--as", "olga", f"/disable {BATCH} quarterly closing")
    assert "disabled" in batchops("plans", "click", "confirm", "--as", "olga")
    task = server / "Tasks" / "Batchs" / f"{BATCH}.xml"
    assert "<Enabled>false</Enabled>" in decode_task_xml(task.read_bytes())
    assert "already disabled" in batchops("chat", "--as", "olga", f"/disable {BATCH}")

    batchops("chat", "--as", "olga", f"/enable {BATCH}")
    batchops("plans", "click", "confirm", "--as", "olga")
    with store.session() as session:
        batch = session.scalars(select(Batch)).one()
        assert (batch.state, batch.task_path) == ("ready", None)
        assert batch.schedule == "every month on day 1, 15, last at 03:00"


def test_it_writes_the_task_as_windows_exports_it(
    batchops: Batchops, server: Path, clock, settings
) -> None:
    batchops(
        "chat",
        "--as",
        "alice",
        f"/deploy {BATCH} to RecetteInterne {ARCHIVE} monthly 1,15,last 03:00 "
        'client="Mutuelle Horizon"',
    )
    batchops("plans", "click", "confirm", "--as", "alice")

    made = (server / "Tasks" / "Batchs" / f"{BATCH}.xml").read_bytes()
    export = (DATA / "export-monthly-purge.utf16le.xml").read_bytes()
    for data in (made, export):
        assert data[:2] == b"\xff\xfe"
        assert (
            data[2:]
            .decode("utf-16-le")
            .startswith(
                '<?xml version="1.0" encoding="UTF-16"?>\r\n<Task version="1.2" '
            )
        )
        assert b"\n\x00" not in data.replace(b"\r\x00\n\x00", b"")
    made_root, export_root = (
        ET.fromstring(decode_task_xml(data).split("?>", 1)[1])
        for data in (made, export)
    )
    assert made_root.tag == export_root.tag == f"{{{NS}}}Task"
    assert [child.tag for child in made_root] == [child.tag for child in export_root]
    assert made_root.find(f"{{{NS}}}Actions/{{{NS}}}Exec/{{{NS}}}Command") is not None

    (trigger,) = triggers_from_xml(decode_task_xml(made))
    today = clock.now().astimezone(settings.zone).date()
    expected, _ = read_schedule(["monthly", "1,15,last", "03:00"], today)
    assert trigger == expected
    assert trigger.days_of_month == ("1", "15", "Last")
    (exported,) = triggers_from_xml(decode_task_xml(export))
    assert (exported.kind, exported.months) == (trigger.kind, trigger.months)


def test_it_deploys_on_the_demo_servers(batchops: Batchops, monkeypatch, store) -> None:
    monkeypatch.delenv("BATCHOPS_ARTIFACTS_DIR")
    batchops("demo", "--once")
    batchops("users", "grant", "alice", "admin")

    preview = batchops(
        "chat",
        "--as",
        "alice",
        f"/deploy ImportContrats to RecetteInterne {DEMO_ARTIFACT} daily 02:30 "
        'client="Mutuelle Horizon" category=import',
    )
    assert "[DEMO-ORDO-01]" in preview
    assert "for the domain mutuelle-horizon.fr" in preview
    assert ": done" in batchops("plans", "click", "confirm", "--as", "alice")
    with store.session() as session:
        server = session.scalars(
            select(Server).where(Server.name == "DEMO-ORDO-02")
        ).one()
        assert server.environments == ["Production"]
        assert (
            session.scalars(
                select(Client.domain).where(Client.name == "Mutuelle Horizon")
            ).one()
            == "mutuelle-horizon.fr"
        )
        deployed = session.scalars(
            select(Batch).where(Batch.name == "ImportContrats")
        ).one()
        assert deployed.server.name == "DEMO-ORDO-01"


def test_it_presses_no_button_when_zoom_is_configured(
    batchops: Batchops, server: Path, monkeypatch
) -> None:
    for name, value in {
        "ZOOM_CLIENT_ID": "id",
        "ZOOM_CLIENT_SECRET": "secret",
        "ZOOM_BOT_JID": "bot@xmpp.zoom.us",
        "ZOOM_ACCOUNT_ID": "acct",
        "ZOOM_SECRET_TOKEN": "token",
        "BATCHOPS_SECRET_KEY": "0123456789abcdef0123",
    }.items():
        monkeypatch.setenv(name, value)

    said = batchops("plans", "click", "confirm", "--as", "alice", expect=1)

    assert "click the buttons of the card in Zoom" in said


def test_it_lists_plans_and_shows_those_past_their_time_as_expired(
    batchops: Batchops, server: Path, clock
) -> None:
    deploy = f"/deploy {BATCH} to RecetteInterne {ARCHIVE} daily 02:30"
    batchops("chat", "--as", "alice", f'{deploy} client="Mutuelle Horizon"')
    batchops("plans", "click", "confirm", "--as", "alice")
    batchops("chat", "--as", "alice", deploy)
    clock.advance(timedelta(minutes=16))

    listed = batchops("plans", "list").splitlines()
    clicked = batchops("plans", "click", "confirm", "--as", "alice")

    assert [line.split("\t")[1:6] for line in listed] == [
        ["deploy", BATCH, "SRV-LOCAL", "expired", "alice"]
    ]
    assert "This plan expired at 2026-12-04 10:45:00 CET" in clicked
    assert clicked.rstrip().endswith(": pending")
    statuses = {
        line.split("\t")[4] for line in batchops("plans", "list", "--all").splitlines()
    }
    assert statuses == {"done", "expired"}
