"""Cards of deploys, disables and enables: the plan to confirm, its progress
step by step, and how it ended; and a schedule in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.cards import Content, buttons, card, fields, local_time, message
from bot.cards.inventory import category_name, state_name
from bot.schedules import trigger_from_record
from bot.texts import text
from integrations.windows.task_xml import DAY_NAMES, TaskTrigger

STEP_ICONS = {
    "todo": "⬜",
    "running": "⏳",
    "done": "✅",
    "failed": "❌",
    "undone": "↩",
    "undo_failed": "⚠️",
}


@dataclass(frozen=True)
class PlanView:
    """A plan as its card shows it, at one moment of its life."""

    kind: str
    document: dict[str, Any]
    requested_name: str
    expires_at: datetime
    phase: str
    """preview, waiting (for a second admin), running, done, failed or
    cancelled."""
    progress: Sequence[str]
    notes: dict[str, Any] = field(default_factory=dict)
    confirmed_by: Sequence[str] = ()
    buttons: Sequence[tuple[str, str, str]] = ()
    """``(text, value, style)`` of the buttons the card carries now."""
    failure: tuple[int, str] | None = None
    """The failed step's index and the reason."""
    cancelled: tuple[str, datetime] | None = None


def plan_card(lang: str, zone: ZoneInfo, view: PlanView) -> Content:
    items: list[dict[str, Any]] = [
        fields(_facts(lang, view)),
        message(text(lang, "plan.steps") + "\n" + _step_lines(lang, view)),
    ]
    notes = _notes(lang, zone, view)
    if notes:
        items.append(message("\n".join(notes)))
    if view.buttons:
        items.append(buttons(*view.buttons))
    return card(_title(lang, view), *items, sub_head=_sub_head(lang, zone, view))


def nothing_to_do_card(lang: str, said: str) -> Content:
    return card(text(lang, "plan.nothing.title"), message(said))


def _values(view: PlanView) -> dict[str, str]:
    document = view.document
    return {
        "batch": document["batch"],
        "environment": document.get("environment", ""),
        "server": document["server"],
    }


def _title(lang: str, view: PlanView) -> str:
    values = _values(view)
    if view.phase in ("preview", "waiting"):
        return text(lang, f"plan.title.{view.kind}", **values)
    if view.phase == "cancelled":
        return text(lang, "plan.cancelled.title", **values)
    return text(lang, f"plan.{view.phase}.{view.kind}", **values)


def _sub_head(lang: str, zone: ZoneInfo, view: PlanView) -> str:
    server = view.document["server"]
    until = local_time(view.expires_at, zone, lang)
    confirmed = ", ".join(view.confirmed_by)
    if view.phase == "preview":
        who = view.requested_name
        return text(lang, "plan.sub.preview", server=server, who=who, until=until)
    if view.phase == "waiting":
        return text(lang, "plan.sub.waiting", server=server, who=confirmed, until=until)
    if view.phase == "cancelled" or not confirmed:
        return text(lang, "plan.sub.asked", server=server, who=view.requested_name)
    return text(lang, "plan.sub.running", server=server, who=confirmed)


def _facts(lang: str, view: PlanView) -> list[tuple[str, str]]:
    document = view.document
    last = document["steps"][-1]
    pairs = [
        (text(lang, "plan.field.batch"), document["batch"]),
        (text(lang, "plan.field.server"), document["server"]),
    ]
    if view.kind == "deploy":
        schedule = schedule_text(lang, trigger_from_record(last["trigger"]))
        pairs += [
            (text(lang, "plan.field.environment"), document["environment"]),
            (text(lang, "plan.field.client"), last["client"]),
            (
                text(lang, "plan.field.artifact"),
                f"{last['artifact']} (SHA-256 {last['sha256'][:12]}…)",
            ),
            (text(lang, "plan.field.schedule"), schedule),
        ]
        return pairs
    moved = f"{state_name(lang, document['basis']['state'])} → "
    pairs.append(
        (text(lang, "plan.field.state"), moved + state_name(lang, last["to_state"]))
    )
    if last["reason"]:
        pairs.append((text(lang, "plan.field.reason"), last["reason"]))
    return pairs


def _step_lines(lang: str, view: PlanView) -> str:
    lines = []
    for index, step in enumerate(view.document["steps"]):
        state = view.progress[index] if index < len(view.progress) else "todo"
        lines.append(
            text(
                lang,
                "plan.step.line",
                icon=STEP_ICONS[state],
                number=index + 1,
                where=step["where"],
                what=step_text(lang, step),
            )
        )
    return "\n".join(lines)


