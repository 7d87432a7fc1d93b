"""Which lines start a log entry, and at what level.

A line starts an entry when it starts with a timestamp or a level. The level
is read from where each known format writes it:

- at the start of the line: log4net's ``ERROR 2024-...``, Microsoft.Extensions
  .Logging's ``fail:``, ``[ERR]``, a bare ``Erreur``;
- among the first fields after the timestamp: NLog's ``|Error|``, Serilog's
  ``[ERR]``, ``[ERROR]``, a CSV column, the team's ``time date status``;
- in a JSON line: Serilog's ``"Level":"Error"`` or ``"@l"``;
- through the log source's own pattern, for anything else.

A line with a timestamp and no level is an error when its message says
``error``, ``erreur`` or ``fatal`` (``0 errors`` and ``no error`` do not
count). Runtime crash banners (``Unhandled exception.``) start a FATAL entry.
"""

from __future__ import annotations

import json
import re

from bot.logengine.timestamps import (
    ISO_STAMP,
    SEPARATORS,
    Leading,
    Stamp,
    find_leading,
)

ERROR = "ERROR"
FATAL = "FATAL"
REPORTED = frozenset({ERROR, FATAL})

_WORDS = {
    "ERROR": ERROR,
    "ERR": ERROR,
    "ERREUR": ERROR,
    "FATAL": FATAL,
    "FTL": FATAL,
    "CRITICAL": FATAL,
    "CRIT": FATAL,
    "CRITIQUE": FATAL,
    "WARN": "WARN",
    "WARNING": "WARN",
    "WRN": "WARN",
    "AVERTISSEMENT": "WARN",
    "INFO": "INFO",
    "INF": "INFO",
    "INFORMATION": "INFO",
    "NOTICE": "INFO",
    "DEBUG": "DEBUG",
    "DBG": "DEBUG",
    "TRACE": "TRACE",
    "TRC": "TRACE",
    "VERBOSE": "TRACE",
    "VRB": "TRACE",
}
"""Level words of the known formats, in upper case, to the engine's levels."""

_CODES = frozenset({"ERR", "FTL", "WRN", "INF", "DBG", "VRB", "TRC", "CRIT"})
"""Short codes, only ever written in upper case."""

_EVENT_LEVELS = {
    "fail": ERROR,
    "crit": FATAL,
    "warn": "WARN",
    "info": "INFO",
    "dbug": "DEBUG",
    "trce": "TRACE",
}
"""Microsoft.Extensions.Logging console levels: lower case, then a colon."""

_NOT_TALLIED = "".join(
    rf"(?<!\b{tally} {word})"
    for tally in ("aucune", "Aucune", "sans", "no", "No")
    for word in ("error", "erreur")
)
_NOT_TALLIED += "".join(rf"(?<!\s[0-9] {word})" for word in ("error", "erreur"))
"""Counts that say there was no error (see :func:`says_error`) are not
looked at: a level word is never written after them."""

NEEDLES = (
    r"R(?:R|IT)",
    r"F(?:ATAL|TL|atal)",
    r"r(?:r(?:or|eur)(?!s)" + _NOT_TALLIED + r"|it(?:ical|ique|:))",
)
"""Every way of writing an error level or keyword contains one of these, but
for the lower-case words that only count at the start of a line. Each starts
with one fixed character, which the regex engine finds fast; a line is looked
at only when one of them occurs in it."""
LINE_START_NEEDLE = r"\[?(?:fatal|fail:|Un(?:handled|behandelte)|Exception non g)"
"""What starts a line in lower case (``fatal``, ``fail:``) or a crash banner."""

_WORD = r"[A-Za-zÉé]+"
_LEADING_LEVEL = re.compile(r"\[?(" + _WORD + r")\]?(?=[\s:|\],]|$)")
_CRASH = re.compile(
    r"(?:Unhandled [Ee]xception[.:]|Unbehandelte Ausnahme:|Exception non g[ée]r[ée]e)"
)
_EXCHANGE_DEPTH = re.compile(r"\[\d+\] ")
"""ExchangeSetup-style lines: a level is written only for errors and warnings."""

_KEYWORD = re.compile(
    r"(?<![\w.$-])(error|Error|ERROR|erreur|Erreur|ERREUR|Fatal|FATAL)"
    r"(?![\w-])"
)
_TALLY = re.compile(
    r"(?:(?:^|\s)\d+|\bno|\bNo|\bzero|\baucune?|\bAucune?|\bsans|\bwithout)[\s(]*$"
)
_FIELD = r"\[[^\]]*\]|[^\s,|;]+"
_HEADER_FIELD = re.compile(_FIELD)
_FIELD_MARKS = "[]()\"':"
USUAL_LINE = ISO_STAMP + SEPARATORS + "(?P<field>" + _FIELD + ")"
"""The usual line: an ISO timestamp, then the level as its first field."""
_ISO_THEN_FIELD = re.compile(USUAL_LINE)
_HEADER_FIELDS = 10
_PROSE = re.compile(r"(?![A-Fa-f]+$)[A-Za-z][a-z]{2,}")
_JSON_LEVEL = re.compile(r'"(?:Level|level|@l|LogLevel|severity)"\s*:\s*"(\w+)"')
_JSON_TIME = re.compile(
    r'"(?:Timestamp|timestamp|@t|time|Time|@timestamp)"\s*:\s*"([^"]+)"'
)
_JSON_MESSAGE = ("MessageTemplate", "@mt", "@m", "message", "Message", "msg")
_JSON_EXCEPTION = ("Exception", "@x", "exception")


