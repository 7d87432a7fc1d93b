"""Scan cycle over many Windows servers at real network latency.

200 fake servers with 10 log sources each answer after 100 ms, like a WinRM
round trip on a LAN. Servers are scanned in parallel by a bounded pool. Two
cycles run: the first reads every log whole, the second only what was
appended since. Targets: one round trip per server per cycle, a cycle under
5 s.

Run: ``python -m benchmarks.remote_scan [--servers N] [--workers N]``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from bot.logengine.api import SourceSpec
from integrations.session import ReadRequest, ReadResult, ServerSession
from tests.fakes.windows import FakeWindowsFiles, FakeWindowsSession

SOURCES_PER_SERVER = 10
LATENCY_S = 0.1
TARGET_CYCLE_S = 5.0
TARGET_ROUND_TRIPS_PER_SERVER = 1
LINE = b"2025-03-30 02:00:01.123|ERROR|Acme.Envoi|Envoi impossible vers {n}\r\n"

Checkpoints = dict[str, ReadResult]


def read_all_sources(
    session: ServerSession, sources: list[SourceSpec], checkpoints: Checkpoints
) -> int:
    """Read the new bytes of every source of one server; returns bytes read."""
    requests = [
        _request(source.path, checkpoints.get(source.path)) for source in sources
    ]
    results = session.read_files(requests)
    for result in results:
        checkpoints[result.path] = result
    return sum(len(result.data) for result in results)


def _request(path: str, last: ReadResult | None) -> ReadRequest:
    if last is None:
        return ReadRequest(path)
    return ReadRequest(
        path,
        offset=last.start + len(last.data),
        head_hash=last.head_hash,
        head_length=last.head_length,
    )


scan_server: Callable[[ServerSession, list[SourceSpec], Checkpoints], int]
scan_server = read_all_sources
"""What one cycle runs per server: swap in the real scan job here."""


def build_servers(count: int) -> list[tuple[FakeWindowsSession, list[SourceSpec]]]:
    servers = []
    for number in range(count):
        files = FakeWindowsFiles()
        sources = []
        for source in range(SOURCES_PER_SERVER):
            path = f"D:\\Logs\\Client{source:02d}\\batch.log"
            files.write(
                path, b"".join(LINE.replace(b"{n}", b"%d" % n) for n in range(200))
            )
            sources.append(SourceSpec(path=path))
        session = FakeWindowsSession(
            f"SRV-{number:03d}", files=files, latency_s=LATENCY_S
        )
        servers.append((session, sources))
    return servers


def append_lines(servers: list[tuple[FakeWindowsSession, list[SourceSpec]]]) -> None:
    for session, sources in servers:
        for source in sources:
            session.files.append(source.path, LINE.replace(b"{n}", b"new") * 5)


def run_cycle(servers, checkpoints: list[Checkpoints], workers: int) -> dict:
    before = sum(session.round_trips for session, _ in servers)
    started = time.perf_counter()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        read = list(
            pool.map(
                lambda item: scan_server(item[0][0], item[0][1], item[1]),
                zip(servers, checkpoints, strict=True),
            )
        )

    elapsed = time.perf_counter() - started
    round_trips = sum(session.round_trips for session, _ in servers) - before
    return {
        "cycle_s": round(elapsed, 3),
        "round_trips": round_trips,
        "bytes": sum(read),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=32)
    args = parser.parse_args()

    servers = build_servers(args.servers)
    checkpoints: list[Checkpoints] = [{} for _ in servers]
    print(
        f"{args.servers} servers x {SOURCES_PER_SERVER} sources, "
        f"{LATENCY_S * 1000:.0f} ms per round trip, {args.workers} workers"
    )

    first = run_cycle(servers, checkpoints, args.workers)
    print(
        f"first cycle: {first['cycle_s']:.2f} s, {first['round_trips']} round trips, "
        f"{first['bytes']} bytes"
    )
    append_lines(servers)
    second = run_cycle(servers, checkpoints, args.workers)
    print(
        f"next cycle:  {second['cycle_s']:.2f} s, {second['round_trips']} round trips, "
        f"{second['bytes']} bytes"
    )

    worst_cycle = max(first["cycle_s"], second["cycle_s"])
    per_server = max(first["round_trips"], second["round_trips"]) / args.servers
    summary = {
        "benchmark": "remote_scan",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "servers": args.servers,
        "sources_per_server": SOURCES_PER_SERVER,
        "latency_s": LATENCY_S,
        "workers": args.workers,
        "first_cycle": first,
        "next_cycle": second,
        "cycle_s": worst_cycle,
        "round_trips_per_server": per_server,
        "targets": {
            "cycle_s": TARGET_CYCLE_S,
            "round_trips_per_server": TARGET_ROUND_TRIPS_PER_SERVER,
        },
        "met": {
            "cycle_s": worst_cycle < TARGET_CYCLE_S,
            "round_trips_per_server": per_server <= TARGET_ROUND_TRIPS_PER_SERVER,
        },
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
