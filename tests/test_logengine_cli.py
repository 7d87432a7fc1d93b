"""``batchops logs scan``: the log engine on any file, from the terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli_logs import logs
from bot.clock import FrozenClock
from tests.test_logengine_helpers import DATA, NOW

ERROR_LINE = "2025-01-06 08:00:01.0000 ERROR Import interrompu"


def run(*args: str) -> Result:
    runner = CliRunner()
    return runner.invoke(logs, ["scan", *args], obj={"clock": FrozenClock(NOW)})


@pytest.fixture
def batch_log(tmp_path: Path) -> Path:
    path = tmp_path / "batch.log"
    path.write_text(
        "2025-01-06 08:00:00.0000 INFO Début\n"
        f"{ERROR_LINE}\n   at Batch.Import.Run()\n"
        "2025-01-06 08:00:02.0000 INFO Fin\n",
        encoding="utf-8",
    )
    return path


def test_it_prints_one_json_object_per_error_entry(batch_log: Path) -> None:
    result = run(str(batch_log), "--json", "--timezone", "Europe/Paris")

    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in result.output.splitlines()]
    assert record == {
        "path": str(batch_log),
        "offset": 37,
        "timestamp": "2025-01-06T07:00:01Z",
        "level": "ERROR",
        "message": f"{ERROR_LINE}\n   at Batch.Import.Run()",
        "fingerprint": record["fingerprint"],
    }
    assert len(record["fingerprint"]) == 40


def test_it_prints_a_short_line_per_entry_by_default(batch_log: Path) -> None:
    result = run(str(batch_log), "--timezone", "UTC")

    assert result.output == (
        f"2025-01-06 08:00:01Z ERROR {batch_log}:37 {ERROR_LINE} (+1 lines)\n"
    )


def test_it_prints_only_what_is_new_with_a_state_file(
    batch_log: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    first = run(str(batch_log), "--json", "--state", str(state))
    assert len(first.output.splitlines()) == 1

    assert run(str(batch_log), "--json", "--state", str(state)).output == ""

    with open(batch_log, "a", encoding="utf-8") as handle:
        handle.write("2025-01-06 08:00:09.0000 FATAL Arrêt\n")
    again = run(str(batch_log), "--json", "--state", str(state))
    assert [json.loads(line)["level"] for line in again.output.splitlines()] == [
        "FATAL"
    ]


def test_it_reads_the_encoding_it_is_told(tmp_path: Path) -> None:
    path = tmp_path / "purge.log"
    path.write_bytes("08:00:03 09/10/2024 Erreur accès refusé\n".encode("cp850"))

    result = run(str(path), "--json", "--encoding", "cp850")
    assert json.loads(result.output)["message"] == (
        "08:00:03 09/10/2024 Erreur accès refusé"
    )


def test_it_reads_many_files_in_one_run() -> None:
    paths = [
        str(DATA / "open" / "exchange-setup-msi-error-1612.log"),
        str(DATA / "open" / "log4net-abp-redis-dns-fatal-utf8bom.log"),
    ]
    result = run(*paths, "--json")

    records = [json.loads(line) for line in result.output.splitlines()]
    assert [sum(r["path"] == p for r in records) for p in paths] == [9, 2]


def test_it_says_which_file_it_could_not_read(tmp_path: Path) -> None:
    result = run(str(tmp_path / "missing.log"))

    assert result.exit_code == 1
    assert "Error: " in result.output and "file not found" in result.output


@pytest.mark.parametrize(
    ("option", "value"), [("--encoding", "ebcdic"), ("--timezone", "Mars/Olympus")]
)
def test_it_refuses_a_setting_it_does_not_know(
    batch_log: Path, option: str, value: str
) -> None:
    result = run(str(batch_log), option, value)

    assert result.exit_code == 2
    assert value in result.output


def test_it_runs_as_a_module(batch_log: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli_logs", "scan", "--json", str(batch_log)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["level"] == "ERROR"
