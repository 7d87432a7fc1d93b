"""Deciding a log file's encoding from its bytes."""

from __future__ import annotations

import pytest

from bot.logengine.decoding import (
    ASCII,
    Encoding,
    decide_from_line,
    decide_start,
    normalise_codec,
)

LINE = "2024-10-09 08:00:05 Erreur Envoi à l'adhérent impossible\r\n"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xef\xbb\xbf" + LINE.encode(), Encoding("utf-8", 3)),
        (b"\xff\xfe" + LINE.encode("utf-16-le"), Encoding("utf-16-le", 2)),
        (b"\xfe\xff" + LINE.encode("utf-16-be"), Encoding("utf-16-be", 2)),
        (LINE.encode("utf-16-le"), Encoding("utf-16-le")),
        (LINE.encode("utf-16-be"), Encoding("utf-16-be")),
        (b"\x00" * 40 + LINE.encode("utf-16-le"), Encoding("utf-16-le")),
        (LINE.encode("cp1252"), Encoding(ASCII)),
    ],
)
def test_it_tells_utf16_and_byte_order_marks_from_the_first_bytes(
    head: bytes, expected: Encoding
) -> None:
    assert decide_start(head, "auto", final=False) == expected


def test_it_waits_for_a_byte_order_mark_cut_by_the_read() -> None:
    assert decide_start(b"\xef\xbb", "auto", final=False) is None
    assert decide_start(b"", "auto", final=False) is None
    assert decide_start(b"\xef\xbb", "auto", final=True) == Encoding(ASCII)


def test_it_keeps_the_encoding_the_source_is_set_to() -> None:
    assert decide_start(b"abc", "cp850", final=False) == Encoding("cp850")
    assert decide_start(b"\xff\xfeA\x00", "utf-16", final=False) == Encoding(
        "utf-16-le", 2
    )


@pytest.mark.parametrize(
    ("codec", "decided"),
    [("utf-8", "utf-8"), ("cp1252", "cp1252"), ("cp850", "cp850")],
)
def test_it_tells_french_text_in_each_encoding_apart(codec: str, decided: str) -> None:
    assert decide_from_line(LINE.encode(codec)) == decided


def test_it_reads_a_degree_sign_as_windows_1252() -> None:
    assert decide_from_line(b"42\xb0 North") == "cp1252"


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("UTF8", "utf-8"),
        ("windows-1252", "cp1252"),
        ("OEM850", "cp850"),
        ("auto", "auto"),
    ],
)
def test_it_accepts_the_usual_names_of_an_encoding(name: str, codec: str) -> None:
    assert normalise_codec(name) == codec


def test_it_refuses_an_encoding_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="unsupported encoding"):
        normalise_codec("ebcdic")
