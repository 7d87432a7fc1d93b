"""Fingerprints: the same failure gives the same digest, another does not."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.logengine.fingerprint import (
    _EXCEPTION_TYPE,
    _PATH,
    _QUOTED,
    _URL,
    _WITH_DIGITS,
    TYPE_CHARS,
    exception_type,
    fingerprint,
    mask,
)


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
        ["System.IO.IOException: locked", "   at Batch.Read()"],
    )
    again = fingerprint(
        "Import of C:\\in\\b_99.csv failed after 7 tries",
        ["System.IO.IOException: locked by pid 4412", "   at Batch.Read()"],
    )

    assert first == again
    assert len(first) == 40
    int(first, 16)


def test_it_tells_failures_apart_by_message_and_exception_type() -> None:
    base = fingerprint("Import failed", ["System.IO.IOException: locked"])

    assert fingerprint("Export failed", ["System.IO.IOException: locked"]) != base
    assert fingerprint("Import failed", ["System.TimeoutException: late"]) != base


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


PIECES = st.sampled_from(
    [
        "System.",
        "IO.",
        "Sql",
        "Exception",
        "Error",
        "Errors",
        "Batch",
        "_x",
        "`1",
        "+",
        ".",
        ":",
        ",",
        "(0x8004)",
        " ",
        "  ",
        "\n",
        "\t",
        "\u00a0",
        "é",
        "42",
        "https://h/x",
        "C:\\in\\a.csv",
        "/var/log/",
        "'q'",
        '"q"',
    ]
)


def type_by_plain_search(text: str) -> str:
    """The exception type as the pattern alone finds it, from the text's start."""
    match = _EXCEPTION_TYPE.search(text[:TYPE_CHARS])
    return match.group(1) if match else ""


def mask_by_plain_steps(text: str) -> str:
    """The mask as its steps read in order, on the text as it is."""
    text = text.translate(str.maketrans("123456789", "000000000"))
    for pattern, kind in ((_URL, "<url>"), (_PATH, "<path>"), (_QUOTED, "<quoted>")):
        text = pattern.sub(kind, text)
    text = _WITH_DIGITS.sub("<n>", text)
    return re.sub(r"\s+", " ", text).strip()


@settings(max_examples=400)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_it_reads_types_and_masks_as_the_plain_patterns_do(text: str) -> None:
    assert exception_type(text) == type_by_plain_search(text)
    assert mask(text) == mask_by_plain_steps(text)
