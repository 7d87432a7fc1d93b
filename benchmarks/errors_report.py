"""`/errors 7d` over a million stored error events, chart included.

Stores 1,000,000 error events spread over 30 days (300 batches of 40
clients on 10 servers, 3,000 error groups, a few groups far busier than the
rest, more errors at night when batches run), then times `/errors 7d` through
the same router as chat: the report's queries, the chart drawn as a PNG and
kept for Zoom's request, the card. Each run moves the clock one second on, so
no run is served a chart drawn by the one before. Target: under 1 s a run.

Run: ``python -m benchmarks.errors_report [--events N] [--database-url URL]``.
Without ``--database-url`` the store is a SQLite file in a temporary folder;
a PostgreSQL URL gets a private schema, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, func, insert, select, text

from bot import router
from bot.charts import render_chart
from bot.clock import FrozenClock
from bot.config import Settings
from bot.error_report import build_report, rolling_spec
from bot.runtime import Runtime, build_runtime
from bot.schema import upgrade
from bot.store import (
    CATEGORIES,
    Batch,
    Client,
    ErrorEvent,
    ErrorGroup,
    LogSource,
    Server,
    Store,
)

NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
SERVERS = 10
CLIENTS = 40
BATCHES = 300
GROUPS = 3000
CHUNK = 50_000
RUNS = 7
TARGET_S = 1.0
MESSAGES = (
    "ERROR Timeout expired while sending mail to {n}@example.org",
    "FATAL Unable to open import file D:\\Flux\\IN\\adherents_{n}.csv",
    "ERROR Erreur lors de l'export des prestations du lot {n}",
    "ERROR The DELETE statement conflicted with the REFERENCE constraint FK_{n}",
    "ERROR HTTP 503 from https://api.example.org/v2/notifications ({n})",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--database-url", help="PostgreSQL or SQLite URL")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as folder,
        _database(args.database_url, Path(folder)) as url,
    ):
        store = Store(url)
        upgrade(store)
        print(f"store: {store.engine.url.get_backend_name()}")
        seed_s = seed(store, args.events, args.days)
        print(
            f"stored {args.events:,} error events over {args.days} days in "
            f"{seed_s:.1f} s"
        )

        runtime = bench_runtime(store, url, Path(folder))
        figures = measure(runtime, args.runs)
        store.dispose()

    figures.update(
        events=args.events,
        days=args.days,
        seed_s=round(seed_s, 1),
        # Other work on the machine slows every run: say how busy it was.
        load_average_1m=round(os.getloadavg()[0], 2),
        cpus=os.cpu_count(),
    )
    summary = {
        "benchmark": "errors_report",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "figures": figures,
        "targets": {"errors_7d_s": TARGET_S},
        "met": {"errors_7d_s": figures["worst_s"] < TARGET_S},
    }
    print(json.dumps(summary))


@contextmanager
def _database(url: str | None, folder: Path) -> Iterator[str]:
    if url is None:
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    if not url.startswith("postgresql"):
        yield url
        return

    schema = f"batchops_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(store: Store, events: int, days: int) -> float:
    """Store the inventory and ``events`` error events; returns seconds taken."""
    started = time.perf_counter()
    rng = random.Random(20261204)
    with store.engine.begin() as connection:
        connection.execute(insert(Server), _servers())
        connection.execute(insert(Client), _clients())
        connection.execute(insert(Batch), _batches())
        connection.execute(insert(LogSource), _log_sources())
        connection.execute(insert(ErrorGroup), _groups())
        ages = _ages(rng, events, days)
        weights = [1 / (rank + 1) ** 1.1 for rank in range(GROUPS)]
        for first in range(0, events, CHUNK):
            chunk = ages[first : first + CHUNK]
            connection.execute(insert(ErrorEvent), _events(rng, weights, first, chunk))
            done = first + len(chunk)
            if done % (CHUNK * 4) == 0 or done == events:
                print(f"  {done:,} events stored", flush=True)
    _tidy(store)
    return time.perf_counter() - started


def _tidy(store: Store) -> None:
    """What autovacuum does to a live PostgreSQL: statistics, visibility map.

    Without it, PostgreSQL cannot trust an index-only scan just after a bulk
    load and reads the table's pages instead.
    """
    if store.engine.dialect.name != "postgresql":
        return
    with store.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("VACUUM ANALYZE"))


def _ages(rng: random.Random, events: int, days: int) -> list[timedelta]:
    """How long before now each event happened, oldest first, as a scan
    stores them; half come from the nightly runs, 01:00 to 05:00 UTC."""
    ages = []
    for _ in range(events):
        ago = timedelta(days=rng.uniform(0, days))
        if rng.random() < 0.5:
            ago = timedelta(days=ago.days, hours=4.5 + rng.uniform(0, 4))
        ages.append(ago)
    return sorted(ages, reverse=True)


def _servers() -> list[dict[str, object]]:
    return [
        {
            "id": n + 1,
            "name": f"SRV-ORDO-{n + 1:02d}",
            "kind": "winrm",
            "use_ssl": True,
            "cert_validation": True,
            "reachable": True,
        }
        for n in range(SERVERS)
    ]


def _clients() -> list[dict[str, object]]:
    return [{"id": n + 1, "name": f"Mutuelle {n + 1:02d}"} for n in range(CLIENTS)]


def _batches() -> list[dict[str, object]]:
    return [
        {
            "id": n + 1,
            "name": f"{CATEGORIES[n % 5].capitalize()}Batch{n + 1:03d}",
            "server_id": n % SERVERS + 1,
            "client_id": n % CLIENTS + 1,
            "category": CATEGORIES[n % 5],
            "environment": "Production",
            "state": "ready",
        }
        for n in range(BATCHES)
    ]


def _log_sources() -> list[dict[str, object]]:
    return [
        {
            "id": n + 1,
            "batch_id": n + 1,
            "path": f"D:\\Logs\\Batch{n + 1:03d}\\*.log",
            "encoding": "auto",
            "version": 0,
        }
        for n in range(BATCHES)
    ]


def _groups() -> list[dict[str, object]]:
    return [
        {
            "id": g + 1,
            "batch_id": g % BATCHES + 1,
            "fingerprint": f"{g:040x}",
            "level": "ERROR",
            "sample": MESSAGES[g % len(MESSAGES)].format(n=g),
            "count": 0,
            "first_seen": NOW - timedelta(days=60),
            "last_seen": NOW,
            "unalerted": 0,
        }
        for g in range(GROUPS)
    ]


def _events(
    rng: random.Random, weights: list[float], first: int, ages: list[timedelta]
) -> list[dict[str, object]]:
    groups = rng.choices(range(GROUPS), weights, k=len(ages))
    rows = []
    for offset, (group, ago) in enumerate(zip(groups, ages, strict=True)):
        batch = group % BATCHES + 1
        rows.append(
            {
                "log_source_id": batch,
                "batch_id": batch,
                "group_id": group + 1,
                "occurred_at": NOW - ago,
                "read_at": NOW,
                "level": "ERROR",
                "message": MESSAGES[group % len(MESSAGES)].format(n=group),
                "fingerprint": f"{group:040x}",
                "path": f"D:\\Logs\\Batch{batch:03d}\\run.log",
                "offset": (first + offset) * 120,
            }
        )
    return rows


def bench_runtime(store: Store, url: str, folder: Path) -> Runtime:
    settings = Settings.from_env(
        {"DATABASE_URL": url, "BATCHOPS_SECRET_KEY": "benchmark-signing-key-0123"},
        var_dir=folder / "var",
    )
    runtime = build_runtime(settings, clock=FrozenClock(NOW))
    runtime.store.dispose()
    runtime.store = store
    runtime.messenger.store = store  # type: ignore[attr-defined]
    router.load_commands()
    return runtime


def measure(runtime: Runtime, runs: int) -> dict[str, object]:
    """Time `/errors 7d` end to end, then its two halves on their own."""
    timings = []
    for run in range(runs):
        runtime.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
        started = time.perf_counter()
        card = router.dispatch(runtime, _request())
        timings.append(time.perf_counter() - started)
        label = "first run (fonts loaded)" if run == 0 else f"run {run + 1}"
        print(f"/errors 7d, {label}: {timings[-1] * 1000:.0f} ms")

    shown = card["body"][0]["items"][0]["value"].replace("\u202f", "")
    stored = _count_7d(runtime)
    print(f"card total {shown}, events stored in the period {stored}")

    zone = runtime.settings.zone
    spec = rolling_spec("7d", runtime.clock.now(), zone)
    report_s, chart_s = [], []
    for _ in range(runs):
        started = time.perf_counter()
        with runtime.store.session() as session:
            report = build_report(session, spec, zone)
        report_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        png = render_chart(report, zone, runtime.settings.lang)
        chart_s.append(time.perf_counter() - started)
    report_median = statistics.median(report_s)
    chart_median = statistics.median(chart_s)
    print(
        f"median of its parts: queries and frames {report_median * 1000:.0f} ms, "
        f"chart {chart_median * 1000:.0f} ms"
    )

    return {
        "first_s": round(timings[0], 3),
        "median_s": round(statistics.median(timings), 3),
        "worst_s": round(max(timings), 3),
        "report_median_s": round(report_median, 3),
        "chart_median_s": round(chart_median, 3),
        "png_bytes": len(png),
        "events_in_period": stored,
        "card_total_matches": int(shown) == stored,
    }


def _request() -> router.Request:
    return router.Request(
        text="/errors 7d", user_id="bench", user_name="bench", to_jid="bench"
    )


def _count_7d(runtime: Runtime) -> int:
    spec = rolling_spec("7d", runtime.clock.now(), runtime.settings.zone)
    with runtime.store.session() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    ErrorEvent.occurred_at >= spec.start,
                    ErrorEvent.occurred_at < spec.end,
                )
            )
            or 0
        )


if __name__ == "__main__":
    main()
