"""Fingerprints: one hex digest for every occurrence of the same failure.

Two error entries are the same failure when their message says the same once
what changes from one run to the next is masked (numbers, GUIDs, hex values,
paths, URLs, quoted strings, dates) and they carry the same exception type.
The header of the line (timestamp, thread, level) is left out before.
"""

from __future__ import annotations

import hashlib
import re

SUMMARY_CHARS = 300
"""Masked characters that take part: long dumps differ only in their tails."""

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
_PATH = re.compile(
    r"(?:\b[A-Za-z]:|\\\\[\w.$-]+)[\\/][^\s\"'<>|]*"
    r"|(?<![\w.:/])/(?:[\w.@-]+/)+[\w.@-]*"
)
_QUOTED = re.compile(r"\"[^\"\n]{0,80}\"|(?<!\w)'[^'\n]{0,80}'(?!\w)")
_WITH_DIGITS = re.compile(r"\b\w*\d[\w.:,/+-]*")
"""Numbers, dates, times, GUIDs, hex values, generated ids: any word that
holds a digit, with the punctuation that joins its parts."""
_SPACES = re.compile(r"\s+")
_EXCEPTION_TYPE = re.compile(
    r"(?<![\w.])((?:[A-Za-z_][\w`+]*\.)+[A-Za-z_]\w*(?:Exception|Error)"
    r"|[A-Za-z_]\w*Exception)(?=[:\s,]|$)"
)


def mask(text: str) -> str:
    """``text`` with its variable parts replaced by their kind."""
    if "://" in text:
        text = _URL.sub("<url>", text)
    if "\\" in text or "/" in text:
        text = _PATH.sub("<path>", text)
    if '"' in text or "'" in text:
        text = _QUOTED.sub("<quoted>", text)
    text = _WITH_DIGITS.sub("<n>", text)
    return _SPACES.sub(" ", text).strip()


def exception_type(text: str) -> str:
    """The first .NET (or Python) exception type named in ``text``, or ""."""
    match = _EXCEPTION_TYPE.search(text)
    return match.group(1) if match else ""


def fingerprint(summary: str, body: str) -> str:
    """Digest of the masked summary line and the exception type in ``body``."""
    key = mask(summary)[:SUMMARY_CHARS] + "\n" + exception_type(body)
    return hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()
