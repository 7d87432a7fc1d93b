"""APScheduler set-up: every scheduled job of batchops, in one place."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.runtime import Runtime
from jobs import reports
from jobs.log_scan import run_scan_cycle
from jobs.probes import run_probe_cycle
from jobs.task_sync import run_task_sync
from jobs.watch import run_watch_cycle

log = logging.getLogger(__name__)

SCAN_EVERY = timedelta(minutes=1)
WATCH_EVERY = timedelta(minutes=1)
PROBE_EVERY = timedelta(seconds=30)
TASK_SYNC_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class JobSpec:
    id: str
    description: str
    trigger: BaseTrigger
    run: Callable[[Runtime], object]
    at_start: bool = False
    """Also run once as soon as the scheduler starts."""


def job_specs(runtime: Runtime) -> list[JobSpec]:
    zone = runtime.settings.zone
    return [
        JobSpec(
            "log_scan",
            "scan every log source and post alert cards",
            IntervalTrigger(seconds=int(SCAN_EVERY.total_seconds()), timezone=zone),
            run_scan_cycle,
        ),
        JobSpec(
            "watch",
            "post an alert for each batch whose due run left no trace",
            IntervalTrigger(seconds=int(WATCH_EVERY.total_seconds()), timezone=zone),
            run_watch_cycle,
        ),
        JobSpec(
            "probes",
            "check the API probes that are due and post down and back cards",
            IntervalTrigger(seconds=int(PROBE_EVERY.total_seconds()), timezone=zone),
            run_probe_cycle,
        ),
        JobSpec(
            "task_sync",
            "compare the servers' scheduled tasks with the inventory",
            IntervalTrigger(
                seconds=int(TASK_SYNC_EVERY.total_seconds()), timezone=zone
            ),
            run_task_sync,
        ),
        JobSpec(
            "weekly_report",
            "post the past week's error chart to the team's channel",
            reports.weekly_trigger(zone),
            reports.post_weekly_report,
        ),
        *_daily_report(runtime),
        JobSpec(
            "report_catch_up",
            "post a report missed while batchops was down, marked late",
            IntervalTrigger(
                seconds=int(reports.CATCH_UP_EVERY.total_seconds()), timezone=zone
            ),
            reports.post_due_reports,
            at_start=True,
        ),
    ]


def _daily_report(runtime: Runtime) -> list[JobSpec]:
    if not runtime.settings.daily_report:
        return []
    return [
        JobSpec(
            "daily_report",
            "post the last 24 hours' error chart to the team's channel",
            reports.daily_trigger(runtime.settings.zone),
            reports.post_daily_report,
        )
    ]


def build_scheduler(runtime: Runtime) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=runtime.settings.zone)
    for spec in job_specs(runtime):
        first_run = {"next_run_time": runtime.clock.now()} if spec.at_start else {}
        scheduler.add_job(
            _logged(spec, runtime),
            spec.trigger,
            id=spec.id,
            name=spec.description,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(SCAN_EVERY.total_seconds()),
            **first_run,
        )
    return scheduler


def _logged(spec: JobSpec, runtime: Runtime) -> Callable[[], None]:
    def run() -> None:
        started = time.monotonic()
        try:
            spec.run(runtime)
        except Exception:
            log.exception("job %s failed", spec.id)
            return
        log.info(
            "job %s: done in %.0f ms", spec.id, (time.monotonic() - started) * 1000
        )

    return run


def next_runs(runtime: Runtime) -> list[tuple[JobSpec, datetime | None]]:
    """Each job with its next run, in the configured zone."""
    now = runtime.clock.now().astimezone(runtime.settings.zone)
    return [
        (spec, spec.trigger.get_next_fire_time(None, now))
        for spec in job_specs(runtime)
    ]
