"""How fast the log engine reads a big batch log, against grep.

Generates a realistic batch log (NLog lines in French and English, about 1 %
error entries, half of them with a .NET stack trace) in a temporary folder,
then measures in one run on the same file, in turns, a few times: the
engine's full scan, and ``grep -c -E 'ERROR|FATAL'`` (their medians are
compared); then appends 1 MB and measures the incremental scan against a
fresh scan of a 1 MB file. Peak memory is the maximum resident set of this
process plus that of the needle search's helper process, if it ran. Ends with
one line of JSON: figures, targets, verdicts.

    python -m benchmarks.log_scan [--size-mb 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import FrozenClock
from bot.logengine import SourceSpec, needles
from bot.logengine.catchup import rounds
from integrations.local_folder import LocalFolderSession

TARGET_RATIO_TO_GREP = 5.0
TARGET_INCREMENTAL_RATIO = 2.0
TARGET_PEAK_MB = 200.0
ERROR_SHARE = 0.01
TRACE_SHARE = 0.5
START = datetime(2024, 10, 1, 22, 0, tzinfo=UTC)

CLIENTS = ("MutuelleNord", "AssurOuest", "Prevoyance Sud", "CaisseCentre")
INFO = (
    "Début du traitement du lot {n} pour le client {c}",
    "Import du fichier C:\\Batch\\{c}\\in\\contrats_{n}.csv terminé : {n} lignes",
    "Sending notification mail to adherent {n}@example.org (template RELANCE)",
    "Purge RGPD : {n} enregistrements supprimés de la table Adherents",
    "Export vers \\\\srv-files\\exports\\{c}\\extract_{n}.xml réussi",
    "Calling https://api.example.com/v2/contracts/{g} returned 200 in {n} ms",
    "Processed record {g} for contract {n}",
    "Connexion à la base SQLPROD{n} établie",
    "Batch step {n}/12 completed, 0 errors",
    "Contrat {n} : aucune erreur détectée",
)
WARNINGS = (
    "Retry {n} for request {g} after timeout",
    "Le fichier {n}.csv est vide, ignoré",
)
ERRORS = (
    "Échec de l'import du fichier C:\\Batch\\{c}\\in\\contrats_{n}.csv",
    "An error occurred while sending mail to adherent {n}@example.org",
    "Timeout calling https://api.example.com/v2/contracts/{g}",
    "Unexpected error processing record {g}",
)
EXCEPTIONS = (
    "System.IO.IOException: The process cannot access the file because it is"
    " being used by another process.",
    "System.Data.SqlClient.SqlException (0x80131904): Timeout expired.",
    "System.Net.Http.HttpRequestException: Response status code does not"
    " indicate success: 503 (Service Unavailable).",
)
FRAMES = (
    "   at Batch.Import.ContractReader.ReadLine(String line) in"
    " D:\\Build\\Batch\\ContractReader.cs:line {n}",
    "   at System.Data.SqlClient.SqlConnection.OnError(SqlException exception,"
    " Boolean breakConnection)",
    "   at System.Net.Http.HttpClient.SendAsync(HttpRequestMessage request)",
    "   à Batch.Export.Writer.Flush() dans D:\\Build\\Batch\\Writer.cs:ligne {n}",
    "--- End of stack trace from previous location ---",
    "   at Batch.Program.Main(String[] args) in D:\\Build\\Batch\\Program.cs:line {n}",
)


class BatchLog:
    """Writes a batch log that reads like the team's, a piece at a time."""

    def __init__(self, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.moment = START

    def write(self, path: Path, size: int) -> int:
        """Append about ``size`` bytes of entries to ``path``; error entries."""
        errors = 0
        written = 0
        with open(path, "ab") as out:
            while written < size:
                chunk, chunk_errors = self._chunk(min(1 << 20, size - written))
                out.write(chunk)
                written += len(chunk)
                errors += chunk_errors
        return errors

    def _chunk(self, size: int) -> tuple[bytes, int]:
        lines: list[str] = []
        length = errors = 0
        while length < size:
            entry, is_error = self._entry()
            lines.append(entry)
            length += len(entry) + 20
            errors += is_error
        return "".join(lines).encode("utf-8"), errors

    def _entry(self) -> tuple[str, bool]:
        rnd = self.random
        self.moment += timedelta(milliseconds=rnd.randrange(1, 400))
        stamp = (
            self.moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{rnd.randrange(10000):04d}"
        )
        fields = {
            "c": rnd.choice(CLIENTS),
            "n": rnd.randrange(100_000),
            "g": _guid(rnd.getrandbits(128)),
        }
        roll = rnd.random()
        if roll < ERROR_SHARE:
            return self._error(stamp, fields), True
        if roll < 0.04:
            return f"{stamp} WARN {rnd.choice(WARNINGS).format(**fields)}\r\n", False
        level = "DEBUG" if roll < 0.3 else "INFO"
        return f"{stamp} {level} {rnd.choice(INFO).format(**fields)}\r\n", False

    def _error(self, stamp: str, fields: dict[str, object]) -> str:
        rnd = self.random
        lines = [f"{stamp} ERROR {rnd.choice(ERRORS).format(**fields)}"]
        if rnd.random() < TRACE_SHARE:
            lines.append(rnd.choice(EXCEPTIONS))
            for _ in range(rnd.randrange(4, 15)):
                lines.append(rnd.choice(FRAMES).format(n=rnd.randrange(500)))
        return "\r\n".join(lines) + "\r\n"


def _guid(bits: int) -> str:
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def scan(path: Path, state: dict | None) -> tuple[float, int, dict]:
    """Seconds to read ``path`` from ``state`` on, entries found, new state."""
    session = LocalFolderSession("benchmark", path.parent)
    spec = SourceSpec(path=path.name, timezone="Europe/Paris", idle_flush_s=0)
    clock = FrozenClock(START + timedelta(days=30))
    found = 0
    started = time.perf_counter()
    for outcome in rounds(session, spec, state, clock):
        found += len(outcome.entries)
        state = outcome.state
    return time.perf_counter() - started, found, state or {}


def grep_seconds(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(
        ["grep", "-c", "-E", "ERROR|FATAL", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - started, int(done.stdout.strip() or 0)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def helper_peak_mb() -> float:
    """Peak resident set of the needle search helper (Linux), then stop it."""
    pid = needles.helper_pid()
    peak_kb = 0
    if pid is not None:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as status:
            peak_kb = next(
                (int(line.split()[1]) for line in status if line.startswith("VmHWM")),
                0,
            )
    needles.stop_helper()
    return peak_kb / 1024


def run(size_mb: int, append_mb: int, rounds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="batchops-bench-") as folder:
        big = Path(folder) / "batch.log"
        log = BatchLog()
        print(f"generating a {size_mb} MB batch log in {folder} ...", flush=True)
        written = log.write(big, size_mb << 20)
        print(f"  {big.stat().st_size / 2**20:.0f} MB, {written} error entries")

        grep_runs, full_runs = [], []
        for _ in range(rounds):
            # Taken in turns, so that both see the machine as busy as it is.
            grep_s, grep_lines = grep_seconds(big)
            print(f"grep -c -E 'ERROR|FATAL': {grep_s:.3f} s ({grep_lines} lines)")
            full_s, found, state = scan(big, None)
            print(f"engine, full scan: {full_s:.3f} s ({found} error entries)")
            print(f"  ratio to grep: {full_s / grep_s:.2f}", flush=True)
            grep_runs.append(grep_s)
            full_runs.append(full_s)
        grep_s, full_s = statistics.median(grep_runs), statistics.median(full_runs)
        print(f"medians: grep {grep_s:.3f} s, engine {full_s:.3f} s", flush=True)

        appended = log.write(big, append_mb << 20)
        incremental_s, new, _ = scan(big, state)
        print(f"engine, {append_mb} MB appended: {incremental_s:.3f} s ({new} new)")
        fresh = Path(folder) / "fresh.log"
        BatchLog(seed=11).write(fresh, append_mb << 20)
        fresh_s, _, _ = scan(fresh, None)
        print(f"engine, fresh {append_mb} MB file: {fresh_s:.3f} s")
        own_mb, helper_mb = peak_mb(), helper_peak_mb()
        print(f"peak memory: {own_mb:.0f} MB, and {helper_mb:.0f} MB in the helper")

    figures = {
        "size_mb": size_mb,
        "rounds": rounds,
        "error_entries_written": written,
        "error_entries_found": found,
        "grep_s": round(grep_s, 3),
        "engine_full_s": round(full_s, 3),
        "ratio_to_grep": round(full_s / grep_s, 2),
        "appended_entries_written": appended,
        "appended_entries_found": new,
        "incremental_s": round(incremental_s, 4),
        "fresh_1mb_s": round(fresh_s, 4),
        "incremental_ratio": round(incremental_s / fresh_s, 2),
        "peak_mb": round(own_mb + helper_mb, 1),
        "helper_peak_mb": round(helper_mb, 1),
    }
    targets = {
        "ratio_to_grep": TARGET_RATIO_TO_GREP,
        "incremental_ratio": TARGET_INCREMENTAL_RATIO,
        "peak_mb": TARGET_PEAK_MB,
    }
    met = {name: figures[name] <= limit for name, limit in targets.items()}  # type: ignore[operator]
    met["all_entries_found"] = found == written and new == appended
    return {"figures": figures, "targets": targets, "met": met}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--append-mb", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.size_mb, args.append_mb, args.rounds)))


if __name__ == "__main__":
    main()
