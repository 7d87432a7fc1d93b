"""Reading in pieces finds what reading at once finds, whatever the cuts."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.logengine import LogEntry, SourceSpec
from tests.test_logengine_helpers import LogFolder

ENCODINGS = {
    # name: (codec, byte order mark, setting the source is given)
    "utf-8": ("utf-8", b"", "auto"),
    "utf-8 with BOM": ("utf-8", b"\xef\xbb\xbf", "auto"),
    "utf-16-le with BOM": ("utf-16-le", b"\xff\xfe", "auto"),
    "utf-16-be with BOM": ("utf-16-be", b"\xfe\xff", "auto"),
    "utf-16-le": ("utf-16-le", b"", "auto"),
    "cp1252": ("cp1252", b"", "cp1252"),
    "cp850": ("cp850", b"", "cp850"),
}
WORDS = st.sampled_from(
    [
        "import",
        "contrat",
        "échec",
        "délai",
        "error",
        "Erreur",
        "0 errors",
        "fichier",
        "C:\\Batch\\in",
        "42",
        "0x80004005",
        "Fatal",
        "ok",
        "à",
    ]
)
LEVELS = st.sampled_from(["INFO", "DEBUG", "WARN", "ERROR", "FATAL", "Erreur"])
CONTINUATIONS = st.sampled_from(
    [
        "   at Batch.Import.Run()",
        "   à Batch.Export.Flush() dans D:\\Build\\Writer.cs:ligne 12",
        "--- End of inner exception stack trace ---",
        "System.IO.IOException: fichier verrouillé",
        "  Exception data:",
        "    Severity: FATAL",
        "",
    ]
)


@st.composite
def entries(draw: st.DrawFn) -> str:
    second = draw(st.integers(0, 59))
    level = draw(LEVELS)
    message = " ".join(draw(st.lists(WORDS, min_size=1, max_size=6)))
    lines = [f"2025-01-06 08:{second // 2:02d}:{second:02d}.0001 {level} {message}"]
    lines += draw(st.lists(CONTINUATIONS, max_size=4))
    return "\n".join(lines)


@st.composite
def logs(draw: st.DrawFn) -> tuple[str, str, str]:
    preamble = draw(st.lists(CONTINUATIONS | WORDS, max_size=3))
    body = draw(st.lists(entries(), min_size=1, max_size=12))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r\r\n"]))
    text = ending.join([*preamble, *body])
    if draw(st.booleans()):
        text += ending
    return text, draw(st.sampled_from(sorted(ENCODINGS))), ending


def scan_at_once(data: bytes, encoding: str) -> list[LogEntry]:
    with tempfile.TemporaryDirectory() as folder:
        logs = LogFolder(Path(folder))
        logs.write("batch.log", data)
        spec = SourceSpec(path="batch.log", encoding=encoding, idle_flush_s=0)
        return logs.read(spec)


def scan_in_pieces(data: bytes, encoding: str, cuts: list[int]) -> list[LogEntry]:
    spec = SourceSpec(path="batch.log", encoding=encoding, idle_flush_s=60)
    with tempfile.TemporaryDirectory() as folder:
        logs = LogFolder(Path(folder))
        logs.write("batch.log", b"")
        found: list[LogEntry] = []
        for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
            logs.append("batch.log", data[start:end])
            found += logs.scan(spec).entries
        # The file goes idle: what is held back is taken, at the same time.
        found += logs.scan(replace(spec, idle_flush_s=0)).entries
        return found


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(log=logs(), data=st.data())
def test_it_finds_the_same_entries_in_pieces_as_at_once(
    log: tuple[str, str, str], data: st.DataObject
) -> None:
    text, name, _ending = log
    codec, mark, setting = ENCODINGS[name]
    raw = mark + text.encode(codec)
    cuts = sorted(
        set(data.draw(st.lists(st.integers(1, max(1, len(raw) - 1)), max_size=8)))
    )

    at_once = scan_at_once(raw, setting)
    in_pieces = scan_in_pieces(raw, setting, [c for c in cuts if c < len(raw)])

    assert in_pieces == at_once
