"""Card builders: every card a person reads is assembled here.

A card is the ``content`` object of Zoom's chat message API: a ``head`` and
a list of ``body`` items (``message``, ``fields``, ``actions``, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.texts import text
from integrations.windows.task_results import decode_task_result

Content = dict[str, Any]

ALERT_CONTEXT_LINES = 6
MAX_LINE_CHARS = 300
MAX_STATUS_LINES = 25


def card(title: str, *items: dict[str, Any], sub_head: str | None = None) -> Content:
    head: dict[str, Any] = {"text": title}
    if sub_head:
        head["sub_head"] = {"text": sub_head}
    return {"head": head, "body": list(items)}


def message(body: str) -> dict[str, Any]:
    return {"type": "message", "text": body}


def fields(pairs: Iterable[tuple[str, str]], short: bool = True) -> dict[str, Any]:
    items = [{"key": key, "value": value, "short": short} for key, value in pairs]
    return {"type": "fields", "items": items}


def buttons(*items: tuple[str, str, str]) -> dict[str, Any]:
    """``(text, value, style)`` triples; style is Primary, Default or Danger."""
    return {
        "type": "actions",
        "items": [
            {"text": label, "value": value, "style": style}
            for label, value, style in items
        ],
    }


def local_time(moment: datetime | None, zone: ZoneInfo, lang: str) -> str:
    if moment is None:
        return text(lang, "status.never")
    shown = moment.astimezone(zone)
    if lang == "fr":
        return shown.strftime("%d/%m/%Y %H:%M:%S %Z")
    return shown.strftime("%Y-%m-%d %H:%M:%S %Z")


def help_card(lang: str, commands: Sequence[tuple[str, str]]) -> Content:
    lines = [f"/batch {name} — {summary}" for name, summary in commands]
    return card(
        text(lang, "help.title"),
        message("\n".join(lines)),
        sub_head=text(lang, "help.usage"),
    )


def unknown_command(lang: str, word: str, suggestion: str | None) -> Content:
    from bot.router import COMMANDS

    parts = [text(lang, "unknown.text", word=word)]
    if suggestion:
        parts.append(text(lang, "unknown.suggest", suggestion=suggestion))
    parts.append(text(lang, "unknown.list", names=", ".join(sorted(COMMANDS))))
    return card(text(lang, "unknown.title"), message("\n".join(parts)))


def refusal(lang: str, reason: str) -> Content:
    return card(text(lang, "refused.title"), message(reason))


def apology(lang: str, ref: str) -> Content:
    return card(
        text(lang, "apology.title"), message(text(lang, "apology.text", ref=ref))
    )


@dataclass(frozen=True)
class TaskFacts:
    """What Task Scheduler last said of a batch's task."""

    state: str | None
    last_run: datetime | None
    last_result: int | None
    next_run: datetime | None
    missed_runs: int | None
    checked_at: datetime | None


@dataclass(frozen=True)
class StatusRow:
    batch: str
    client: str
    server: str
    state: str
    last_scan: datetime | None
    scan_error: str | None
    errors_24h: int
    task: TaskFacts | None = None
    server_error: str | None = None
    last_error: datetime | None = None


def status_card(
    lang: str, zone: ZoneInfo, rows: Sequence[StatusRow], wanted: str | None
) -> Content:
    title = (
        text(lang, "status.filtered", name=wanted)
        if wanted
        else text(lang, "status.title")
    )
    if not rows:
        empty = (
            text(lang, "status.none", name=wanted)
            if wanted
            else text(lang, "status.empty")
        )
        return card(title, message(empty))

    return listing_card(lang, title, [_status_line(lang, zone, row) for row in rows])


def listing_card(lang: str, title: str, lines: Sequence[str]) -> Content:
    """One line a batch, the first ``MAX_STATUS_LINES``, and how many more."""
    shown = list(lines[:MAX_STATUS_LINES])
    if len(lines) > MAX_STATUS_LINES:
        shown.append(text(lang, "status.more", count=len(lines) - MAX_STATUS_LINES))
    return card(title, message("\n".join(shown)))


def _status_line(lang: str, zone: ZoneInfo, row: StatusRow) -> str:
    if row.state != "ready":
        icon = "⏸"
    elif row.errors_24h or row.scan_error:
        icon = "❌"
    else:
        icon = "✅"
    scan = local_time(row.last_scan, zone, lang)
    if row.scan_error:
        scan = text(lang, "status.scan_failed", reason=row.scan_error)
    line = text(
        lang,
        "status.line",
        icon=icon,
        batch=row.batch,
        client=row.client,
        server=row.server,
        state=text(lang, f"state.{row.state}"),
        scan=scan,
        errors=row.errors_24h,
    )
    if row.last_error is not None and not row.errors_24h:
        line += text(
            lang, "status.last_error", when=local_time(row.last_error, zone, lang)
        )
    if row.task is None:
        return line
    return line + "\n" + _task_line(lang, zone, row.task, row.server_error)


