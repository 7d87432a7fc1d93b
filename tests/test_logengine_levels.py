"""Which lines start an entry, at what level, in every format the team meets."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.logengine.levels import (
    _WORDS,
    LINE_START_NEEDLE,
    NEEDLES,
    REPORTED,
    read_header,
    read_stamped_header,
    says_error,
)


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("2024-10-09 14:01:59.5669 ERROR An error occurred", "ERROR"),
        ("2023-09-24 13:30:07.8491|Error|Batch.Import|failed", "ERROR"),
        ("2023-09-24 13:30:07.8491|Fatal|Batch.Import|gave up", "FATAL"),
        ("ERROR 2016-01-22 16:43:30,666 [15   ] Abp.Filter - boom", "ERROR"),
        ("FATAL 2018-02-02 17:53:15,870 [1    ] Abp.AbpBootstrapper - x", "FATAL"),
        ("2016-02-17 22:57:59,284 [Thread Pool Worker] ERROR Batch - x", "ERROR"),
        ("2020-09-13 00:01:08.399 +04:30 [ERR] items failed", "ERROR"),
        ("2020-09-13 00:01:38.405 +04:30 [FTL] stopping", "FATAL"),
        ("[13:04:05 ERR] Serilog console", "ERROR"),
        ("fail: Batch.Worker[1001]", "ERROR"),
        ("crit: Microsoft.Extensions.Hosting.Internal.Host[10]", "FATAL"),
        ("[03/07/2021 19:33:28.0539] [2] [ERROR] Failed to mount database", "ERROR"),
        ("08:00:05 09/10/2024 Erreur Envoi du courriel impossible", "ERROR"),
        ("2024-10-09 08:00:05 ERREUR Envoi impossible", "ERROR"),
        (
            "07-25-13,16:03:24.649,13,a98,0,AUTH,authapi.cpp(280),0,0,ERR,Sign in",
            "ERROR",
        ),
        ("2016-09-28 04:30:53, Error                 CBS    Failed", "ERROR"),
        ('{"Timestamp":"2020-09-13T17:53:40+03:00","Level":"Error","M":"x"}', "ERROR"),
        ('{"@t":"2020-09-13T17:53:40Z","@l":"Fatal","@mt":"x"}', "FATAL"),
        ("Unhandled exception. System.IO.IOException: locked", "FATAL"),
        ("Unhandled Exception: System.IO.IOException: locked", "FATAL"),
        ("Exception non gérée : System.IO.IOException: verrouillé", "FATAL"),
        ("Unbehandelte Ausnahme: System.IO.IOException: gesperrt", "FATAL"),
        (
            "[10.30 17:15:42] QQ.exe - tcpconn6.tencent.com:443 error : canceled",
            "ERROR",
        ),
        ('"10/22/2018 4:13:27 AM","docker","fatal task error node.id=1"', "ERROR"),
        ("2024-10-09 14:01:59.5669 WARN Retrying after error", "WARN"),
        ("2024-10-09 14:01:59.5669 INFO Batch step 3/12 completed, 0 errors", "INFO"),
        ("2016-09-28 04:30:53, Info                  CBS    Failed to start", "INFO"),
        ("Avertissement 2024-10-09 14:01:59 fichier vide", "WARN"),
        ('{"@t":"2020-09-13T17:53:40Z","@mt":"no level means information"}', "INFO"),
        ("2024-10-09 14:01:59 [1] The following 1 error(s) occurred", None),
        ("[03/07/2021 19:33:28.0648] [1] 0.  ErrorRecord: x. Error: y", None),
        ("2024-10-09 14:01:59 Export terminé, aucune erreur", None),
        ("2024-10-09 14:01:59 no error today", None),
    ],
)
def test_it_reads_the_level_where_each_format_writes_it(
    line: str, level: str | None
) -> None:
    header = read_header(line)
    assert header is not None
    assert header.level == level


@pytest.mark.parametrize(
    "line",
    [
        "   at System.Data.SqlClient.SqlConnection.OnError(SqlException exception)",
        "    Severity: FATAL",
        "  Exception data:",
        "--- End of stack trace from previous location where exception was thrown ---",
        "System.InvalidOperationException: The operation is not valid",
        "Object name: 'PhoneBookDbContext'.",
        "Traceback (most recent call last):",
        "Parametername: wrongArg",
        "",
    ],
)
def test_it_continues_the_entry_on_lines_without_timestamp_or_level(
    line: str,
) -> None:
    assert read_header(line) is None


def test_it_uses_the_source_pattern_for_an_unknown_format() -> None:
    custom = re.compile(r"^\S+ \S+ <(?P<level>\w)>")

    header = read_header("2024-10-09 14:01:59 <E> disk full", custom)
    assert header is not None
    assert (header.level, header.summary) == ("E", " disk full")
    assert read_header("2024-10-09 14:01:59 INFO other", custom) is not None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Export failed: error while writing", True),
        ("Error: System is set to manage the pagefile", True),
        ("0 errors, 2 warnings", False),
        ("tcpconn4.tencent.com:80 error : proxy closed", True),
        ("2 error(s) occurred", False),
        ("The following 1 error(s) occurred", False),
        ("no error found", False),
        ("aucune erreur détectée", False),
        ("at Batch.OnError(Exception e)", False),
        ("-ErrorAction SilentlyContinue", False),
    ],
)
def test_it_tells_a_message_that_reports_an_error(text: str, error: bool) -> None:
    assert says_error(text) is error


def test_every_way_of_writing_an_error_level_contains_a_needle() -> None:
    needles = [re.compile(needle) for needle in NEEDLES]
    line_start = re.compile(LINE_START_NEEDLE)
    spellings = [
        spelling
        for word, level in _WORDS.items()
        if level in REPORTED
        for spelling in {word, word.title(), word.lower()}
        if read_header(f"{spelling} something") is not None
    ]
    spellings += ["fail:", "crit:", "error", "Erreur", "Fatal", "FATAL", "erreur"]

    missed = [
        word
        for word in spellings
        if not any(n.search(word) for n in needles) and not line_start.match(word)
    ]
    assert missed == []


STAMPS = st.sampled_from(
    [
        "2024-10-09 14:01:59.5669",
        "2024-10-09T14:01:59Z",
        "2020-09-13 00:01:08.399 +04:30",
        "2018-01-24 18:32:31,838 -0800",
        "2024-13-09 14:01:59",
        "2016-09-28 04:30:53,",
    ]
)
FIELDS = st.sampled_from(
    [
        "ERROR",
        "[ERR]",
        "Error",
        "error",
        "INFO",
        "Info|",
        "[Thread Pool]",
        "[1    ]",
        "ERROR-REFERENCE",
        "FATAL:",
        "Fatal",
        "x",
        "-",
        "|",
        "Erreur",
        "0 errors",
        "ErrorRecord:",
        "[WARN]",
        "pid=12",
    ]
)


@given(
    stamp=STAMPS,
    separator=st.sampled_from([" ", "|", ", ", " - ", "\t"]),
    fields=st.lists(FIELDS, min_size=1, max_size=4),
)
def test_it_reads_the_usual_line_in_one_step_as_field_by_field(
    stamp: str, separator: str, fields: list[str]
) -> None:
    line = stamp + separator + " ".join(fields)

    quick, slow = read_header(line), read_stamped_header(line)
    assert (quick is None) == (slow is None)
    if quick is not None and slow is not None:
        assert (quick.level, quick.stamp, quick.summary) == (
            slow.level,
            slow.stamp,
            slow.summary,
        )
