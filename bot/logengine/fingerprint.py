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

_VARIABLE = re.compile(
    r"""
    (?P<url>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+)
  | (?P<path>(?:\b[A-Za-z]:|\\\\[\w.$-]+)[\\/][^\s"'<>|]*
      | (?<![\w.:/])/(?:[\w.@-]+/)+[\w.@-]*)
  | (?P<quoted>(?<!\w)"[^"\n]{0,80}"|(?<!\w)'[^'\n]{0,80}'(?!\w))
  | (?P<guid>\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b)
  | (?P<date>\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d\d(?::\d\d)?)?
      | \b\d{1,2}:\d\d(?::\d\d)?(?:[.,]\d+)?)
  | (?P<hex>\b0x[0-9a-fA-F]+\b
      | \b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}\b)
  | (?P<id>\b(?=(?:[a-z]*\d){2}|(?:[A-Z]*\d){2})(?:[a-z0-9]{8,}|[A-Z0-9]{8,})\b)
  | (?P<number>\d+(?:[.,]\d+)*)
    """,
    re.VERBOSE,
)
_SPACES = re.compile(r"\s+")
_EXCEPTION_TYPE = re.compile(
    r"(?<![\w.])((?:[A-Za-z_][\w`+]*\.)+[A-Za-z_]\w*(?:Exception|Error)"
    r"|[A-Za-z_]\w*Exception)(?=[:\s,(]|$)"
)


def mask(text: str) -> str:
    """``text`` with its variable parts replaced by their kind."""
    masked = _VARIABLE.sub(lambda m: f"<{m.lastgroup}>", text)
    return _SPACES.sub(" ", masked).strip()


def exception_type(text: str) -> str:
    """The first .NET (or Python) exception type named in ``text``, or ""."""
    match = _EXCEPTION_TYPE.search(text)
    return match.group(1) if match else ""


def fingerprint(summary: str, body: str) -> str:
    """Digest of the masked summary line and the exception type in ``body``."""
    key = mask(summary)[:SUMMARY_CHARS] + "\n" + exception_type(body)
    return hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()
