"""``batchops logs``: run the log engine on files from the terminal."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from bot.clock import Clock, SystemClock
from bot.logengine import LogEntry, SourceSpec
from bot.logengine.catchup import catch_up
from bot.logengine.decoding import normalise_codec
from integrations.local_folder import LocalFolderSession

DEFAULT_TIMEZONE = "Europe/Paris"


@click.group("logs")
def logs() -> None:
    """Read batch logs with the log engine."""


@logs.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep checkpoints in FILE: a later run prints only what is new.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option(
    "--encoding",
    default="auto",
    show_default=True,
    callback=lambda _ctx, _param, value: _checked_encoding(value),
    help="auto, utf-8, utf-16, utf-16-le, utf-16-be, cp1252 or cp850.",
)
@click.option(
    "--timezone",
    default=lambda: os.environ.get("BATCHOPS_TIMEZONE", DEFAULT_TIMEZONE),
    callback=lambda _ctx, _param, value: _checked_zone(value),
    help="Zone of timestamps written without an offset [BATCHOPS_TIMEZONE].",
)
@click.pass_context
def scan_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    state_file: Path | None,
    as_json: bool,
    encoding: str,
    timezone: str,
) -> None:
    """Print the error entries of the log files PATH..."""
    clock: Clock = ctx.obj.get("clock", SystemClock()) if ctx.obj else SystemClock()
    session = LocalFolderSession("local", Path.cwd())
    saved = _load_state(state_file)
    failed = False

    for path in paths:
        # Run on demand, the end of a file is as complete as it will be.
        spec = SourceSpec(
            path=path, encoding=encoding, timezone=timezone, idle_flush_s=0.0
        )
        entries, saved[path], errors = catch_up(session, spec, saved.get(path), clock)
        for entry in entries:
            click.echo(_as_json(entry) if as_json else _as_line(entry))
        for error in errors:
            failed = True
            click.echo(f"Error: {error}", err=True)

    if state_file is not None:
        _save_state(state_file, saved)
    if failed:
        ctx.exit(1)


def _as_json(entry: LogEntry) -> str:
    record = {
        "path": entry.path,
        "offset": entry.offset,
        "timestamp": entry.timestamp.isoformat().replace("+00:00", "Z"),
        "level": entry.level,
        "message": entry.message,
        "fingerprint": entry.fingerprint,
    }
    return json.dumps(record, ensure_ascii=False)


def _as_line(entry: LogEntry) -> str:
    stamp = entry.timestamp.strftime("%Y-%m-%d %H:%M:%SZ")
    more = entry.message.count("\n")
    tail = f" (+{more} lines)" if more else ""
    return (
        f"{stamp} {entry.level:<5} {entry.path}:{entry.offset} {entry.first_line}{tail}"
    )


def _load_state(state_file: Path | None) -> dict[str, Any]:
    if state_file is None or not state_file.exists():
        return {}
    try:
        data = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise click.ClickException(
            f"cannot read state file {state_file}: {error}"
        ) from error
    return data.get("sources", {}) if isinstance(data, dict) else {}


def _save_state(state_file: Path, saved: dict[str, Any]) -> None:
    partial = state_file.with_name(state_file.name + ".tmp")
    partial.write_text(json.dumps({"sources": saved}, indent=1), encoding="utf-8")
    partial.replace(state_file)


def _checked_encoding(value: str) -> str:
    try:
        return normalise_codec(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


def _checked_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise click.BadParameter(f"unknown time zone: {value}") from error
    return value


if __name__ == "__main__":
    logs()
