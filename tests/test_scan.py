"""The log scan on the demo's real logs: entries in, cards out, nothing twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.demo import seed_demo
from bot.store import Batch, ErrorEvent, ErrorGroup, LogSource, OutboxMessage, Server
from integrations.session import RemoteError
from jobs.log_scan import run_scan_cycle

EXPECTED_ENTRIES = {
    # Error entries counted by hand in each demo log (see bot/demo_data).
    "ImportAdherents": 1,
    "ExportPrestations": 10,
    "EnvoiNotifications": 5,
    "PurgeRGPD": 4,
    "SyncReferentiel": 13,
}


def cards_sent(runtime) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    with runtime.store.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row.content for row in rows]


def card_fields(content: dict) -> dict[str, str]:  # type: ignore[type-arg]
    [fields] = [item for item in content["body"] if item["type"] == "fields"]
    return {field["key"]: field["value"] for field in fields["items"]}


def entries_per_batch(runtime) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        rows = session.execute(
            select(Batch.name, func.count(ErrorEvent.id))
            .join(ErrorEvent, ErrorEvent.batch_id == Batch.id)
            .group_by(Batch.name)
        )
        return dict(rows.all())


@pytest.fixture
def demo(runtime):  # type: ignore[no-untyped-def]
    seed_demo(runtime)
    return runtime


def test_it_finds_every_error_entry_of_the_demo_logs(demo) -> None:
    report = run_scan_cycle(demo)

    assert entries_per_batch(demo) == EXPECTED_ENTRIES
    assert report.entries == sum(EXPECTED_ENTRIES.values())


def test_it_keeps_multi_line_exceptions_in_one_entry(demo) -> None:
    run_scan_cycle(demo)

    with demo.store.session() as session:
        messages = session.scalars(
            select(ErrorEvent.message)
            .join(Batch, ErrorEvent.batch_id == Batch.id)
            .where(Batch.name == "EnvoiNotifications")
        ).all()
    assert all("\n   at " in message for message in messages)
    assert all(
        message.split("\n", 1)[0].startswith("FATAL")
        or message.split("\n", 1)[0].startswith("ERROR")
        for message in messages
    )


def test_it_posts_one_card_per_error_group_naming_batch_and_client(demo) -> None:
    report = run_scan_cycle(demo)

    sent = cards_sent(demo)
    with demo.store.session() as session:
        groups = session.scalar(select(func.count(ErrorGroup.id)))
    assert report.alerts_sent == len(sent) == groups
    purge = [card_fields(c) for c in sent if "PurgeRGPD" in c["head"]["text"]]
    assert purge
    for fields in purge:
        assert fields["Client"] == "Assurances du Littoral"
        assert fields["Serveur"] == "DEMO-ORDO-02"


def test_it_posts_nothing_when_no_byte_was_added(demo) -> None:
    run_scan_cycle(demo)
    before = len(cards_sent(demo))
    demo.clock.advance(timedelta(hours=2))

    report = run_scan_cycle(demo)

    assert report.entries == 0
    assert report.alerts_sent == 0
    assert len(cards_sent(demo)) == before


def demo_log(runtime, server: str, relative: str) -> Path:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        root = session.scalar(select(Server.root).where(Server.name == server))
    return Path(root) / relative


def test_it_alerts_on_bytes_appended_after_the_last_scan(demo) -> None:
    run_scan_cycle(demo)
    before = len(cards_sent(demo))
    log = demo_log(demo, "DEMO-ORDO-02", "Logs/PurgeRGPD/purge.log")
    with log.open("ab") as handle:
        handle.write(
            b"ERROR 2017-03-09 10:00:00,000 [7    ] Purge.Runner - "
            b"Timeout expired purging table Adherents\n"
            b"System.TimeoutException: Timeout expired\n"
            b"   at Purge.Runner.Run()\n"
            b"INFO  2017-03-09 10:00:01,000 [7    ] Purge.Runner - done\n"
        )

    report = run_scan_cycle(demo)

    assert report.entries == 1
    assert len(cards_sent(demo)) == before + 1
    assert "Timeout expired" in str(cards_sent(demo)[-1])


def test_it_sends_one_unreachable_card_and_one_back_card(demo) -> None:
    real_open = demo.open_session

    def unreachable(server: Server):  # type: ignore[no-untyped-def]
        if server.name == "DEMO-ORDO-01":
            raise RemoteError("server unreachable", retryable=True)
        return real_open(server)

    demo.open_session = unreachable
    run_scan_cycle(demo)
    run_scan_cycle(demo)
    demo.open_session = real_open
    run_scan_cycle(demo)

    titles = [c["head"]["text"] for c in cards_sent(demo)]
    assert titles.count("Serveur injoignable : DEMO-ORDO-01") == 1
    assert titles.count("Serveur de retour : DEMO-ORDO-01") == 1
    assert entries_per_batch(demo)["ExportPrestations"] == 10


def test_it_does_not_commit_bytes_another_scanner_committed_first(
    demo, monkeypatch
) -> None:
    from jobs import log_scan

    real_apply = log_scan.logengine.apply_reads

    def apply_while_another_scanner_commits(spec, state, results, now):  # type: ignore[no-untyped-def]
        with demo.store.session() as session:
            for source in session.scalars(select(LogSource)):
                source.version += 1
        return real_apply(spec, state, results, now)

    monkeypatch.setattr(
        log_scan.logengine, "apply_reads", apply_while_another_scanner_commits
    )
    run_scan_cycle(demo)
    assert entries_per_batch(demo) == {}

    monkeypatch.setattr(log_scan.logengine, "apply_reads", real_apply)
    run_scan_cycle(demo)
    assert entries_per_batch(demo) == EXPECTED_ENTRIES
