"""The Monday post: on time across daylight-saving changes, once, late if missed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.config import ConfigError, Settings
from bot.runtime import build_runtime
from bot.store import OutboxMessage, ReportPost
from integrations.zoom import validate_content
from jobs import reports
from jobs.scheduler import job_specs, next_runs
from tests.reports_data import event_at, seed_inventory, store_events

PARIS = ZoneInfo("Europe/Paris")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def posted(store) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    with store.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row.content for row in rows]


def post_rows(store) -> list[ReportPost]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return list(session.scalars(select(ReportPost).order_by(ReportPost.id)))


@pytest.mark.parametrize(
    ("after", "fires_at"),
    [
        # Spring forward on Sunday 29 March 2026: 08:00 CET, then 08:00 CEST.
        (utc(2026, 3, 20, 12, 0), utc(2026, 3, 23, 7, 0)),
        (utc(2026, 3, 27, 12, 0), utc(2026, 3, 30, 6, 0)),
        # Fall back on Sunday 25 October 2026: 08:00 CEST, then 08:00 CET.
        (utc(2026, 10, 16, 12, 0), utc(2026, 10, 19, 6, 0)),
        (utc(2026, 10, 23, 12, 0), utc(2026, 10, 26, 7, 0)),
    ],
)
def test_it_schedules_the_weekly_post_for_monday_8_am_paris_time(
    after: datetime, fires_at: datetime
) -> None:
    trigger = reports.weekly_trigger(PARIS)

    fire = trigger.get_next_fire_time(None, after.astimezone(PARIS))

    assert fire == fires_at
    assert fire.astimezone(PARIS).strftime("%a %H:%M") == "Mon 08:00"
    assert reports.latest_due(reports.WEEKLY, fires_at, PARIS).due_at == fires_at


@pytest.fixture
def week(runtime, store):  # type: ignore[no-untyped-def]
    """Errors in the week of the spring change, Monday 23 to Sunday 29 March."""
    runtime.clock.set(utc(2026, 3, 30, 5, 0))
    inventory = seed_inventory(store, runtime.clock.now())
    moments = [
        utc(2026, 3, 22, 22, 30),  # Sunday 22, 23:30 CET: the week before
        utc(2026, 3, 22, 23, 30),  # Monday 23, 00:30 CET
        utc(2026, 3, 25, 9, 0),
        utc(2026, 3, 29, 21, 30),  # Sunday 29, 23:30 CEST
        utc(2026, 3, 29, 22, 30),  # Monday 30, 00:30 CEST: next week
    ]
    store_events(
        store,
        inventory,
        [event_at("ExportPrestations", moment) for moment in moments],
        runtime.clock.now(),
    )
    return runtime


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (utc(2026, 3, 30, 6, 0), utc(2026, 3, 30, 6, 0)),
        (utc(2026, 3, 23, 7, 0), utc(2026, 3, 23, 7, 0)),
        (utc(2026, 10, 26, 7, 0), utc(2026, 10, 26, 7, 0)),
    ],
)
def test_it_posts_the_past_week_on_monday_at_8_on_both_sides_of_a_change(
    week, now: datetime, due: datetime
) -> None:
    week.clock.set(now - timedelta(minutes=1))
    assert reports.post_due_reports(week) == 0

    week.clock.set(now)
    assert reports.post_due_reports(week) == 1

    [card] = posted(week.store)
    assert validate_content(card) == []
    assert "en retard" not in str(card)
    [row] = post_rows(week.store)
    assert (row.due_at, row.sent_at, row.late) == (due, now, False)
    assert row.to_jid == week.alert_channel


def test_it_charts_the_seven_local_days_of_the_week_by_category(week) -> None:
    week.clock.set(utc(2026, 3, 30, 6, 0))

    reports.post_due_reports(week)

    [card] = posted(week.store)
    assert card["head"]["text"] == ("Erreurs de la semaine du lun. 23/03 au dim. 29/03")
    totals = {f["key"]: f["value"] for f in card["body"][0]["items"]}
    assert totals["Erreurs"] == "3"
    [chart] = [item for item in card["body"] if item["type"] == "attachments"]
    assert chart["information"]["description"]["text"] == (
        "Erreurs par jour et par catégorie, heure locale (Europe/Paris)"
    )
    batches = next(i for i in card["body"][3:] if i["type"] == "fields")["items"]
    assert [(b["key"], b["value"]) for b in batches] == [
        ("ExportPrestations (Mutuelle Horizon)", "3")
    ]


def test_it_posts_once_however_often_and_wherever_it_runs(week, settings) -> None:
    week.clock.set(utc(2026, 3, 30, 6, 0))
    other = build_runtime(settings, clock=week.clock)
    other.store.dispose()
    other.store = week.store
    other.messenger.store = week.store  # type: ignore[attr-defined]

    outcomes: list[int] = []
    runners = [
        threading.Thread(
            target=lambda r=r: outcomes.append(reports.post_due_reports(r))
        )
        for r in (week, other, week, other)
    ]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    week.clock.advance(timedelta(hours=3))
    outcomes.append(reports.post_due_reports(week))

    assert sorted(outcomes) == [0, 0, 0, 0, 1]
    assert len(posted(week.store)) == 1
    other.worker.shutdown()


def test_it_sends_a_post_missed_while_down_when_it_comes_back_marked_late(
    week,
) -> None:
    week.clock.set(utc(2026, 3, 31, 14, 5))  # Tuesday 16:05 in Paris

    assert reports.post_due_reports(week) == 1

    [card] = posted(week.store)
    assert card["body"][0]["text"] == (
        "Envoyé en retard : ce rapport était prévu le lun. 30/03/2026 08:00."
    )
    assert card["head"]["text"].startswith("Erreurs de la semaine du lun. 23/03")
    [row] = post_rows(week.store)
    assert row.late is True


def test_it_skips_a_post_missed_so_long_ago_the_next_one_is_near(week) -> None:
    week.clock.set(utc(2026, 4, 3, 8, 0))  # Friday: last Monday's is stale

    assert reports.post_due_reports(week) == 0
    assert posted(week.store) == []


def test_it_tries_again_after_a_failed_send_and_keeps_the_reason(week) -> None:
    week.clock.set(utc(2026, 3, 30, 6, 0))
    real_send = week.messenger.send

    def refused(*args, **kwargs):  # type: ignore[no-untyped-def]
        from integrations.zoom import ZoomError

        raise ZoomError("Zoom refused the channel", retryable=False)

    week.messenger.send = refused
    assert reports.post_due_reports(week) == 0
    [row] = post_rows(week.store)
    assert (row.sent_at, row.last_error) == (None, "Zoom refused the channel")

    week.messenger.send = real_send
    week.clock.advance(timedelta(minutes=5))
    assert reports.post_due_reports(week) == 1
    [row] = post_rows(week.store)
    assert row.last_error is None and row.sent_at == week.clock.now()


def test_it_takes_over_a_claim_abandoned_by_an_instance_that_died(week) -> None:
    due = reports.latest_due(reports.WEEKLY, utc(2026, 3, 30, 6, 0), PARIS)
    with week.store.session() as session:
        session.add(
            ReportPost(
                kind=due.kind,
                period_key=due.period_key,
                due_at=due.due_at,
                claimed_at=due.due_at,
                claimed_by="instance-that-died",
            )
        )

    week.clock.set(due.due_at + timedelta(minutes=5))
    assert reports.post_due_reports(week) == 0

    week.clock.set(due.due_at + reports.CLAIM_EXPIRES + timedelta(minutes=1))
    assert reports.post_due_reports(week) == 1
    assert len(posted(week.store)) == 1


def test_it_posts_the_daily_report_only_when_switched_on(week, settings) -> None:
    week.clock.set(utc(2026, 3, 30, 6, 0))
    assert reports.post_due_reports(week) == 1
    assert reports.enabled_kinds(week.settings) == (reports.WEEKLY,)
    assert "daily_report" not in [spec.id for spec in job_specs(week)]

    week.settings = Settings.from_env(
        {"DATABASE_URL": settings.database_url, "BATCHOPS_DAILY_REPORT": "on"},
        var_dir=settings.var_dir,
    )
    assert reports.post_due_reports(week) == 1

    daily = posted(week.store)[-1]
    assert daily["head"]["text"] == (
        "Erreurs des 24 heures avant lun. 30/03/2026 08:00"
    )
    assert validate_content(daily) == []
    assert "daily_report" in [spec.id for spec in job_specs(week)]


def test_it_names_a_malformed_daily_report_switch(tmp_path) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"BATCHOPS_DAILY_REPORT": "yes"}, var_dir=tmp_path)

    assert str(error.value) == (
        "BATCHOPS_DAILY_REPORT is malformed: expected one of on, off"
    )


def test_it_lists_the_report_jobs_with_their_next_run_in_local_time(
    runtime,
) -> None:
    runtime.clock.set(utc(2026, 10, 23, 12, 0))

    runs = {spec.id: when for spec, when in next_runs(runtime)}

    assert runs["weekly_report"] == datetime(2026, 10, 26, 8, 0, tzinfo=PARIS)
    assert str(runs["weekly_report"].tzinfo) == "Europe/Paris"
    assert "report_catch_up" in runs


def test_it_prints_the_jobs_with_their_next_run(settings, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BATCHOPS_VAR_DIR", str(settings.var_dir))

    result = CliRunner().invoke(main, ["jobs", "list"], catch_exceptions=False)

    lines = {line.split("\t")[0]: line for line in result.output.splitlines()}
    assert set(lines) >= {"log_scan", "weekly_report", "report_catch_up"}
    assert " 08:00:00 " in lines["weekly_report"]


def test_it_runs_the_catch_up_as_soon_as_the_scheduler_starts(runtime) -> None:
    from jobs.scheduler import build_scheduler

    scheduler = build_scheduler(runtime)

    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert jobs["report_catch_up"].next_run_time == runtime.clock.now()
