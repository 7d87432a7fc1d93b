"""Task Scheduler's last-run results and run times, in words.

Values come from ``Get-ScheduledTaskInfo`` (unsigned) or ``schtasks``
(signed 32-bit: 0x80070002 prints as -2147024894), so both are normalised to
unsigned first. Constants are Task Scheduler's SCHED_S_* / SCHED_E_* codes and
two Win32 codes the scheduler reports for a task's program.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from integrations.windows.ps_json import parse_ps_datetime

_KINDS: dict[int, str] = {
    0x0: "success",
    0x41300: "ready",
    0x41301: "running",
    0x41302: "disabled",
    0x41303: "never_run",
    0x41306: "terminated",
    0x8004131F: "already_running",
    0x800710E0: "refused",
    0xC000013A: "killed",
}

_TEXTS: dict[str, dict[str, str]] = {
    "success": {"en": "success", "fr": "succès"},
    "ready": {"en": "ready", "fr": "prête"},
    "running": {"en": "running", "fr": "en cours"},
    "disabled": {"en": "disabled", "fr": "désactivée"},
    "never_run": {"en": "never run", "fr": "jamais exécutée"},
    "terminated": {"en": "stopped by a user", "fr": "arrêtée par un utilisateur"},
    "already_running": {"en": "already running", "fr": "déjà en cours"},
    "refused": {"en": "start refused", "fr": "démarrage refusé"},
    "killed": {"en": "killed (Ctrl-C)", "fr": "tuée (Ctrl-C)"},
    "exit_code": {"en": "exit code {code}", "fr": "code de sortie {code}"},
}

FAILURE_KINDS = frozenset({"exit_code", "killed", "refused", "terminated"})
"""Results that mean the last run did not do its work."""

NEVER_RUN_DATE = datetime(1999, 11, 30)
"""What Task Scheduler shows as the last run time of a task that never ran."""

_NEVER_RUN_SLACK_S = 14 * 3600
"""The never-run date comes in the server's zone, so after conversion it can
sit up to a zone's width (±14 h) away from midnight."""


@dataclass(frozen=True)
class TaskResult:
    code: int
    """Unsigned 32-bit."""
    kind: str
    """success, ready, running, disabled, never_run, terminated,
    already_running, refused, killed, or exit_code."""

    @property
    def is_failure(self) -> bool:
        return self.kind in FAILURE_KINDS

    def text(self, lang: str = "fr") -> str:
        texts = _TEXTS[self.kind]
        return texts.get(lang, texts["en"]).format(code=_code_text(self.code))

    @property
    def text_en(self) -> str:
        return self.text("en")

    @property
    def text_fr(self) -> str:
        return self.text("fr")


def decode_task_result(value: int | str) -> TaskResult:
    """The meaning of a task's last result, signed or unsigned, int or text."""
    code = _unsigned(value)
    return TaskResult(code=code, kind=_KINDS.get(code, "exit_code"))


def _unsigned(value: int | str) -> int:
    number = int(value.strip(), 0) if isinstance(value, str) else int(value)
    if not -(2**31) <= number < 2**32:
        raise ValueError(f"not a 32-bit task result: {value!r}")
    return number & 0xFFFFFFFF


def _code_text(code: int) -> str:
    # Codes with the high bit set are HRESULTs (0x80070002 is "file not
    # found"): people search for them in hex.
    if code >= 0x80000000:
        return f"{code} (0x{code:08X})"
    return str(code)


def parse_task_time(value: Any) -> datetime | None:
    """A last or next run time, or None for "never" (absent or 1999-11-30)."""
    moment = parse_ps_datetime(value)
    if moment is None:
        return None
    wall = moment.replace(tzinfo=None)
    if abs((wall - NEVER_RUN_DATE).total_seconds()) <= _NEVER_RUN_SLACK_S:
        return None
    return moment
