"""Scan cycle over many Windows servers at real network latency.

200 fake Windows servers with 10 log sources each answer after 100 ms, like a
WinRM round trip on a LAN. The real scan cycle (``jobs.log_scan``) runs over
them with a real SQLite store: the same planning, log engine, transactions
and alert cards as in production; only the servers are fakes. Two cycles run:
the first reads every log whole, the second only what was appended since.
Targets: one round trip per server per cycle, a cycle under 5 s.

Run: ``python -m benchmarks.remote_scan [--servers N] [--workers N]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.clock import FrozenClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.schema import upgrade
from bot.store import Batch, LogSource, Server
from jobs.log_scan import run_scan_cycle
from tests.fakes.windows import FakeWindowsFiles, FakeWindowsSession

SOURCES_PER_SERVER = 10
LATENCY_S = 0.1
TARGET_CYCLE_S = 5.0
TARGET_ROUND_TRIPS_PER_SERVER = 1
NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
INFO = b"2026-12-04 09:00:01.123|INFO|Acme.Envoi|Mail %d envoye\r\n"
ERROR = b"2026-12-04 09:00:02.456|ERROR|Acme.Envoi|Envoi impossible vers %d\r\n"


def log_text(lines: int, first: int = 0) -> bytes:
    """Mostly INFO lines, one error in a hundred."""
    return b"".join(
        (ERROR if n % 100 == 0 else INFO) % n for n in range(first, first + lines)
    )


def build_fleet(runtime: Runtime, count: int) -> dict[str, FakeWindowsSession]:
    sessions = {}
    with runtime.store.session() as session:
        for number in range(count):
            name = f"SRV-{number:03d}"
            files = FakeWindowsFiles(runtime.clock)
            server = Server(name=name, kind="winrm", host="127.0.0.1")
            session.add(server)
            for source in range(SOURCES_PER_SERVER):
                path = f"D:\\Logs\\Client{source:02d}\\batch.log"
                files.write(path, log_text(200), modified=NOW)
                batch = Batch(name=f"Batch{source:02d}", server=server)
                session.add_all([batch, LogSource(batch=batch, path=path)])
            sessions[name] = FakeWindowsSession(
                name, files=files, latency_s=LATENCY_S, clock=runtime.clock
            )
    return sessions


def append_lines(sessions: dict[str, FakeWindowsSession]) -> None:
    for fake in sessions.values():
        for source in range(SOURCES_PER_SERVER):
            path = f"D:\\Logs\\Client{source:02d}\\batch.log"
            fake.files.append(path, log_text(20, first=5000), modified=NOW)


def run_cycle(
    runtime: Runtime, sessions: dict[str, FakeWindowsSession], workers: int
) -> dict[str, Any]:
    before = sum(fake.round_trips for fake in sessions.values())
    started = time.perf_counter()
    report = run_scan_cycle(runtime, max_workers=workers)
    elapsed = time.perf_counter() - started
    return {
        "cycle_s": round(elapsed, 3),
        "round_trips": sum(fake.round_trips for fake in sessions.values()) - before,
        "error_entries": report.entries,
        "alert_cards": report.alerts_sent,
        "failed_servers": sum(1 for scan in report.servers if scan.error),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=32)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env(
            {"DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}"},
            var_dir=Path(folder),
        )
        clock = FrozenClock(NOW)
        runtime = build_runtime(settings, clock=clock)
        upgrade(runtime.store)
        sessions = build_fleet(runtime, args.servers)
        runtime.open_session = lambda server: sessions[server.name]
        print(
            f"{args.servers} servers x {SOURCES_PER_SERVER} sources, "
            f"{LATENCY_S * 1000:.0f} ms per round trip, {args.workers} workers"
        )

        first = run_cycle(runtime, sessions, args.workers)
        print(f"first cycle (whole logs): {json.dumps(first)}")
        append_lines(sessions)
        second = run_cycle(runtime, sessions, args.workers)
        print(f"next cycle (appended lines): {json.dumps(second)}")
        runtime.store.dispose()

    worst = max(first["cycle_s"], second["cycle_s"])
    per_server = max(first["round_trips"], second["round_trips"]) / args.servers
    print(
        json.dumps(
            {
                "benchmark": "remote_scan",
                "servers": args.servers,
                "sources_per_server": SOURCES_PER_SERVER,
                "latency_s": LATENCY_S,
                "first_cycle": first,
                "next_cycle": second,
                "figures": {"cycle_s": worst, "round_trips_per_server": per_server},
                "targets": {
                    "cycle_s": TARGET_CYCLE_S,
                    "round_trips_per_server": TARGET_ROUND_TRIPS_PER_SERVER,
                },
                "met": {
                    "cycle_s": worst < TARGET_CYCLE_S,
                    "round_trips_per_server": per_server
                    <= TARGET_ROUND_TRIPS_PER_SERVER,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