def step_text(lang: str, step: dict[str, Any]) -> str:
    """What one step does, in words."""
    kind = step["kind"]
    values = {key: value for key, value in step.items() if key not in ("kind",)}
    if kind == "fetch_artifact":
        values["size"] = _size(step["size"])
        values["sha256"] = step["sha256"][:12] + "…"
    elif kind == "make_folder":
        kind = f"make_folder.{step['role']}"
    elif kind == "configure":
        values["settings"] = ", ".join(
            f"{k} = {v}" for k, v in step["settings"].items()
        )
    elif kind == "register_task":
        values["schedule"] = schedule_text(lang, trigger_from_record(step["trigger"]))
    elif kind == "record_deploy":
        values["category"] = category_name(lang, step["category"])
    elif kind == "set_task_state":
        kind = "set_task_state." + ("enable" if step["enabled"] else "disable")
    elif kind == "record_state":
        values["state"] = state_name(lang, step["to_state"])
    return text(lang, f"plan.step.{kind}", **values)


def _size(count: int) -> str:
    if count < 1024 * 1024:
        return f"{max(1, round(count / 1024))} KB"
    return f"{count / 1024 / 1024:.1f} MB"


def _notes(lang: str, zone: ZoneInfo, view: PlanView) -> list[str]:
    lines = []
    basis = view.document.get("basis", {})
    target = basis.get("target") if view.kind == "deploy" else None
    if target and target["environment"] != view.document.get("environment"):
        state = state_name(lang, target["state"])
        lines.append(
            text(lang, "plan.replaces", environment=target["environment"], state=state)
        )
    ran = view.notes.get("ran")
    if ran and view.phase in ("preview", "waiting"):
        when = local_time(datetime.fromisoformat(ran["at"]), zone, lang)
        source = text(lang, f"plan.ran.{ran['source']}")
        lines.append(
            text(
                lang,
                "plan.ran",
                environment=ran["environment"],
                server=ran["server"],
                source=source,
                when=when,
            )  # fmt: skip
        )
    if view.kind == "deploy" and view.document["environment"] == "Production":
        if view.phase in ("preview", "waiting"):
            lines.append(text(lang, "plan.go_live"))
    return lines + _ending(lang, zone, view)


def _ending(lang: str, zone: ZoneInfo, view: PlanView) -> list[str]:
    if view.phase == "done":
        return [text(lang, "plan.done.text")]
    if view.phase == "cancelled" and view.cancelled:
        who, when = view.cancelled
        return [
            text(
                lang, "plan.cancelled.text", who=who, when=local_time(when, zone, lang)
            )
        ]
    if view.phase != "failed" or view.failure is None:
        return []
    index, reason = view.failure
    step = view.document["steps"][index]
    said = text(
        lang,
        "plan.failed.text",
        number=index + 1,
        what=step_text(lang, step),
        reason=reason,
    )
    undone = "undo_failed" not in view.progress
    return [
        said,
        text(lang, "plan.failed.undone" if undone else "plan.failed.undo_failed"),
    ]


def schedule_text(lang: str, trigger: TaskTrigger) -> str:
    """``tous les jours à 02:30``, ``chaque mois le 1, dernier jour à 03:00``."""
    at = trigger.start.strftime("%H:%M") if trigger.start else "—"
    days = ", ".join(
        text(lang, f"day.{day}")
        for day in sorted(trigger.days_of_week, key=DAY_NAMES.index)
    )
    if trigger.kind == "daily" and (trigger.days_interval or 1) > 1:
        return text(lang, "schedule.every_days", count=trigger.days_interval, at=at)
    if trigger.kind == "daily":
        return text(lang, "schedule.daily", at=at)
    if trigger.kind == "weekly":
        return text(lang, "schedule.weekly", days=days, at=at)
    if trigger.kind == "monthly":
        return text(
            lang, "schedule.monthly", days=_last(lang, trigger.days_of_month), at=at
        )
    if trigger.kind == "monthly_dow":
        weeks = _last(lang, trigger.weeks)
        return text(lang, "schedule.monthly_dow", weeks=weeks, days=days, at=at)
    return text(lang, "schedule.other", kind=trigger.kind, at=at)


def _last(lang: str, values: Sequence[str]) -> str:
    return ", ".join(
        text(lang, "schedule.last") if value == "Last" else value for value in values
    )
