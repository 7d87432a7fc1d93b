"""Chat commands the way a person types them, through `batchops chat`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import router
from bot.cli import main
from bot.store import Batch, Client, ErrorEvent, ErrorGroup, LogSource, Server


@pytest.fixture
def chat(settings, store, clock, monkeypatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BATCHOPS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("BATCHOPS_LANG", "en")
    for name in ("ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_BOT_JID"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> str:
        result = CliRunner().invoke(
            main, ["chat", *args], obj={"clock": clock}, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return result.output

    return run


def seed(store, clock) -> None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        one = Server(name="SRV-ORDO-01", kind="local", root="/tmp/none")
        two = Server(name="SRV-ORDO-02", kind="local", root="/tmp/none")
        horizon = Client(name="Horizon", project_manager_name="Claire Martin")
        export = Batch(
            name="ExportCompta", server=one, client=horizon, category="export"
        )
        purge = Batch(
            name="PurgeRGPD",
            server=two,
            client=horizon,
            category="purge",
            state="disabled",
        )
        source = LogSource(
            batch=export,
            path="Logs/export.log",
            last_scan_at=clock.now() - timedelta(minutes=3),
        )
        session.add_all([one, two, horizon, export, purge, source])
        session.flush()
        group = ErrorGroup(
            batch_id=export.id,
            fingerprint="f" * 40,
            level="ERROR",
            sample="boom",
            first_seen=clock.now(),
            last_seen=clock.now(),
        )
        session.add(group)
        for hours in (1, 5, 30):
            session.add(
                ErrorEvent(
                    log_source_id=source.id,
                    batch_id=export.id,
                    group=group,
                    occurred_at=clock.now() - timedelta(hours=hours),
                    read_at=clock.now(),
                    level="ERROR",
                    message="boom",
                    fingerprint="f" * 40,
                    path="Logs/export.log",
                    offset=hours,
                )
            )


@pytest.mark.parametrize(
    "typed",
    ["/batch status", "batch status", "status", "/status", "  /batch   status  "],
)
def test_it_accepts_every_way_of_typing_a_command(typed: str) -> None:
    assert router.split_command(typed) == ("status", [])


def test_it_keeps_the_arguments_of_a_command() -> None:
    assert router.split_command("/errors 24h") == ("errors", ["24h"])
    assert router.split_command('batch status "Mutuelle Horizon"') == (
        "status",
        ["Mutuelle Horizon"],
    )


def test_it_treats_an_empty_command_as_help() -> None:
    assert router.split_command("/batch") == ("help", [])


def test_it_lists_the_commands_for_help(chat) -> None:
    reply = chat("help")
    assert "/batch status" in reply
    assert "/batch help" in reply


def test_it_answers_an_unknown_word_with_a_did_you_mean(chat) -> None:
    reply = chat("/batch stauts")
    assert "Did you mean “status”?" in reply
    assert "Commands: " in reply


def test_it_shows_each_batch_with_its_errors_of_the_last_24_hours(
    chat, store, clock
) -> None:
    seed(store, clock)
    reply = chat("/batch status")
    export_line = next(line for line in reply.splitlines() if "ExportCompta" in line)
    assert "errors 24 h: 2" in export_line
    assert "SRV-ORDO-01" in export_line and "Horizon" in export_line
    purge_line = next(line for line in reply.splitlines() if "PurgeRGPD" in line)
    assert "disabled" in purge_line and "last scan: never" in purge_line


@pytest.mark.parametrize("name", ["srv-ordo-02", "PurgeRGPD"])
def test_it_filters_status_by_server_or_batch(chat, store, clock, name) -> None:
    seed(store, clock)
    reply = chat(f"status {name}")
    assert "PurgeRGPD" in reply
    assert "ExportCompta" not in reply


def test_it_says_so_when_nothing_matches_the_filter(chat, store, clock) -> None:
    seed(store, clock)
    assert "No batch matches “nope”." in chat("status nope")


def test_it_prints_the_zoom_card_with_json(chat) -> None:
    content = json.loads(chat("help", "--json"))
    assert content["head"]["text"] == "batchops commands"
    assert content["body"][0]["type"] == "message"


def test_it_answers_in_french_by_default(chat, monkeypatch) -> None:
    monkeypatch.setenv("BATCHOPS_LANG", "fr")
    assert "Commandes batchops" in chat("help")


def test_it_dates_the_last_error_when_none_came_in_24_hours(chat, store, clock) -> None:
    seed(store, clock)
    clock.advance(timedelta(days=3))
    export_line = next(
        line for line in chat("status").splitlines() if "ExportCompta" in line
    )
    assert "errors 24 h: 0 (last: 2026-12-04 09:30:00 CET)" in export_line


def test_it_answers_help_on_an_unknown_command_with_a_did_you_mean(chat) -> None:
    reply = chat("help stauts")
    assert "I don't know “stauts”." in reply
    assert "Did you mean “status”?" in reply


def test_it_refuses_a_command_pasted_with_a_whole_text(chat) -> None:
    reply = chat("status " + "A" * 5000)
    assert "Command too long (over 1000 characters)" in reply
    assert "AAAA" not in reply
