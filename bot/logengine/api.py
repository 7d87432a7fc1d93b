"""Public types and entry points of the log engine."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.logengine import sources
from bot.logengine.checkpoint import SourceState
from bot.logengine.dateorder import normalise_date_order
from bot.logengine.decoding import normalise_codec
from bot.logengine.reading import LogEntry, ReadSettings
from bot.logengine.timestamps import Clockwork
from integrations.session import ReadRequest, ReadResult


@dataclass(frozen=True)
class SourceSpec:
    """Where a log source is and how to read it."""

    path: str
    """A file, or a folder when ``pattern`` is set."""
    pattern: str | None = None
    encoding: str = "auto"
    """``auto``, or a codec name: utf-8, utf-16-le, utf-16-be, cp1252, cp850."""
    timezone: str = "Europe/Paris"
    """Zone of timestamps written without an offset."""
    level_pattern: str | None = None
    """A regex with a group named ``level`` for formats the engine does not know."""
    idle_flush_s: float = 120.0
    """Take a held-back last entry once the file has been idle this long."""
    max_bytes: int = 8 * 1024 * 1024
    """At most this many bytes are read from one file in one scan."""
    date_order: str = "auto"
    """Order of day and month in dates that may be read either way (``03/07``):
    ``auto`` (what each file's timestamps show; until they do, slashed dates
    are read day first and dashed ones month first), ``dmy`` or ``mdy``."""


@dataclass
class ScanOutcome:
    entries: list[LogEntry]
    state: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    """Short reasons for files that could not be read this time."""


def plan_reads(
    spec: SourceSpec, state: dict[str, Any] | None, now: datetime
) -> list[ReadRequest]:
    """The reads that bring ``spec`` up to date from ``state``."""
    return sources.plan(spec, SourceState.from_json(state))


def apply_reads(
    spec: SourceSpec,
    state: dict[str, Any] | None,
    results: list[ReadResult],
    now: datetime,
) -> ScanOutcome:
    """The error entries in ``results`` and the state that follows them.

    Applying the same results to the same state gives the same outcome, so a
    scan whose outcome was not stored can simply be done again.
    """
    source = SourceState.from_json(state)
    settings = ReadSettings(
        codec=normalise_codec(spec.encoding),
        date_order=normalise_date_order(spec.date_order),
        custom=re.compile(spec.level_pattern) if spec.level_pattern else None,
        clock=Clockwork(spec.timezone, now),
    )
    context = sources.ScanContext(spec, settings)
    entries, errors = sources.apply(context, source, results)
    return ScanOutcome(entries, source.to_json(), errors)
