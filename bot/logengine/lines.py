"""A window of bytes read from a log file, seen as lines.

Files in an ASCII-compatible encoding are searched as bytes and only the lines
the engine looks at are decoded; UTF-16 files are decoded whole. Either way a
position in the window maps back to a byte offset in the file.

Line ends are LF, CRLF, ``\\r\\r\\n`` or a mix. A run of zero bytes (left by a
writer that kept its position after a truncation) separates lines.
"""

from __future__ import annotations

import codecs
import re

from bot.logengine.decoding import ASCII, UTF8, Encoding

LINE_CAP = 64 * 1024
"""Longer lines are cut there (bytes, or characters for UTF-16) and marked."""
CUT_MARK = " [line cut]"

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Window:
    """The bytes read from one file, from byte offset ``base``."""

    def __init__(self, data: bytes, encoding: Encoding, base: int, final: bool):
        self.base = base
        self.encoding = encoding
        self.wide = encoding.is_wide
        self.buf: bytes | str
        if self.wide:
            decoder = codecs.getincrementaldecoder(encoding.codec)("surrogatepass")
            text = decoder.decode(data, final)
            self.used_bytes = len(data) - len(decoder.getstate()[0])
            self.buf = text.replace("\x00", "\n") if "\x00" in text else text
            self.nl: bytes | str = "\n"
            self._astral = len(text.encode(encoding.codec, "surrogatepass")) != (
                2 * len(text)
            )
        else:
            self.used_bytes = len(data)
            self.buf = data.replace(b"\x00", b"\n") if b"\x00" in data else data
            self.nl = b"\n"
            self._codec = UTF8 if encoding.codec == ASCII else encoding.codec
        self.end = len(self.buf)
        self.first = _after_bom(encoding) if base == 0 else 0
        """Where the text starts: after the byte order mark at a file's start."""
        self._counted = (0, base)

    def line_end(self, pos: int) -> int:
        """Position just after the line holding ``pos`` (after its LF)."""
        found = self.buf.find(self.nl, pos, self.end)  # type: ignore[arg-type]
        return found + 1 if found >= 0 else self.end

    def line_start(self, pos: int) -> int:
        start = self.buf.rfind(self.nl, 0, pos) + 1  # type: ignore[arg-type]
        return max(start, self.first)

    def last_line_end(self, start: int) -> int:
        """End of the last complete line at or after ``start``, or ``start``."""
        return self.buf.rfind(self.nl, start, self.end) + 1 or start  # type: ignore[arg-type]

    def indented(self, pos: int) -> bool:
        """True when the line at ``pos`` starts with a space or a tab."""
        char = self.buf[pos : pos + 1]
        return char in (" ", "\t") if self.wide else char in (b" ", b"\t")

    def text(self, start: int, end: int) -> str:
        """The line from ``start`` to ``end``, decoded, its line end removed."""
        cut = end - start > LINE_CAP
        raw = self.buf[start : start + LINE_CAP] if cut else self.buf[start:end]
        if self.wide:
            line = _LONE_SURROGATE.sub("\ufffd", raw)  # type: ignore[arg-type]
        else:
            line = raw.decode(self._codec, "replace")  # type: ignore[union-attr]
        line = line.rstrip("\r\n")
        return line + CUT_MARK if cut else line

    def lines(self, start: int, end: int, most: int) -> list[str]:
        """The lines from ``start`` to ``end`` (at most ``most``), decoded."""
        if end - start <= LINE_CAP:
            # No line to cut: decode all at once, as line by line would.
            block = self.text(start, end)
            split = block.split("\n")[:most]
            return [line.rstrip("\r") for line in split] if "\r" in block else split
        lines: list[str] = []
        pos = start
        while pos < end and len(lines) < most:
            stop = self.line_end(pos)
            lines.append(self.text(pos, min(stop, end)))
            pos = stop
        return lines

    def offset(self, pos: int) -> int:
        """Byte offset in the file of window position ``pos``."""
        if not self.wide:
            return self.base + pos
        if not self._astral:
            return self.base + 2 * pos
        return self._count_bytes(pos)

    def _count_bytes(self, pos: int) -> int:
        counted_pos, counted_offset = self._counted
        if pos < counted_pos:
            counted_pos, counted_offset = 0, self.base
        chunk = self.buf[counted_pos:pos].encode(  # type: ignore[union-attr]
            self.encoding.codec, "surrogatepass"
        )
        self._counted = (pos, counted_offset + len(chunk))
        return self._counted[1]


def _after_bom(encoding: Encoding) -> int:
    """Window position after a byte order mark (decoded, it is one character)."""
    if not encoding.bom:
        return 0
    return 1 if encoding.is_wide else encoding.bom
