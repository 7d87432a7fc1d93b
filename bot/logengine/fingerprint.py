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
    return " ".join(_WITH_DIGITS.sub("<n>", text).split())


def exception_type(text: str) -> str:
    """The first .NET (or Python) exception type named in ``text``, or "".

    Only the start of ``text`` is looked at: the type opens a trace.
    """
    head = text[:TYPE_CHARS]
    found = [at for at in (head.find("Exception"), head.find("Error")) if at >= 0]
    if not found:
        return ""
    # A type is a run of name characters, so none starts before the word (cut
    # at spaces and line ends) holding the first of the two words. Traces
    # repeat the same few words: what each names is kept.
    first = min(found)
    start = max(head.rfind(" ", 0, first), head.rfind("\n", 0, first)) + 1
    ends = [at for at in (head.find(" ", first), head.find("\n", first)) if at >= 0]
    end = min(ends) if ends else len(head)
    named = _type_in_word(head[start : end + 1])
    if named is not None:
        return named
    match = _EXCEPTION_TYPE.search(head, end)
    return match.group(1) if match else ""


@functools.lru_cache(maxsize=1024)
def _type_in_word(word: str) -> str | None:
    """The type named in ``word`` and the character after it, if any."""
    match = _EXCEPTION_TYPE.search(word)
    return match.group(1) if match else None


def fingerprint(summary: str, body: str) -> str:
    """Digest of the masked summary line and the exception type in ``body``."""
    key = mask(summary)[:SUMMARY_CHARS] + "\n" + exception_type(body)
    return hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()
