"""Deciding which encoding a log file is written in, from its bytes.

The decision is taken once per file and kept in its checkpoint. A file read
from its start is first sorted into UTF-16 (byte order mark, or the pattern of
zero bytes that ASCII text has in UTF-16) or an ASCII-compatible encoding. The
choice between UTF-8, Windows-1252 and OEM 850 waits for the first line that
holds a non-ASCII byte, because until then all three read the same.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

AUTO = "auto"
UTF8 = "utf-8"
UTF16 = "utf-16"
UTF16_LE = "utf-16-le"
UTF16_BE = "utf-16-be"
ASCII = "ascii"
"""Provisional: only ASCII seen so far, reads the same as any of the three."""

SNIFF_BYTES = 64
"""Bytes of the start of a file looked at to call it UTF-16 or not; ASCII
text in UTF-16 shows a zero byte in every pair, so two are enough."""

BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, UTF8),
    (codecs.BOM_UTF16_LE, UTF16_LE),
    (codecs.BOM_UTF16_BE, UTF16_BE),
)

_ALIASES = {
    "utf8": UTF8,
    "utf-8-sig": UTF8,
    "utf16": UTF16,
    "utf-16le": UTF16_LE,
    "utf-16be": UTF16_BE,
    "windows-1252": "cp1252",
    "ansi": "cp1252",
    "oem850": "cp850",
    "ibm850": "cp850",
    "oem": "cp850",
    "latin-1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso-8859-15": "iso8859-15",
}
_SINGLE_BYTE = {"cp1252", "cp850", "latin-1", "iso8859-15", "cp1254", "cp437"}


@dataclass(frozen=True)
class Encoding:
    """What a file's bytes are, once decided."""

    codec: str
    """utf-8, utf-16-le, utf-16-be, a single-byte code page, or ascii."""
    bom: int = 0
    """Length of the byte order mark at the start of the file."""

    @property
    def is_wide(self) -> bool:
        return self.codec in (UTF16_LE, UTF16_BE)


def normalise_codec(name: str) -> str:
    """The engine's name for an encoding setting; ValueError when unknown."""
    key = name.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key in (AUTO, UTF8, UTF16, UTF16_LE, UTF16_BE) or key in _SINGLE_BYTE:
        return key
    raise ValueError(f"unsupported encoding: {name}")


def decide_start(head: bytes, setting: str, final: bool) -> Encoding | None:
    """The encoding of a file from its first bytes, or None to wait for more.

    ``setting`` is a normalised codec name or ``auto``.
    """
    for mark, codec in BYTE_ORDER_MARKS:
        if head.startswith(mark) and setting in (AUTO, codec, _family(codec)):
            return Encoding(codec, len(mark))
        if mark.startswith(head) and not final:
            # The start of a byte order mark, cut by the end of the read.
            return None

    if setting not in (AUTO, UTF16):
        return Encoding(setting)

    sample = _after_zero_padding(head)[:SNIFF_BYTES]
    if len(sample) < 2 and not final:
        return None

    wide = _utf16_order(sample)
    if wide:
        return Encoding(wide)
    return Encoding(UTF16_LE if setting == UTF16 else ASCII)


def decide_from_line(line: bytes) -> str:
    """The codec for a file whose first non-ASCII bytes are in ``line``."""
    try:
        line.decode(UTF8)
        return UTF8
    except UnicodeDecodeError as error:
        # A character cut by the end of the bytes read is not evidence.
        if error.reason == "unexpected end of data" and error.start >= len(line) - 3:
            return UTF8

    ansi = _plausible_share(line.decode("cp1252", "replace"))
    oem = _plausible_share(line.decode("cp850", "replace"))
    return "cp850" if oem > ansi else "cp1252"


def _family(codec: str) -> str:
    return UTF16 if codec in (UTF16_LE, UTF16_BE) else codec


def _after_zero_padding(head: bytes) -> bytes:
    """Skip the zero bytes a writer leaves when it writes past a truncation."""
    stripped = head.lstrip(b"\x00")
    skipped = len(head) - len(stripped)
    return head[skipped - skipped % 2 :]


def _utf16_order(sample: bytes) -> str | None:
    pairs = len(sample) // 2
    if pairs == 0:
        return None

    zero_high = sum(1 for i in range(1, pairs * 2, 2) if sample[i] == 0)
    zero_low = sum(1 for i in range(0, pairs * 2, 2) if sample[i] == 0)
    if zero_high * 10 >= pairs * 4 and zero_low * 10 < pairs:
        return UTF16_LE
    if zero_low * 10 >= pairs * 4 and zero_high * 10 < pairs:
        return UTF16_BE
    return None


_PUNCTUATION = set("’‘“”–—…€«»°·")


def _plausible_share(text: str) -> float:
    """How much of the non-ASCII text reads as letters or usual punctuation."""
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return 0.0
    return sum(1 for c in wide if c.isalpha() or c in _PUNCTUATION) / len(wide)
