from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from integrations.windows.task_xml import (
    NS,
    TaskDefinition,
    TaskTrigger,
    build_task_xml,
    decode_task_xml,
    parse_task_xml,
    triggers_from_xml,
)
from integrations.windows.tasks import (
    list_scheduled_tasks,
    parse_task_list,
    register_task,
    set_task_enabled,
)
from tests.fakes.windows import FakeWindowsSession

DATA = Path(__file__).parent / "data" / "tasks"


def _fixture(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_it_reads_a_hand_captured_ps51_task_list():
    envoi, import_ = parse_task_list(_fixture("get-scheduledtask-ps51-capture.json"))

    assert envoi.full_name == "\\Batches\\ACME-Envoi-Mails"
    assert envoi.state == "Ready"
    assert envoi.actions[0].execute == "D:\\Batches\\ACME\\Envoi\\Acme.Envoi.exe"
    assert envoi.last_run == datetime(2025, 4, 8, 19, 0, 1, tzinfo=UTC)
    assert envoi.last_result.code == 0x80070002
    assert envoi.next_run == datetime(2025, 4, 8, 19, 15, tzinfo=UTC)
    assert import_.state == "Disabled"
    assert import_.missed_runs == 2


def test_it_reads_unwrapped_one_item_lists_and_bitmask_days():
    envoi = parse_task_list(_fixture("get-scheduledtask-ps51-capture.json"))[0]

    (trigger,) = envoi.triggers
    assert trigger.kind == "weekly"
    assert trigger.days_of_week == (
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
    )
    assert trigger.repetition_interval == "PT15M"
    assert trigger.start == datetime(2025, 3, 3, 6, 30)


def test_it_reports_a_task_that_never_ran_as_never_run():
    import_ = parse_task_list(_fixture("get-scheduledtask-ps51-capture.json"))[1]

    assert import_.last_run is None
    assert import_.last_result.kind == "never_run"
    assert import_.next_run is None
    assert import_.actions[0].arguments.endswith('Import-Adherents.ps1"')
    assert import_.triggers[0].kind == "daily"
    assert import_.triggers[0].start.utcoffset() == timedelta(hours=1)


def test_it_reads_monthly_triggers_from_the_task_xml():
    purge, export = parse_task_list(_fixture("list-tasks-script-output.json"))

    (trigger,) = purge.triggers
    assert trigger.kind == "monthly"
    assert trigger.days_of_month == ("Last",)
    assert len(trigger.months) == 12
    assert export.state == "Running"
    assert export.last_result.kind == "running"
    assert export.triggers[0].days_interval == 1


def test_it_takes_a_single_task_printed_without_its_list():
    record = {"TaskName": "Solo", "TaskPath": "\\", "State": "Ready"}

    (task,) = parse_task_list(record)

    assert task.name == "Solo"
    assert task.last_result is None


def test_it_reads_a_utf16_export_with_a_last_monday_trigger():
    text = decode_task_xml((DATA / "monthly-last-monday.utf16le.xml").read_bytes())

    quarterly, boot = triggers_from_xml(text)

    assert quarterly.kind == "monthly_dow"
    assert quarterly.weeks == ("Last",)
    assert quarterly.days_of_week == ("Monday",)
    assert quarterly.months == ("March", "June", "September", "December")
    assert quarterly.repetition_duration == "PT2H"
    assert boot.kind == "boot"
    assert not boot.enabled


def test_it_reads_xml_that_declares_utf16_over_8_bit_bytes():
    text = decode_task_xml((DATA / "declared-utf16-over-utf8.xml").read_bytes())

    daily, once = triggers_from_xml(text)

    assert daily.days_interval == 2
    assert once.kind == "once"
    assert once.start == datetime(2025, 6, 1, 12, tzinfo=timezone(timedelta(hours=2)))


def test_it_builds_monthly_task_xml_that_reads_back_the_same():
    trigger = TaskTrigger(
        kind="monthly",
        start=datetime(2025, 5, 1, 22, 0),
        days_of_month=("1", "15", "Last"),
        months=("May", "January"),
    )
    definition = TaskDefinition(command="D:\\Batches\\Purge\\run.bat", trigger=trigger)

    (read_back,) = triggers_from_xml(build_task_xml(definition))

    assert read_back.kind == "monthly"
    assert read_back.days_of_month == ("1", "15", "Last")
    assert read_back.months == ("January", "May")
    assert read_back.start == trigger.start


def test_it_escapes_arguments_in_task_xml():
    trigger = TaskTrigger(kind="daily", start=datetime(2025, 5, 1, 6, 0))
    definition = TaskDefinition(
        command="run.bat", arguments='--client "A&B" <x>', trigger=trigger
    )

    task = parse_task_xml(build_task_xml(definition))

    arguments = task.find(f"{{{NS}}}Actions/{{{NS}}}Exec/{{{NS}}}Arguments")
    assert arguments.text == '--client "A&B" <x>'


def test_it_refuses_a_weekly_trigger_without_days():
    trigger = TaskTrigger(kind="weekly", start=datetime(2025, 5, 1, 6, 0))

    with pytest.raises(ValueError, match="DaysOfWeek"):
        build_task_xml(TaskDefinition(command="run.bat", trigger=trigger))


def test_it_lists_acts_on_and_registers_tasks_through_the_session():
    session = FakeWindowsSession(
        "SRV-BATCH-01",
        {
            "list_tasks": _fixture("list-tasks-script-output.json"),
            "disable_task": '{"name":"ACME-Purge-RGPD","state":1}',
            "register_task_xml": lambda params: {"state": "Ready"},
        },
    )
    trigger = TaskTrigger(kind="daily", start=datetime(2025, 5, 1, 6, 0))

    tasks = list_scheduled_tasks(session, "\\Batches\\")
    state = set_task_enabled(session, "\\Batches\\", "ACME-Purge-RGPD", False)
    registered = register_task(
        session, "\\Batches\\", "New", TaskDefinition("run.bat", trigger)
    )

    assert [task.name for task in tasks] == ["ACME-Purge-RGPD", "ACME-Export-Sinistres"]
    assert state == "Disabled"
    assert registered == "Ready"
    assert session.scripts_called() == [
        "list_tasks",
        "disable_task",
        "register_task_xml",
    ]
    assert "<ScheduleByDay>" in session.calls[2].params["Xml"]


def test_it_unwraps_a_list_that_ps51_printed_as_value_and_count():
    document = {
        "value": [{"TaskName": "A", "State": 3}, {"TaskName": "B", "State": 4}],
        "Count": 2,
    }

    tasks = parse_task_list(document)

    assert [(task.name, task.state) for task in tasks] == [
        ("A", "Ready"),
        ("B", "Running"),
    ]
