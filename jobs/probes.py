"""The probe job: every due API probe checked in parallel, every 30 s.

It also forgets checks older than :data:`RESULT_RETENTION`; ``/batch probe``
shows only the last 24 h.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.probes import due_probes, run_probes
from bot.runtime import Runtime
from bot.store import ProbeResult
from jobs.watch import forget_older

log = logging.getLogger(__name__)

RESULT_RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class ProbeCycle:
    checked: int
    failed: int


def run_probe_cycle(runtime: Runtime) -> ProbeCycle:
    """Check the probes whose interval has passed and post the cards due."""
    checks = run_probes(runtime, due_probes(runtime, runtime.clock.now()))
    forgotten = forget_older(runtime, ProbeResult.checked_at, RESULT_RETENTION)
    cycle = ProbeCycle(len(checks), sum(1 for check in checks if not check.ok))
    log.info(
        "probes: %d checked, %d failed, %d old results forgotten",
        cycle.checked,
        cycle.failed,
        forgotten,
    )
    return cycle
