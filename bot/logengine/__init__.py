"""The log engine: bytes of batch logs in, error entries out.

Callers use only what this module exports. The engine keeps, per log source,
a JSON-serialisable state (checkpoints, decided encodings, held-back partial
entries) that the caller stores with the source and hands back on the next
scan; the caller never looks inside it.

A scan of one source is two steps, so that reading can be batched per server:

1. ``plan_reads(spec, state, now)`` -> the :class:`ReadRequest` list to send to
   the server session (one request for a file, or a folder request with the
   files already known);
2. ``apply_reads(spec, state, results, now)`` -> :class:`ScanOutcome` with the
   error entries found in the new bytes and the new state.

``now`` is the injected clock's time: it dates entries without a timestamp
and decides when an idle file's held-back last entry is taken.
"""

from bot.logengine.api import (
    LogEntry,
    ScanOutcome,
    SourceSpec,
    apply_reads,
    plan_reads,
)

__all__ = ["LogEntry", "ScanOutcome", "SourceSpec", "apply_reads", "plan_reads"]