def _task_line(
    lang: str, zone: ZoneInfo, task: TaskFacts, server_error: str | None
) -> str:
    if task.checked_at is None:
        return "    " + text(
            lang, "task.unknown", reason=server_error or text(lang, "none")
        )

    result = text(lang, "none")
    if task.last_result is not None:
        result = decode_task_result(task.last_result).text(lang)
    line = "    " + text(
        lang,
        "task.line",
        state=text(lang, f"task.state.{(task.state or 'Unknown').lower()}"),
        last_run=local_time(task.last_run, zone, lang),
        result=result,
        next_run=local_time(task.next_run, zone, lang) if task.next_run else "—",
        missed=task.missed_runs or 0,
    )
    if server_error:
        line += " " + text(
            lang,
            "task.stale",
            when=local_time(task.checked_at, zone, lang),
            reason=server_error,
        )
    return line


@dataclass(frozen=True)
class AlertFacts:
    group_id: int
    batch: str
    client: str
    server: str
    occurred_at: datetime
    path: str
    message: str
    count: int
    returning: bool


def alert_card(lang: str, zone: ZoneInfo, facts: AlertFacts) -> Content:
    key = "alert.returning" if facts.returning else "alert.title"
    return card(
        text(lang, key, batch=facts.batch),
        fields(
            [
                (text(lang, "alert.batch"), facts.batch),
                (text(lang, "alert.client"), facts.client),
                (text(lang, "alert.server"), facts.server),
                (text(lang, "alert.date"), local_time(facts.occurred_at, zone, lang)),
                (text(lang, "alert.count"), str(facts.count)),
                (text(lang, "alert.file"), facts.path),
            ]
        ),
        message(offending_lines(facts.message)),
        buttons(
            (text(lang, "alert.ack"), f"ack:{facts.group_id}", "Primary"),
            (text(lang, "alert.silence"), f"silence:{facts.group_id}", "Default"),
        ),
        sub_head=first_line(facts.message),
    )


DIGEST_LINES = 15


def alert_digest_card(lang: str, alerts: Sequence[AlertFacts]) -> Content:
    """Many error groups at once, counted per batch, in one card."""
    per_batch: dict[tuple[str, str, str], list[int]] = {}
    for facts in alerts:
        counts = per_batch.setdefault((facts.batch, facts.client, facts.server), [0, 0])
        counts[0] += 1
        counts[1] += facts.count
    ranked = sorted(per_batch.items(), key=lambda item: -item[1][1])
    lines = [
        text(
            lang,
            "digest.line",
            batch=batch,
            client=client,
            server=server,
            groups=groups,
            entries=entries,
        )
        for (batch, client, server), (groups, entries) in ranked[:DIGEST_LINES]
    ]
    if len(ranked) > DIGEST_LINES:
        lines.append(text(lang, "digest.more", count=len(ranked) - DIGEST_LINES))
    return card(
        text(
            lang,
            "digest.title",
            groups=len(alerts),
            entries=sum(facts.count for facts in alerts),
            batches=len(per_batch),
        ),
        message("\n".join(lines)),
        sub_head=text(lang, "digest.hint"),
    )


def alert_handled(original: Content, note: str) -> Content:
    """The alert card as it was, its buttons replaced by who handled it."""
    body = [item for item in original.get("body", []) if item.get("type") != "actions"]
    return {"head": original.get("head", {}), "body": [*body, message(note)]}


def first_line(entry: str) -> str:
    return _cut(entry.split("\n", 1)[0])


def offending_lines(entry: str) -> str:
    """The entry's first line and a few of its continuation lines."""
    lines = entry.split("\n")
    shown = [_cut(line) for line in lines[:ALERT_CONTEXT_LINES]]
    if len(lines) > ALERT_CONTEXT_LINES:
        shown.append(f"… (+{len(lines) - ALERT_CONTEXT_LINES})")
    return "\n".join(shown)


def _cut(line: str) -> str:
    line = line.rstrip()
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "…"


def server_down_card(lang: str, server: str, reason: str) -> Content:
    return card(
        text(lang, "server.down.title", server=server),
        message(text(lang, "server.down.text", reason=reason)),
    )


def server_back_card(lang: str, zone: ZoneInfo, server: str, when: datetime) -> Content:
    return card(
        text(lang, "server.back.title", server=server),
        message(text(lang, "server.back.text", when=local_time(when, zone, lang))),
    )
