"""The watch job: silent batches, failed and overlong runs, every minute.

It also forgets heartbeat runs older than :data:`RUN_RETENTION`, so that the
table stays small whatever the ping rate.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete

from bot.runtime import Runtime
from bot.store import BatchRun
from bot.watch import WatchReport, check_batches

log = logging.getLogger(__name__)

RUN_RETENTION = timedelta(days=90)


def run_watch_cycle(runtime: Runtime) -> WatchReport:
    """Judge every batch, post the cards due, and drop old runs."""
    report = check_batches(runtime)
    forgotten = forget_old_runs(runtime)
    log.info(
        "watch: %d batches %s, %d cards, %d old runs forgotten",
        report.watched,
        report.states,
        report.cards,
        forgotten,
    )
    return report


def forget_old_runs(runtime: Runtime) -> int:
    cutoff = runtime.clock.now() - RUN_RETENTION
    with runtime.store.session() as session:
        result = session.execute(
            delete(BatchRun)
            .where(BatchRun.last_ping_at < cutoff)
            .execution_options(synchronize_session=False)
        )
    return int(result.rowcount)  # type: ignore[attr-defined]
