"""The engine against real logs: every error entry, and nothing else."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.test_logengine_helpers import DATA, first_lines, read_file

OPEN_CORPUS = {
    # Counts from the open corpus's README (74 error entries in all).
    "serilog-json-windows-service-analogy-logserver.log": 13,
    "log4net-abp-background-job-retries.log": 1,
    "log4net-abp-cp1254-turkish-fatal-startup.log": 5,
    "log4net-abp-redis-dns-fatal-utf8bom.log": 2,
    "log4net-abp-startup-fatal-loop-net8.log": 5,
    "log4net-abp-disposed-dbcontext-errors.log": 4,
    "exchange-setup-failed-mount-database.log": 10,
    "exchange-setup-msi-error-1612.log": 9,
    "exchange-healthchecker-report-utf16le-crlf.log": 2,
    "skydrive-error-log-czech-utf8-crlf.log": 13,
    "powershell-transcript-german-terminatingerror.txt": 1,
    "gdrive-sync-windows-python-tracebacks-crlf.log": 9,
}

OTHER_SAMPLES = {
    # Bare .NET traces are unhandled exceptions: one error each.
    "gcp-detect-exceptions-csharp-async-trace.log": 1,
    "gcp-detect-exceptions-csharp-mono-trace.log": 1,
    "gcp-detect-exceptions-csharp-nested-trace.log": 1,
    "lnav-crlf.log": 0,
    "lnav-dst-fallback-syslog.log": 0,
    "lnav-invalid-utf8-mixed-eol.log": 0,
    "lnav-syslog-french-month.log": 0,
    "lnav-time-only-midnight-rollover.log": 0,
    "lnav-w3c-httpapi.log": 0,
    # "fatal task error" messages in an event log export without levels.
    "lnav-windows-events-export-csv.csv": 3,
    # The first level word of a line is its level: ERROR, FATAL, fatal.
    "tailviewer-different-levels.txt": 3,
    "tailviewer-log4net-3entries-bom.log": 0,
    "tailviewer-log4net-live1.log": 0,
    "tailviewer-log4net-utf16be-bom.log": 0,
    "tailviewer-log4net-utf16le-bom.log": 0,
    "tailviewer-multiline-log1.log": 0,
    "tailviewer-multiline-log2-ddMMyyyy.log": 0,
    "tailviewer-serilog-offset-0430.log": 2,
    "tailviewer-utf8-bom.log": 0,
    "tailviewer-windows1252.txt": 0,
}


@pytest.mark.parametrize(("name", "count"), OPEN_CORPUS.items())
def test_it_finds_every_error_entry_of_the_open_corpus(name: str, count: int) -> None:
    assert len(read_file(DATA / "open" / name)) == count


def test_it_finds_the_74_error_entries_of_the_open_corpus_in_all() -> None:
    total = sum(len(read_file(DATA / "open" / name)) for name in OPEN_CORPUS)
    assert total == 74


@pytest.mark.parametrize(("name", "count"), OTHER_SAMPLES.items())
def test_it_finds_what_a_careful_reader_marks(name: str, count: int) -> None:
    assert len(read_file(DATA / "corpus" / name)) == count


def test_it_keeps_a_log4net_trace_with_its_entry() -> None:
    entries = read_file(DATA / "open" / "log4net-abp-disposed-dbcontext-errors.log")

    first = entries[0].message.split("\n")
    assert first[0].startswith("ERROR 2017-08-01 14:23:12,555")
    assert "Object name: 'PhoneBookDbContext'." in first
    assert any(line.startswith("--- End of stack trace") for line in first)
    assert len({entry.fingerprint for entry in entries}) == 1


def test_it_does_not_report_warnings_that_carry_exceptions() -> None:
    entries = read_file(DATA / "open" / "log4net-abp-background-job-retries.log")

    assert first_lines(entries) == [
        "ERROR 2016-01-22 16:43:30,666 [15   ] lers.Filters.AbpExceptionFilterAttribute"
        " - System.Exception: random test exception"
    ]


def test_it_groups_a_repeated_serilog_failure_into_one_fingerprint() -> None:
    entries = read_file(
        DATA / "open" / "serilog-json-windows-service-analogy-logserver.log"
    )

    counts = Counter(entry.fingerprint for entry in entries)
    assert sorted(counts.values()) == [1, 1, 1, 10]
    assert {entry.level for entry in entries} == {"ERROR", "FATAL"}


def test_it_reads_exchange_setup_errors_but_not_their_reference_line() -> None:
    entries = read_file(DATA / "open" / "exchange-setup-failed-mount-database.log")

    assert all("[ERROR]" in line for line in first_lines(entries))
    script = next(e for e in entries if "$error.Clear();" in e.first_line)
    assert "mount-database $dismbx.Database;" in script.message


def test_it_takes_the_echoed_terminating_error_as_one_entry() -> None:
    entries = read_file(
        DATA / "open" / "powershell-transcript-german-terminatingerror.txt"
    )

    assert [entry.message for entry in entries] == [
        'PS C:\\Users\\User> TerminatingError(): "Die Pipeline wurde beendet."\n'
        '>> TerminatingError(): "Die Pipeline wurde beendet."'
    ]


def test_it_finds_keyword_errors_in_a_utf16_report() -> None:
    entries = read_file(
        DATA / "open" / "exchange-healthchecker-report-utf16le-crlf.log"
    )

    assert first_lines(entries) == [
        "\tError: System is set to automatically manage the pagefile size."
        " This is not recommended.",
        "\tPower Plan: Balanced --- Error: High Performance Power Plan is recommended",
    ]


def test_it_reads_legacy_code_page_bytes_without_stopping() -> None:
    entries = read_file(DATA / "open" / "log4net-abp-cp1254-turkish-fatal-startup.log")

    assert [entry.level for entry in entries] == ["FATAL"] * 5
    assert len({entry.fingerprint for entry in entries}) == 2


def test_it_counts_an_error_that_ends_with_exception_data_once() -> None:
    entries = read_file(DATA / "own" / "nlog-batch-exception-data.log")

    assert len(entries) == 2
    assert entries[0].message.split("\n")[-3:] == [
        "    Severity: FATAL",
        "    SqlState: 28P01",
        '    MessageText: password authentication failed for user "batch"',
    ]
    assert entries[0].fingerprint == entries[1].fingerprint


def test_it_reads_the_team_lines_in_windows_1252() -> None:
    entries = read_file(DATA / "own" / "team-time-date-status-cp1252.log")

    assert first_lines(entries) == [
        "08:00:05 09/10/2024 Erreur Envoi du courriel à l'adhérent 4512 impossible"
        " : délai dépassé",
        "08:00:09 09/10/2024 Erreur Envoi du courriel à l'adhérent 4519 impossible"
        " : délai dépassé",
    ]
    assert entries[0].message.endswith(
        "--- Fin de la trace de la pile d'exception interne ---"
    )
    assert entries[0].timestamp.isoformat() == "2024-10-09T06:00:05+00:00"


def test_it_reads_the_team_lines_in_oem_850() -> None:
    entries = read_file(DATA / "own" / "team-purge-oem850.log")

    assert first_lines(entries) == [
        "08:00:03 09/10/2024 Erreur Suppression impossible : accès refusé à la"
        " table Adhérents"
    ]


def test_it_reads_microsoft_extensions_logging_console_output() -> None:
    entries = read_file(DATA / "own" / "mel-console-worker.log")

    assert [(e.level, e.first_line) for e in entries] == [
        ("ERROR", "fail: Batch.Worker[1001]"),
        ("FATAL", "crit: Microsoft.Extensions.Hosting.Internal.Host[10]"),
    ]
    assert "System.IO.IOException" in entries[0].message


def test_it_reads_utf16_big_endian_without_a_byte_order_mark() -> None:
    entries = read_file(DATA / "own" / "log4net-utf16be-nobom.log")

    assert [entry.message for entry in entries] == [
        "2024-03-01 10:00:01,002 [1] ERROR Batch.Export - Export interrompu\n"
        "System.UnauthorizedAccessException: Access to the path 'E:\\out' is denied.\n"
        "   at System.IO.FileStream.Init(String path)"
    ]


def test_it_reports_a_runtime_crash_banner_as_fatal() -> None:
    entries = read_file(DATA / "own" / "nlog-unhandled-exception-banner.log")

    assert [(e.level, e.message.count("\n")) for e in entries] == [("FATAL", 2)]
    assert entries[0].first_line.startswith("Unhandled exception. System.Xml")


def test_it_replaces_a_stray_byte_and_keeps_the_rest_of_the_line() -> None:
    entries = read_file(DATA / "own" / "nlog-utf8-stray-byte.log")

    assert first_lines(entries) == [
        "2024-06-01 12:00:01.0000 ERROR Fichier r\ufffdsultat introuvable:"
        " E:\\in\\résultat.csv"
    ]


def test_it_dates_entries_of_the_repeated_autumn_hour_in_their_pass() -> None:
    entries = read_file(DATA / "own" / "nlog-dst-fallback-paris.log")

    assert [e.timestamp.strftime("%H:%M") for e in entries] == [
        "00:30",
        "01:10",
        "01:40",
        "02:05",
    ]
