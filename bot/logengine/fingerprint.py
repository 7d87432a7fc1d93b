"""Fingerprints: one hex digest for every occurrence of the same failure.

Two error entries are the same failure when their message says the same once
what changes from one run to the next is masked (numbers, GUIDs, hex values,
paths, URLs, quoted strings, dates) and they carry the same exception type.
The header of the line (timestamp, thread, level) is left out before.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence

SUMMARY_CHARS = 300
"""Masked characters that take part: long dumps differ only in their tails."""
TYPE_CHARS = 2000
"""How far into an entry its exception type is looked for."""
_ZERO_DIGITS = bytes.maketrans(b"123456789", b"000000000")

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
_PATH = re.compile(
    r"(?:\b[A-Za-z]:|\\\\[\w.$-]+)[\\/][^\s\"'<>|]*"
    r"|(?<![\w.:/])/(?:[\w.@-]+/)+[\w.@-]*"
)
_QUOTED = re.compile(r"\"[^\"\n]{0,80}\"|(?<!\w)'[^'\n]{0,80}'(?!\w)")
_WITH_DIGITS = re.compile(r"\b\w*\d[\w.:,/+-]*")
"""Numbers, dates, times, GUIDs, hex values, generated ids: any word that
holds a digit, with the punctuation that joins its parts."""
_EXCEPTION_TYPE = re.compile(
    r"(?<![\w.])((?:[A-Za-z_][\w`+]*\.)+[A-Za-z_]\w*(?:Exception|Error)"
    r"|[A-Za-z_]\w*Exception)(?=[:\s,]|$)"
)


def mask(text: str) -> str:
    """``text`` with its variable parts replaced by their kind."""
    # What is masked depends on where digits are, never on which they are: a
    # failure that repeats with other numbers is masked once. Digits are
    # zeroed in the UTF-8 bytes, much faster than in the text.
    raw = text.encode("utf-8", "surrogatepass").translate(_ZERO_DIGITS)
    return _mask_shape(raw.decode("utf-8", "surrogatepass"))


@functools.lru_cache(maxsize=4096)
def _mask_shape(text: str) -> str:
    if "://" in text:
        text = _URL.sub("<url>", text)
    if "\\" in text or "/" in text:
        text = _PATH.sub("<path>", text)
    if '"' in text or "'" in text:
        text = _QUOTED.sub("<quoted>", text)
    if "0" in text or not text.isascii():
        # Digits are zeroes by now, but for those of other scripts.
        text = _WITH_DIGITS.sub("<n>", text)
    return " ".join(text.split())


def exception_type(text: str) -> str:
    """The first .NET (or Python) exception type named in ``text``, or "".

    Only the start of ``text`` is looked at: the type opens a trace.
    """
    return exception_type_in(text[:TYPE_CHARS].split("\n"))


def exception_type_in(lines: Sequence[str]) -> str:
    """:func:`exception_type` of the lines joined by line ends."""
    # A type never spans a line end: the first line naming one names it.
    room = TYPE_CHARS
    for line in lines:
        if room <= 0:
            break
        part = line[:room]
        room -= len(line) + 1
        if "Exception" in part or "Error" in part:
            named = _type_in_line(part)
            if named:
                return named
    return ""


@functools.lru_cache(maxsize=4096)
def _type_in_line(line: str) -> str:
    # Traces repeat the same exception lines: what each names is kept.
    match = _EXCEPTION_TYPE.search(line)
    return match.group(1) if match else ""


def fingerprint(summary: str, lines: Sequence[str]) -> str:
    """Digest of the masked summary line and the exception type in ``lines``."""
    return _digest(mask(summary)[:SUMMARY_CHARS] + "\n" + exception_type_in(lines))


@functools.lru_cache(maxsize=4096)
def _digest(key: str) -> str:
    # The same failure comes back again and again: its digest is kept.
    return hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()
