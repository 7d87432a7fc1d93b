"""Fingerprints: the same failure gives the same digest, another does not."""

from __future__ import annotations

import pytest

from bot.logengine.fingerprint import exception_type, fingerprint, mask


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Timeout calling https://api.example.com/v2/x?id=4", "Timeout calling <url>"),
        (
            "Fichier C:\\Batch\\in\\contrats_4.csv introuvable",
            "Fichier <path> introuvable",
        ),
        ("Share \\\\srv-files\\exports\\x.xml locked", "Share <path> locked"),
        ("Cannot open /var/log/batch/run.log", "Cannot open <path>"),
        ('Database "ExSvr1 - DB1" failed', "Database <quoted> failed"),
        ("Table 'Adherents' locked", "Table <quoted> locked"),
        ("record 0fd630f1-f29d-0da9-953f-48f1a09f76b5 failed", "record <n> failed"),
        ("HRESULT 0x8004da0e", "HRESULT <n>"),
        ("at 2024-10-09 14:01:59,123 after 1 500 ms", "at <n> <n> after <n> <n> ms"),
        ("request 0HM2NUJ664HH5:00000001 aborted", "request <n> aborted"),
        (
            "l'import du fichier d'entrée a échoué",
            "l'import du fichier d'entrée a échoué",
        ),
    ],
)
def test_it_masks_what_changes_from_one_run_to_the_next(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_it_gives_repeated_failures_of_one_kind_one_fingerprint() -> None:
    first = fingerprint(
        "Import of C:\\in\\a_12.csv failed after 3 tries",
        "System.IO.IOException: locked\n   at Batch.Read()",
    )
    again = fingerprint(
        "Import of C:\\in\\b_99.csv failed after 7 tries",
        "System.IO.IOException: locked by pid 4412\n   at Batch.Read()",
    )

    assert first == again
    assert len(first) == 40
    int(first, 16)


def test_it_tells_failures_apart_by_message_and_exception_type() -> None:
    base = fingerprint("Import failed", "System.IO.IOException: locked")

    assert fingerprint("Export failed", "System.IO.IOException: locked") != base
    assert fingerprint("Import failed", "System.TimeoutException: late") != base


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("x. Npgsql.PostgresException (0x80004005): 28P01", "Npgsql.PostgresException"),
        (
            "System.Reflection.TargetInvocationException: x ---> System.X",
            "System.Reflection.TargetInvocationException",
        ),
        ("OperationalError: no such table", ""),
        ("sqlite3.OperationalError: no such table", "sqlite3.OperationalError"),
        ("   at Batch.OnError(Exception e)", ""),
        ("nothing here", ""),
    ],
)
def test_it_names_the_exception_type_of_an_entry(text: str, kind: str) -> None:
    assert exception_type(text) == kind
