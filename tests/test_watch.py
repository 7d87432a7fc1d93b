"""Silent batches: a skipped run, a failed script and a hung run each give one
alert and one recovery notice, judged on the Paris wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import router
from bot.messenger import render_text
from bot.schedules import CronSchedule
from bot.store import Batch, BatchRun, Client, LogSource, OutboxMessage, Server
from bot.watch import (
    Evidence,
    Expectation,
    RunFacts,
    batches_named,
    check_batches,
    judge,
    set_expectation,
)
from integrations.zoom import validate_content
from jobs.watch import RUN_RETENTION, forget_older, run_watch_cycle
from tests.fakes.windows import FakeWindowsSession

PARIS = ZoneInfo("Europe/Paris")
NIGHTLY = [CronSchedule.parse("30 2 * * *", PARIS)]


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS)


def expect(
    schedules: Any = NIGHTLY, grace_minutes: int = 30, since: datetime | None = None
) -> Expectation:
    return Expectation(
        schedules=schedules,
        grace=timedelta(minutes=grace_minutes),
        run_limit=timedelta(hours=1),
        since=since,
    )


def ran_at(moment: datetime) -> Evidence:
    return Evidence(task_last_run_at=moment)


# The verdict alone, from what was expected and what was seen.


def test_it_waits_for_the_grace_before_calling_a_batch_silent() -> None:
    yesterday = ran_at(paris(2026, 12, 3, 2, 30))

    assert judge(expect(), yesterday, paris(2026, 12, 4, 2, 59)).state == "ok"
    verdict = judge(expect(), yesterday, paris(2026, 12, 4, 3, 1))
    assert verdict.state == "silent"
    assert verdict.about == paris(2026, 12, 4, 2, 30)
    assert verdict.deadline == paris(2026, 12, 4, 3, 0)


def test_it_takes_a_task_run_a_heartbeat_or_log_bytes_as_the_run() -> None:
    now = paris(2026, 12, 4, 9, 0)
    run = paris(2026, 12, 4, 2, 30, 4)

    assert judge(expect(), Evidence(task_last_run_at=run), now).state == "ok"
    assert judge(expect(), Evidence(last_ping_at=run), now).state == "ok"
    assert judge(expect(), Evidence(log_activity_at=run), now).state == "ok"
    assert judge(expect(), Evidence(), now).state == "silent"


def test_it_counts_a_run_started_a_little_early_by_the_servers_clock() -> None:
    now = paris(2026, 12, 4, 9, 0)

    early = ran_at(paris(2026, 12, 4, 2, 29, 57))
    long_before = ran_at(paris(2026, 12, 4, 1, 0))

    assert judge(expect(), early, now).state == "ok"
    assert judge(expect(), long_before, now).state == "silent"


def test_it_expects_the_spring_forward_run_from_0300_to_0330_plus_grace() -> None:
    # 2027-03-28 in Paris: 02:00 becomes 03:00; the 02:30 run is due then.
    quiet = ran_at(paris(2027, 3, 27, 2, 30))
    grace = expect(grace_minutes=15)

    assert judge(grace, quiet, paris(2027, 3, 28, 3, 44)).state == "ok"
    assert judge(grace, quiet, paris(2027, 3, 28, 3, 46)).state == "silent"
    at_three = ran_at(paris(2027, 3, 28, 3, 0, 5))
    assert judge(grace, at_three, paris(2027, 3, 28, 9, 0)).state == "ok"


def test_it_expects_one_autumn_run_for_the_repeated_0230() -> None:
    # 2026-10-25 in Paris: 03:00 summer time becomes 02:00 winter time.
    first_reading = datetime(2026, 10, 25, 0, 30, 2, tzinfo=UTC)
    after_both = datetime(2026, 10, 25, 2, 30, tzinfo=UTC)

    assert judge(expect(), ran_at(first_reading), after_both).state == "ok"
    before_second_grace = datetime(2026, 10, 25, 1, 59, tzinfo=UTC)
    nothing = ran_at(paris(2026, 10, 24, 2, 30))
    assert judge(expect(), nothing, before_second_grace).state == "ok"
    assert judge(expect(), nothing, after_both).state == "silent"


def test_it_checks_a_monthly_run_on_the_last_day_of_a_30_day_month() -> None:
    month_end = [CronSchedule.parse("0 22 L * *", PARIS)]
    october = ran_at(paris(2026, 10, 31, 22, 0))

    assert judge(expect(month_end), october, paris(2026, 11, 29, 23, 0)).state == "ok"
    verdict = judge(expect(month_end), october, paris(2026, 11, 30, 22, 31))
    assert verdict.state == "silent"
    assert verdict.about == paris(2026, 11, 30, 22, 0)


def test_it_does_not_check_runs_due_before_the_schedule_was_given() -> None:
    new = expect(since=paris(2026, 12, 4, 9, 0))

    assert judge(new, Evidence(), paris(2026, 12, 4, 10, 0)).state == "ok"
    assert judge(new, Evidence(), paris(2026, 12, 5, 3, 1)).state == "silent"


def test_it_tells_a_failed_run_and_a_run_past_its_limit() -> None:
    now = paris(2026, 12, 4, 9, 0)
    failed = RunFacts("failed", now - timedelta(minutes=5), now, 1, "HTTP 500")

    assert judge(expect([]), Evidence(last_finished=failed), now).state == "failed"
    hung = Evidence(running_since=now - timedelta(minutes=61))
    assert judge(expect([]), hung, now).state == "overdue"
    running = Evidence(running_since=now - timedelta(minutes=59))
    assert judge(expect([]), running, now).state == "ok"


def test_it_calls_silent_a_failed_batch_that_then_skips_its_run() -> None:
    failed_at = paris(2026, 12, 3, 2, 31)
    failed = Evidence(
        last_ping_at=failed_at,
        last_finished=RunFacts("failed", failed_at, failed_at, 1, None),
    )

    assert judge(expect(), failed, paris(2026, 12, 3, 9, 0)).state == "failed"
    assert judge(expect(), failed, paris(2026, 12, 4, 3, 1)).state == "silent"


# The watch job on a real store, cards in the outbox.


@pytest.fixture
def nightly(runtime):  # type: ignore[no-untyped-def]
    """A batch due every night at 02:30, watched since the day before."""
    with runtime.store.session() as session:
        server = Server(name="SRV-01", kind="local", root="/tmp")
        client = Client(name="ACME")
        batch = Batch(
            name="ACME-Import",
            server=server,
            client=client,
            expect_cron="30 2 * * *",
            expect_timezone="Europe/Paris",
            expect_grace_minutes=30,
            expect_since=paris(2026, 12, 1),
        )
        session.add(batch)
        session.flush()
        session.add(LogSource(batch_id=batch.id, path="import.log"))
    return runtime


def cards_sent(runtime) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row.content for row in rows]


def titles(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    return [content["head"]["text"] for content in cards_sent(runtime)]


def batch_row(runtime, name: str = "ACME-Import") -> Batch:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        [batch] = batches_named(session, name)
        return batch


def log_grew(runtime, when: datetime) -> None:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        source = session.scalars(select(LogSource)).one()
        source.last_activity_at = when


def test_it_posts_one_alert_and_one_recovery_for_a_skipped_run(nightly) -> None:
    nightly.clock.set(paris(2026, 12, 4, 3, 1))
    log_grew(nightly, paris(2026, 12, 3, 2, 31))

    for _ in range(3):
        run_watch_cycle(nightly)
        nightly.clock.advance(timedelta(minutes=1))

    assert titles(nightly) == ["Pas d'activité : ACME-Import"]
    assert batch_row(nightly).watch_state == "silent"

    log_grew(nightly, nightly.clock.now())
    run_watch_cycle(nightly)
    run_watch_cycle(nightly)

    assert titles(nightly) == [
        "Pas d'activité : ACME-Import",
        "Activité revenue : ACME-Import",
    ]
    alert = render_text(cards_sent(nightly)[0])
    assert "04/12/2026 02:30:00 CET" in alert
    assert "03/12/2026 02:31:00 CET" in alert
    assert all(validate_content(card) == [] for card in cards_sent(nightly))


def test_it_stays_with_one_alert_while_the_batch_skips_night_after_night(
    nightly,
) -> None:
    nightly.clock.set(paris(2026, 12, 4, 3, 1))
    run_watch_cycle(nightly)
    nightly.clock.set(paris(2026, 12, 5, 3, 1))
    run_watch_cycle(nightly)

    assert titles(nightly) == ["Pas d'activité : ACME-Import"]


def test_it_sends_the_alert_to_the_clients_channel(nightly) -> None:
    with nightly.store.session() as session:
        session.scalars(select(Client)).one().channel_jid = "acme@conference"
    nightly.clock.set(paris(2026, 12, 4, 3, 1))

    run_watch_cycle(nightly)

    with nightly.store.session() as session:
        assert session.scalars(select(OutboxMessage.to_jid)).all() == [
            "acme@conference"
        ]


def test_it_retries_a_card_that_could_not_be_sent(nightly, monkeypatch) -> None:
    nightly.clock.set(paris(2026, 12, 4, 3, 1))
    sent = nightly.messenger.send

    def refuse(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("Zoom answered 503")

    monkeypatch.setattr(nightly.messenger, "send", refuse)
    assert check_batches(nightly).cards == 0
    assert batch_row(nightly).watch_state == "ok"

    monkeypatch.setattr(nightly.messenger, "send", sent)
    assert check_batches(nightly).cards == 1
    assert titles(nightly) == ["Pas d'activité : ACME-Import"]


def test_it_leaves_alone_batches_that_are_disabled_or_on_a_server_down(
    nightly,
) -> None:
    nightly.clock.set(paris(2026, 12, 4, 3, 1))
    with nightly.store.session() as session:
        session.scalars(select(Server)).one().reachable = False

    assert check_batches(nightly).watched == 0

    with nightly.store.session() as session:
        session.scalars(select(Server)).one().reachable = True
        session.scalars(select(Batch)).one().state = "disabled"
    assert check_batches(nightly).watched == 0
    assert titles(nightly) == []


def test_it_forgets_a_silence_when_the_schedule_changes(nightly) -> None:
    nightly.clock.set(paris(2026, 12, 4, 3, 1))
    run_watch_cycle(nightly)

    with nightly.store.session() as session:
        [batch] = batches_named(session, "ACME-Import")
        set_expectation(
            batch,
            nightly.clock.now(),
            cron="0 6 * * *",
            timezone="Europe/Paris",
            grace_minutes=None,
            run_limit_minutes=None,
        )
    run_watch_cycle(nightly)

    assert titles(nightly) == ["Pas d'activité : ACME-Import"]
    assert batch_row(nightly).watch_state == "ok"


def test_it_forgets_heartbeat_runs_after_ninety_days(nightly) -> None:
    now = nightly.clock.now()
    batch_id = batch_row(nightly).id
    with nightly.store.session() as session:
        for age in (RUN_RETENTION + timedelta(days=1), timedelta(days=1)):
            session.add(
                BatchRun(batch_id=batch_id, outcome="success", last_ping_at=now - age)
            )

    assert forget_older(nightly, BatchRun.last_ping_at, RUN_RETENTION) == 1


# Windows batches: the task's triggers say when, its last run time says if.


TASK_RAN = {
    "name": "ACME-Export",
    "path": "\\Batches\\",
    "state": "Ready",
    "actions": [],
    "triggers": [
        {
            "kind": "daily",
            "enabled": True,
            "start": "2026-01-01T02:30:00",
            "days_interval": 1,
        }
    ],
    "last_task_result": 0,
    "next_run_time": "2026-12-05T01:30:00Z",
    "number_of_missed_runs": 0,
}


@pytest.fixture
def windows(runtime):  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        server = Server(
            name="SRV-WIN-01", kind="winrm", host="127.0.0.1", task_folder="\\Batches\\"
        )
        session.add(Batch(name="ACME-Export", server=server))
    last_run = {"value": "2026-12-03T01:30:04Z", "state": "Ready"}
    fake = FakeWindowsSession(
        "SRV-WIN-01",
        {
            "list_tasks": lambda params: {
                "tasks": [
                    {
                        **TASK_RAN,
                        "last_run_time": last_run["value"],
                        "state": last_run["state"],
                    }
                ]
            }
        },
    )
    runtime.open_session = lambda server: fake
    return runtime, fake, last_run


def test_it_reads_the_task_again_before_calling_a_windows_batch_silent(
    windows,
) -> None:
    runtime, fake, last_run = windows
    runtime.clock.set(paris(2026, 12, 3, 12, 0))
    check_batches(runtime)  # first read: the triggers, watched from now on
    assert fake.scripts_called() == []

    from bot.tasks import refresh_tasks

    with runtime.store.session() as session:
        server_id = session.scalars(select(Server.id)).one()
    refresh_tasks(runtime, [server_id])
    last_run["value"] = "2026-12-04T01:30:02Z"
    runtime.clock.set(paris(2026, 12, 4, 3, 5))

    check_batches(runtime)

    assert fake.scripts_called() == ["list_tasks", "list_tasks"]
    assert titles(runtime) == []


def test_it_calls_a_windows_batch_silent_when_its_task_did_not_run(
    windows,
) -> None:
    runtime, fake, _ = windows
    from bot.tasks import refresh_tasks

    runtime.clock.set(paris(2026, 12, 3, 12, 0))
    with runtime.store.session() as session:
        server_id = session.scalars(select(Server.id)).one()
    refresh_tasks(runtime, [server_id])
    runtime.clock.set(paris(2026, 12, 4, 3, 5))

    check_batches(runtime)
    check_batches(runtime)

    assert titles(runtime) == ["Pas d'activité : ACME-Export"]
    assert fake.scripts_called() == ["list_tasks", "list_tasks"]


def test_it_says_nothing_of_a_task_found_disabled_on_the_second_read(
    windows,
) -> None:
    runtime, fake, last_run = windows
    from bot.tasks import refresh_tasks

    runtime.clock.set(paris(2026, 12, 3, 12, 0))
    with runtime.store.session() as session:
        server_id = session.scalars(select(Server.id)).one()
    refresh_tasks(runtime, [server_id])
    last_run["state"] = "Disabled"
    runtime.clock.set(paris(2026, 12, 4, 3, 5))

    report = check_batches(runtime)

    assert (report.watched, titles(runtime)) == (0, [])


# Chat: the expected runs of every batch.


def ask(runtime, text: str) -> str:  # type: ignore[no-untyped-def]
    request = router.Request(text=text, user_id="u", user_name="u", to_jid="t")
    return render_text(router.dispatch(runtime, request))


def test_it_lists_expected_runs_and_states_in_chat(nightly) -> None:
    nightly.clock.set(paris(2026, 12, 4, 3, 1))
    run_watch_cycle(nightly)

    reply = ask(nightly, "/batch watch")

    assert "ACME-Import" in reply
    assert "silencieux" in reply
    assert "cron 30 2 * * * (Europe/Paris), grâce 30 min" in reply
    assert "prochaine : 05/12/2026 02:30:00 CET" in reply
    assert "Aucun batch" in ask(nightly, "/batch watch OTHER")


# Every card of the watch, in both languages, as Zoom accepts it.


def every_watch_card(lang: str) -> list[dict[str, Any]]:
    from bot.cards import watch as cards
    from bot.watch import WatchRow

    facts = cards.BatchFacts("ACME-Import", "ACME", "SRV-01")
    when = paris(2026, 12, 4, 2, 30)
    probe = cards.ProbeFacts("acme-api", "https://127.0.0.1/health", "ACME")
    check = cards.ProbeCheck(when, False, None, 5000, "timed out after 5 s")
    row = WatchRow(
        facts, "30 2 * * * (Europe/Paris)", 0, timedelta(minutes=30), when, when,
        "silent", None,
    )  # fmt: skip
    return [
        cards.silent_card(lang, PARIS, facts, when, timedelta(minutes=30), None),
        cards.failed_card(lang, PARIS, facts, when, None, None),
        cards.failed_card(lang, PARIS, facts, when, 2, "x" * 500 + "\n" * 40),
        cards.overdue_card(lang, PARIS, facts, when, timedelta(hours=1)),
        *[
            cards.recovered_card(lang, PARIS, facts, problem, when, when)
            for problem in ("silent", "failed", "overdue")
        ],
        cards.ping_card(lang, "ACME-Import", "https://batchops.example/ping/x"),
        cards.watch_list_card(lang, PARIS, [row], None),
        cards.watch_list_card(lang, PARIS, [], "ACME"),
        cards.probe_result_card(lang, PARIS, probe, check, [check]),
        cards.probe_result_card(lang, PARIS, probe, check, []),
        cards.probe_down_card(lang, probe, 3, None),
        cards.probe_up_card(lang, PARIS, probe, when),
    ]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_it_builds_every_watch_card_as_zoom_accepts_it(lang: str) -> None:
    built = every_watch_card(lang)

    assert [validate_content(card) for card in built] == [[]] * len(built)


def test_it_cuts_a_long_output_to_its_last_lines() -> None:
    from bot.cards.watch import OUTPUT_LINES, output_tail

    shown = output_tail("\n".join(f"line {n} " + "x" * 300 for n in range(40)))

    lines = shown.split("\n")
    assert len(lines) == OUTPUT_LINES
    assert lines[-1].startswith("line 39 ")
    assert all(len(line) <= 200 for line in lines)
