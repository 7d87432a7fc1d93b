"""Reading a log source through a server session until it is caught up.

The scheduled scan batches the reads of many sources into one call per
server; the command line, the benchmark and the tests read one source at a
time, as many rounds as its size needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.clock import Clock
from bot.logengine.api import LogEntry, ScanOutcome, SourceSpec, apply_reads, plan_reads
from integrations.session import ServerSession

MAX_ROUNDS = 100_000
"""A guard: a file is read in rounds of at most ``max_bytes`` each."""


def rounds(
    session: ServerSession,
    spec: SourceSpec,
    state: dict[str, Any] | None,
    clock: Clock,
) -> Iterator[ScanOutcome]:
    """Scan ``spec`` round after round until nothing is left to read."""
    for _ in range(MAX_ROUNDS):
        now = clock.now()
        results = session.read_files(plan_reads(spec, state, now))
        outcome = apply_reads(spec, state, results, now)
        yield outcome
        caught_up = outcome.state == state or all(
            r.error or r.start + len(r.data) >= r.size for r in results
        )
        state = outcome.state
        if caught_up:
            return


def catch_up(
    session: ServerSession,
    spec: SourceSpec,
    state: dict[str, Any] | None,
    clock: Clock,
) -> tuple[list[LogEntry], dict[str, Any], list[str]]:
    """Read ``spec`` until nothing is left; its entries, new state and errors."""
    entries: list[LogEntry] = []
    outcome = None
    for outcome in rounds(session, spec, state, clock):
        entries += outcome.entries
    if outcome is None:
        return entries, state or {}, []
    return entries, outcome.state, outcome.errors