class Header:
    """What the first line of an entry says about it.

    ``level`` is ERROR, FATAL, WARN, INFO, DEBUG, TRACE, or None when not
    written. The rest is worked out when asked for: most headers are looked at
    only for their level.
    """

    __slots__ = ("level", "_when", "_message", "_trim", "_json", "_stamp")

    def __init__(
        self,
        level: str | None,
        when: Leading | None,
        message: str,
        *,
        trim: bool = False,
        json_line: str | None = None,
    ) -> None:
        self.level = level
        self._when = when
        self._message = message
        self._trim = trim
        self._json = json_line
        self._stamp: Stamp | None = None

    @property
    def stamp(self) -> Stamp | None:
        if self._stamp is None and self._when is not None:
            self._stamp = self._when.stamp()
        return self._stamp

    @property
    def summary(self) -> str:
        """The message part of the line: what its fingerprint is taken from."""
        if self._json is not None:
            return _json_message(self._json)[0]
        return _drop_fields(self._message) if self._trim else self._message

    @property
    def detail(self) -> str:
        """More text that identifies the failure (a JSON line's exception)."""
        return _json_message(self._json)[1] if self._json is not None else ""


def usual_level(field: str) -> str | None:
    """The level a usual line's first field gives (see :data:`USUAL_LINE`)."""
    return level_of(field.strip(_FIELD_MARKS))


def level_of(word: str) -> str | None:
    """The engine's level for a word a format writes, or None."""
    upper = word.upper()
    if upper in _CODES and word != upper:
        return None
    if not (word.isupper() or word.islower() or word.istitle()):
        return None
    return _WORDS.get(upper)


def read_header(line: str, custom: re.Pattern[str] | None = None) -> Header | None:
    """The header of ``line`` when it starts an entry, else None."""
    if not line or line[0] in " \t":
        return None

    if custom is not None:
        header = _custom_header(line, custom)
        if header is not None:
            return header

    first = line[0]
    if first == "{":
        return _json_header(line)
    if first.isalpha() or first == "[":
        header = _leading_level_header(line)
        if header is not None:
            return header
    return _stamped_header(line)


def says_error(text: str) -> bool:
    """True when a message without a level reports an error."""
    for match in _KEYWORD.finditer(text):
        if not _TALLY.search(text, 0, match.start()):
            return True
    return False


def _custom_header(line: str, custom: re.Pattern[str]) -> Header | None:
    match = custom.search(line)
    if match is None:
        return None
    word = match.group("level")
    level = level_of(word) or word.upper()
    return Header(level, find_leading(line), line[match.end() :])


def _leading_level_header(line: str) -> Header | None:
    crash = _CRASH.match(line)
    if crash:
        return Header(FATAL, None, line)

    match = _LEADING_LEVEL.match(line)
    if match is None:
        return None
    word = match.group(1)
    is_event_word = word in _EVENT_LEVELS and line[match.end() : match.end() + 1] == ":"
    level = _EVENT_LEVELS[word] if is_event_word else level_of(word)
    if level is None:
        return None

    rest = line[match.end() :].lstrip(" :|]\t")
    when = find_leading(rest)
    if when is None:
        return Header(level, None, rest)
    return Header(level, when, rest[when.rest :], trim=True)


def _stamped_header(line: str) -> Header | None:
    usual = _ISO_THEN_FIELD.match(line) if line[0].isdigit() else None
    if usual is not None:
        # The reading of read_stamped_header, in one step, for the usual line.
        level = usual_level(usual["field"])
        if level is not None:
            when = Leading("iso", usual, usual.start("field"))
            return Header(level, when, line[usual.end() :], trim=True)
    return read_stamped_header(line)


def read_stamped_header(line: str) -> Header | None:
    """The header of a line that starts with a timestamp, field by field."""
    when = find_leading(line)
    if when is None:
        return None
    rest = line[when.rest :]

    level, message_start = _level_in_fields(rest)
    if level is not None:
        return Header(level, when, rest[message_start:], trim=True)
    if not _EXCHANGE_DEPTH.match(rest) and says_error(rest):
        return Header(ERROR, when, rest)
    return Header(None, when, rest)


def _level_in_fields(rest: str) -> tuple[str | None, int]:
    """A level among the first fields after a timestamp, and where it ends."""
    for count, match in enumerate(_HEADER_FIELD.finditer(rest)):
        if count >= _HEADER_FIELDS:
            break
        token = match.group().strip(_FIELD_MARKS)
        # Past the first field, a lower-case level word is a word of the text.
        level = level_of(token) if count == 0 or not token.islower() else None
        if level is not None:
            return level, match.end()
        if _PROSE.fullmatch(token) or match.group().endswith(":"):
            break
    return None, 0


def _drop_fields(message: str) -> str:
    """The message without the bracketed fields (thread, depth) before it."""
    message = message.lstrip(" :|-,\t")
    while message.startswith("["):
        close = message.find("]")
        if close < 0:
            break
        message = message[close + 1 :].lstrip(" :|-,\t")
    return message


def _json_header(line: str) -> Header | None:
    level_match = _JSON_LEVEL.search(line)
    time_match = _JSON_TIME.search(line)
    if level_match is None and time_match is None:
        return None

    # Serilog's compact format leaves the level out for Information.
    level = level_of(level_match.group(1)) if level_match else "INFO"
    when = find_leading(time_match.group(1)) if time_match else None
    return Header(level, when, "", json_line=line)


def _json_message(line: str) -> tuple[str, str]:
    try:
        record = json.loads(line)
    except ValueError:
        return line, ""
    if not isinstance(record, dict):
        return line, ""

    summary = next((str(record[k]) for k in _JSON_MESSAGE if k in record), line)
    detail = next((str(record[k]) for k in _JSON_EXCEPTION if k in record), "")
    return summary, detail
