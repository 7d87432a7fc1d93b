"""Expected runs: cron and Task Scheduler triggers on the Paris wall clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.schedules import (
    CronSchedule,
    DueRun,
    ScheduleError,
    last_due,
    next_due,
    parse_duration,
    previous_due,
    runs_on,
    schedule_from_trigger,
    trigger_from_record,
    trigger_record,
    trigger_schedules,
)
from integrations.windows.task_xml import (
    TaskTrigger,
    decode_task_xml,
    triggers_from_xml,
)

PARIS = ZoneInfo("Europe/Paris")
TASKS = Path(__file__).parent / "data" / "tasks"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS)


def cron(expression: str) -> CronSchedule:
    return CronSchedule.parse(expression, PARIS)


def trigger(kind: str, start: datetime, **fields: object) -> TaskTrigger:
    return TaskTrigger(kind=kind, start=start, **fields)  # type: ignore[arg-type]


def test_it_expects_the_skipped_spring_run_between_0300_and_0330() -> None:
    # 2027-03-28: Paris jumps from 02:00 to 03:00; 02:30 does not exist.
    [run] = runs_on(cron("30 2 * * *"), date(2027, 3, 28))

    assert run.earliest == paris(2027, 3, 28, 3, 0)
    assert run.at == paris(2027, 3, 28, 3, 30)


def test_it_expects_one_run_for_the_repeated_autumn_0230() -> None:
    # 2026-10-25: Paris goes back from 03:00 to 02:00; 02:30 happens twice.
    [run] = runs_on(cron("30 2 * * *"), date(2026, 10, 25))

    assert run.earliest == utc(2026, 10, 25, 0, 30)
    assert run.at == utc(2026, 10, 25, 1, 30)


def test_it_judges_the_autumn_run_from_its_second_reading() -> None:
    schedule = [cron("30 2 * * *")]
    between = utc(2026, 10, 25, 1, 0)

    assert last_due(schedule, between) == runs_on(schedule[0], date(2026, 10, 24))[0]
    assert next_due(schedule, between) == DueRun(
        at=utc(2026, 10, 25, 1, 30), earliest=utc(2026, 10, 25, 0, 30)
    )


def test_it_counts_the_hours_of_the_changeover_days() -> None:
    hourly = cron("30 * * * *")

    assert len(runs_on(hourly, date(2026, 10, 25))) == 24
    assert len(runs_on(hourly, date(2027, 3, 28))) == 23
    assert len(runs_on(hourly, date(2026, 10, 26))) == 24


def test_it_keeps_the_local_time_on_either_side_of_a_changeover() -> None:
    schedule = [cron("30 2 * * *")]

    before = last_due(schedule, utc(2026, 10, 24, 12, 0))
    after = last_due(schedule, utc(2026, 10, 26, 12, 0))

    assert before is not None and before.at == paris(2026, 10, 24, 2, 30)
    assert after is not None and after.at == paris(2026, 10, 26, 2, 30)
    assert after.at - before.at == timedelta(hours=49)


def test_it_finds_the_last_and_next_run_around_now() -> None:
    schedule = [cron("0 6 * * 1-5")]
    friday_evening = paris(2026, 12, 4, 18, 0)

    assert last_due(schedule, friday_evening).at == paris(2026, 12, 4, 6, 0)  # type: ignore[union-attr]
    assert next_due(schedule, friday_evening).at == paris(2026, 12, 7, 6, 0)  # type: ignore[union-attr]


def test_it_finds_the_run_before_another() -> None:
    schedule = [cron("*/15 * * * *")]
    run = last_due(schedule, paris(2026, 12, 4, 10, 7))

    assert run is not None and run.at == paris(2026, 12, 4, 10, 0)
    assert previous_due(schedule, run).at == paris(2026, 12, 4, 9, 45)  # type: ignore[union-attr]


def test_it_runs_on_the_last_day_of_each_month() -> None:
    schedule = [cron("0 22 L * *")]

    february = next_due(schedule, paris(2027, 2, 1))
    april = next_due(schedule, paris(2026, 4, 1))

    assert february is not None and february.at == paris(2027, 2, 28, 22, 0)
    assert april is not None and april.at == paris(2026, 4, 30, 22, 0)


def test_it_skips_a_month_without_the_day_asked_for() -> None:
    schedule = [cron("0 6 31 * *")]

    found = next_due(schedule, paris(2026, 11, 1))

    assert found is not None and found.at == paris(2026, 12, 31, 6, 0)


def test_it_matches_either_the_day_or_the_weekday_when_both_are_given() -> None:
    schedule = cron("0 9 1 * mon")

    assert schedule.times_on(date(2026, 12, 1)) == [time(9, 0)]  # a Tuesday, the 1st
    assert schedule.times_on(date(2026, 12, 7)) == [time(9, 0)]  # a Monday
    assert schedule.times_on(date(2026, 12, 8)) == []


def test_it_reads_names_steps_ranges_and_macros() -> None:
    assert cron("0 8 * jan-mar sun").times_on(date(2027, 2, 7)) == [time(8, 0)]
    assert cron("0 8 * * 7").times_on(date(2027, 2, 7)) == [time(8, 0)]
    assert cron("*/20 9-10 * * *").times_on(date(2027, 2, 7)) == [
        time(9, 0),
        time(9, 20),
        time(9, 40),
        time(10, 0),
        time(10, 20),
        time(10, 40),
    ]
    assert cron("@daily").times_on(date(2027, 2, 7)) == [time(0, 0)]


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("* * *", "5 fields"),
        ("61 * * * *", "out of range"),
        ("0 2 0 * *", "out of range"),
        ("x 2 * * *", "not a number"),
        ("*/0 * * * *", "out of range"),
        ("0 5-2 * * *", "out of range"),
    ],
)
def test_it_refuses_a_malformed_cron_expression(expression: str, reason: str) -> None:
    with pytest.raises(ScheduleError, match=reason):
        cron(expression)


def test_it_follows_a_daily_trigger_every_other_day_from_its_start() -> None:
    every_other = schedule_from_trigger(
        trigger("daily", datetime(2026, 12, 1, 2, 30), days_interval=2), PARIS
    )
    assert every_other is not None

    assert every_other.times_on(date(2026, 12, 3)) == [time(2, 30)]
    assert every_other.times_on(date(2026, 12, 4)) == []
    assert every_other.times_on(date(2026, 11, 29)) == []


def test_it_follows_a_weekly_trigger_every_other_week() -> None:
    # 2026-11-30 is a Monday; its week starts on Sunday 2026-11-29.
    fortnightly = schedule_from_trigger(
        trigger(
            "weekly",
            datetime(2026, 11, 30, 6, 0),
            weeks_interval=2,
            days_of_week=("Monday", "Thursday"),
        ),
        PARIS,
    )
    assert fortnightly is not None

    assert fortnightly.times_on(date(2026, 12, 3)) == [time(6, 0)]
    assert fortnightly.times_on(date(2026, 12, 7)) == []
    assert fortnightly.times_on(date(2026, 12, 14)) == [time(6, 0)]


def test_it_follows_monthly_triggers_on_day_31_and_on_the_last_day() -> None:
    start = datetime(2026, 1, 1, 23, 0)
    day_31 = schedule_from_trigger(
        trigger("monthly", start, days_of_month=("31",)), PARIS
    )
    last = schedule_from_trigger(
        trigger("monthly", start, days_of_month=("Last",)), PARIS
    )
    assert day_31 is not None and last is not None

    after_october = paris(2026, 11, 1)
    assert next_due([day_31], after_october).at == paris(2026, 12, 31, 23, 0)  # type: ignore[union-attr]
    assert next_due([last], after_october).at == paris(2026, 11, 30, 23, 0)  # type: ignore[union-attr]


def test_it_follows_the_last_monday_trigger_of_a_real_task_with_its_repetition() -> (
    None
):
    text = decode_task_xml((TASKS / "monthly-last-monday.utf16le.xml").read_bytes())
    schedules = trigger_schedules(
        [trigger_record(t) for t in triggers_from_xml(text)], PARIS
    )

    # Last Monday of June 2026 is the 29th; every 30 minutes for two hours.
    assert len(schedules) == 1
    assert schedules[0].times_on(date(2026, 6, 29)) == [
        time(7, 0),
        time(7, 30),
        time(8, 0),
        time(8, 30),
    ]
    assert schedules[0].times_on(date(2026, 6, 22)) == []
    assert schedules[0].times_on(date(2026, 7, 27)) == []
    found = next_due(schedules, paris(2026, 7, 1))
    assert found is not None and found.at == paris(2026, 9, 28, 7, 0)


def test_it_repeats_a_one_time_trigger_without_end_for_ever() -> None:
    every_15 = schedule_from_trigger(
        trigger("once", datetime(2026, 1, 5, 8, 5), repetition_interval="PT15M"),
        PARIS,
    )
    assert every_15 is not None

    found = last_due([every_15], paris(2026, 12, 4, 10, 0))

    assert found is not None and found.at == paris(2026, 12, 4, 9, 50)


def test_it_carries_a_repetition_over_midnight() -> None:
    night = schedule_from_trigger(
        trigger(
            "daily",
            datetime(2026, 12, 1, 23, 0),
            repetition_interval="PT1H",
            repetition_duration="PT3H",
        ),
        PARIS,
    )
    assert night is not None

    assert night.times_on(date(2026, 12, 2)) == [time(0, 0), time(1, 0), time(23, 0)]
    assert night.times_on(date(2026, 12, 1)) == [time(23, 0)]


def test_it_reads_a_start_with_an_offset_on_that_fixed_offset() -> None:
    synchronised = schedule_from_trigger(
        trigger(
            "daily", datetime(2026, 1, 5, 2, 30, tzinfo=timezone(timedelta(hours=1)))
        ),
        PARIS,
    )
    assert synchronised is not None

    [summer] = runs_on(synchronised, date(2026, 7, 1))

    assert summer.at == utc(2026, 7, 1, 1, 30)


def test_it_leaves_out_boot_disabled_and_startless_triggers() -> None:
    assert schedule_from_trigger(TaskTrigger(kind="boot"), PARIS) is None
    assert (
        schedule_from_trigger(
            trigger("daily", datetime(2026, 1, 1), enabled=False), PARIS
        )
        is None
    )
    assert schedule_from_trigger(TaskTrigger(kind="daily"), PARIS) is None


def test_it_keeps_a_trigger_as_json_and_reads_it_back() -> None:
    original = trigger(
        "monthly_dow",
        datetime(2025, 3, 31, 7, 0),
        weeks=("Last",),
        days_of_week=("Monday",),
        months=("March", "June"),
        repetition_interval="PT30M",
    )

    assert trigger_from_record(trigger_record(original)) == original


def test_it_reads_task_scheduler_durations() -> None:
    assert parse_duration("PT15M") == timedelta(minutes=15)
    assert parse_duration("P1DT2H") == timedelta(days=1, hours=2)
    assert parse_duration(None) is None
    with pytest.raises(ScheduleError):
        parse_duration("P1M")
