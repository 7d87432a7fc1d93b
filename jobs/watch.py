"""The watch job: silent batches, failed and overlong runs, every minute.

It also forgets heartbeat runs older than :data:`RUN_RETENTION`, so that the
table stays small whatever the ping rate.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import InstrumentedAttribute

from bot.runtime import Runtime
from bot.store import BatchRun
from bot.watch import WatchReport, check_batches

log = logging.getLogger(__name__)

RUN_RETENTION = timedelta(days=90)


def run_watch_cycle(runtime: Runtime) -> WatchReport:
    """Judge every batch, post the cards due, and drop old runs."""
    report = check_batches(runtime)
    forgotten = forget_older(runtime, BatchRun.last_ping_at, RUN_RETENTION)
    log.info(
        "watch: %d batches %s, %d cards, %d old runs forgotten",
        report.watched,
        report.states,
        report.cards,
        forgotten,
    )
    return report


def forget_older(
    runtime: Runtime, stamp: InstrumentedAttribute[datetime], keep: timedelta
) -> int:
    """Delete the rows whose ``stamp`` is older than ``keep``; how many."""
    cutoff = runtime.clock.now() - keep
    with runtime.store.session() as session:
        result = session.execute(
            delete(stamp.class_)
            .where(stamp < cutoff)
            .execution_options(synchronize_session=False)
        )
    return int(result.rowcount)  # type: ignore[attr-defined]
