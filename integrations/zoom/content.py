"""Checks a chatbot message card against the shapes Zoom documents.

Zoom answers 400 (code 7001) to a card it cannot read and often renders a
wrong one silently, so our own tests and the fake Zoom API run every card
through :func:`validate_content` first.

Shapes follow Zoom's "Customize chatbot messages" pages
(https://developers.zoom.us/docs/chat/customizing-messages/) and the card types
of Zoom's own SDK (https://zoom.github.io/rivet-javascript/modules/Chatbot.html).
Only the classic item types are known here; newer card-kit items (alerts,
progress bars, pickers...) count as unknown, as batchops does not send them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BUTTON_STYLES = frozenset({"Primary", "Default", "Danger", "Disabled"})
SELECT_SOURCES = frozenset({"members", "channels"})


def validate_content(content: Any) -> list[str]:
    """Return what is wrong with a card's ``content``; empty when it is sound."""
    if not isinstance(content, dict):
        return ["content: must be an object"]

    problems: list[str] = []
    if "head" not in content and "body" not in content:
        problems.append("content: needs a head or a body")
    if "head" in content:
        problems += _check_head(content["head"])
    if "body" in content:
        problems += _check_body(content["body"])
    return problems


def _check_head(head: Any) -> list[str]:
    if not isinstance(head, dict):
        return ["head: must be an object"]

    problems = _need_text(head, "head", "text")
    if "sub_head" in head:
        problems += _need_text(head["sub_head"], "head.sub_head", "text")
    return problems


def _check_body(body: Any) -> list[str]:
    if not isinstance(body, list) or not body:
        return ["body: must be a non-empty list"]

    problems: list[str] = []
    for index, item in enumerate(body):
        problems += _check_item(item, f"body[{index}]", nested=False)
    return problems


def _check_item(item: Any, where: str, *, nested: bool) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where}: must be an object"]

    kind = item.get("type")
    if kind == "section" and nested:
        return [f"{where}: a section cannot hold another section"]
    check = _ITEM_CHECKS.get(kind) if isinstance(kind, str) else None
    if check is None:
        return [f"{where}: unknown item type {kind!r}"]
    return check(item, where)


def _check_message(item: dict[str, Any], where: str) -> list[str]:
    return _need_text(item, where, "text")


def _check_actions(item: dict[str, Any], where: str) -> list[str]:
    problems = _check_pairs(item, where, "items", ("text", "value"))
    for index, button in enumerate(_list_of_dicts(item.get("items"))):
        style = button.get("style", "Default")
        if style not in BUTTON_STYLES:
            allowed = ", ".join(sorted(BUTTON_STYLES))
            problems.append(
                f"{where}.items[{index}]: style {style!r} is not one of {allowed}"
            )
    if "limit" in item and not _is_count(item["limit"]):
        problems.append(f"{where}.limit: must be a positive whole number")
    return problems


def _check_fields(item: dict[str, Any], where: str) -> list[str]:
    return _check_pairs(item, where, "items", ("key", "value"))


def _check_select(item: dict[str, Any], where: str) -> list[str]:
    problems = _need_text(item, where, "text")
    has_items = "select_items" in item
    has_source = "static_source" in item
    if has_items == has_source:
        problems.append(f"{where}: needs select_items or static_source, not both")
    elif has_items:
        problems += _check_pairs(item, where, "select_items", ("text", "value"))
    elif item["static_source"] not in SELECT_SOURCES:
        problems.append(f"{where}.static_source: must be members or channels")
    if "selected_item" in item:
        problems += _need_strings(
            item["selected_item"], f"{where}.selected_item", ("text", "value")
        )
    return problems


def _check_attachments(item: dict[str, Any], where: str) -> list[str]:
    problems = _need_strings(item, where, ("resource_url", "img_url"))
    information = item.get("information")
    if not isinstance(information, dict):
        return [*problems, f"{where}.information: must be an object"]

    for part in ("title", "description"):
        problems += _need_text(information.get(part), f"{where}.information.{part}")
    if "ext" in item and not isinstance(item["ext"], str):
        problems.append(f"{where}.ext: must be a string")
    if "size" in item and not _is_count(item["size"]):
        problems.append(f"{where}.size: must be a positive whole number of bytes")
    return problems


def _check_section(item: dict[str, Any], where: str) -> list[str]:
    sections = item.get("sections")
    if not isinstance(sections, list) or not sections:
        return [f"{where}.sections: must be a non-empty list"]

    problems: list[str] = []
    for index, inner in enumerate(sections):
        problems += _check_item(inner, f"{where}.sections[{index}]", nested=True)
    for key in ("footer", "footer_icon", "sidebar_color"):
        if key in item and not isinstance(item[key], str):
            problems.append(f"{where}.{key}: must be a string")
    if "ts" in item and not _is_count(item["ts"]):
        problems.append(f"{where}.ts: must be a time in milliseconds")
    return problems


def _check_divider(item: dict[str, Any], where: str) -> list[str]:
    if "style" in item and not isinstance(item["style"], dict):
        return [f"{where}.style: must be an object"]
    return []


_ITEM_CHECKS: dict[str, Callable[[dict[str, Any], str], list[str]]] = {
    "message": _check_message,
    "actions": _check_actions,
    "fields": _check_fields,
    "select": _check_select,
    "attachments": _check_attachments,
    "section": _check_section,
    "divider": _check_divider,
}


def _check_pairs(
    item: dict[str, Any], where: str, key: str, required: tuple[str, ...]
) -> list[str]:
    """Check a non-empty list of objects that each carry ``required`` strings."""
    entries = item.get(key)
    if not isinstance(entries, list) or not entries:
        return [f"{where}.{key}: must be a non-empty list"]

    problems: list[str] = []
    for index, entry in enumerate(entries):
        problems += _need_strings(entry, f"{where}.{key}[{index}]", required)
    return problems


def _need_text(holder: Any, where: str, key: str = "text") -> list[str]:
    return _need_strings(holder, where, (key,))


def _need_strings(holder: Any, where: str, keys: tuple[str, ...]) -> list[str]:
    if not isinstance(holder, dict):
        return [f"{where}: must be an object"]
    return [
        f"{where}: missing {key}"
        for key in keys
        if not isinstance(holder.get(key), str) or not holder[key]
    ]


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
