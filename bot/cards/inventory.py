"""Cards of the inventory: the listing, a batch's history, and the status
changes told to project managers and to the team's channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cards import Content, buttons, card, local_time, message
from bot.inventory_file import InventoryRow
from bot.texts import text

MAX_CHANGE_LINES = 25
"""Changes listed in one notice or history card; the rest are counted."""
STATE_ICONS = {"ready": "✅", "inactive": "⏹", "disabled": "⏸"}


@dataclass(frozen=True)
class ChangeFacts:
    """One status change as people read it."""

    batch: str
    server: str
    client: str | None
    from_state: str | None
    to_state: str
    changed_by: str
    changed_at: datetime
    reason: str
    source: str


def state_name(lang: str, state: str | None) -> str:
    return text(lang, f"state.{state}") if state else text(lang, "none")


def category_name(lang: str, category: str) -> str:
    return text(lang, f"inventory.category.{category}")


def change_words(lang: str, change: ChangeFacts) -> str:
    """``prêt → désactivé``, or the batch entering the inventory."""
    to_state = state_name(lang, change.to_state)
    if change.from_state is None:
        return text(lang, "change.entered", to_state=to_state)
    from_state = state_name(lang, change.from_state)
    return text(lang, "change.moved", from_state=from_state, to_state=to_state)


def _notice_lines(lang: str, zone: ZoneInfo, change: ChangeFacts) -> list[str]:
    lines = [
        text(
            lang,
            "notice.line",
            batch=change.batch,
            server=change.server,
            client=change.client or text(lang, "none"),
            change=change_words(lang, change),
        ),
        text(
            lang,
            "notice.by",
            source=text(lang, f"change.source.{change.source}"),
            who=change.changed_by,
            when=local_time(change.changed_at, zone, lang),
        ),
    ]
    if change.reason:
        lines.append(f"    {change.reason}")
    return lines


def _listed(lang: str, zone: ZoneInfo, changes: Sequence[ChangeFacts]) -> str:
    lines = [
        line
        for change in changes[:MAX_CHANGE_LINES]
        for line in _notice_lines(lang, zone, change)
    ]
    if len(changes) > MAX_CHANGE_LINES:
        lines.append(text(lang, "notice.more", count=len(changes) - MAX_CHANGE_LINES))
    return "\n".join(lines)


def channel_notice_card(
    lang: str, zone: ZoneInfo, changes: Sequence[ChangeFacts]
) -> Content:
    """All the changes of one sync, import or command, for the team's channel."""
    sources = {change.source for change in changes}
    sub_head = None
    if len(sources) == 1:
        sub_head = text(lang, f"notice.channel.sub.{sources.pop()}")
    return card(
        text(lang, "notice.channel.title", count=len(changes)),
        message(_listed(lang, zone, changes)),
        sub_head=sub_head,
    )


def manager_notice_card(
    lang: str, zone: ZoneInfo, changes: Sequence[ChangeFacts]
) -> Content:
    """The changes of a project manager's clients, in one direct message."""
    clients = sorted({change.client for change in changes if change.client})
    return card(
        text(lang, "notice.manager.title", count=len(changes)),
        message(_listed(lang, zone, changes)),
        message(text(lang, "notice.manager.why", clients=", ".join(clients))),
        sub_head=", ".join(clients) or None,
    )


@dataclass(frozen=True)
class HistoryFacts:
    """A batch of that name, on one server, and its changes newest first."""

    batch: str
    server: str
    client: str | None
    state: str
    changes: Sequence[ChangeFacts]
    older: int = 0


def history_card(lang: str, zone: ZoneInfo, batches: Sequence[HistoryFacts]) -> Content:
    parts = [_history_part(lang, zone, facts) for facts in batches]
    return card(
        text(lang, "history.title", batch=batches[0].batch), message("\n\n".join(parts))
    )


def _history_part(lang: str, zone: ZoneInfo, facts: HistoryFacts) -> str:
    lines = [
        text(
            lang,
            "history.batch",
            server=facts.server,
            client=facts.client or text(lang, "none"),
            state=state_name(lang, facts.state),
        )
    ]
    if not facts.changes:
        lines.append(text(lang, "history.none"))
    for change in facts.changes:
        lines.append(
            text(
                lang,
                "history.line",
                when=local_time(change.changed_at, zone, lang),
                change=change_words(lang, change),
                who=change.changed_by,
                source=text(lang, f"change.source.{change.source}"),
            )
        )
        if change.reason:
            lines.append(f"    {change.reason}")
    if facts.older:
        lines.append(text(lang, "history.more", count=facts.older))
    return "\n".join(lines)


@dataclass(frozen=True)
class InventoryPage:
    rows: Sequence[InventoryRow]
    total: int
    page: int
    pages: int
    filters: str
    """The filters as typed back, empty for the whole inventory."""
    csv_url: str
    xlsx_url: str


def inventory_card(lang: str, page: InventoryPage) -> Content:
    title = text(lang, "inventory.title", count=page.total)
    sub_head = text(lang, "inventory.filters", filters=page.filters)
    if not page.rows:
        empty = "inventory.none" if page.filters else "status.empty"
        return card(title, message(text(lang, empty)), sub_head=sub_head or None)

    body = [
        message("\n".join(_inventory_line(lang, row) for row in page.rows)),
        message(text(lang, "inventory.page", page=page.page, pages=page.pages)),
        message(text(lang, "inventory.download", csv=page.csv_url, xlsx=page.xlsx_url)),
    ]
    paging = _paging_buttons(lang, page)
    if paging is not None:
        body.append(paging)
    return card(title, *body, sub_head=sub_head if page.filters else None)


def _inventory_line(lang: str, line: InventoryRow) -> str:
    none = text(lang, "none")
    first = text(
        lang,
        "inventory.line",
        icon=STATE_ICONS.get(line.state, "•"),
        batch=line.batch,
        client=line.client or none,
        server=line.server,
        category=category_name(lang, line.category),
        environment=line.environment,
        state=state_name(lang, line.state),
    )
    created = line.created_on.strftime("%d/%m/%Y") if line.created_on else none
    if lang != "fr" and line.created_on:
        created = line.created_on.isoformat()
    details = text(
        lang,
        "inventory.details",
        schedule=line.schedule or none,
        created=created,
        admin=line.deployed_by or none,
        task=line.task or none,
    )
    return f"{first}\n{details}"


def _paging_buttons(lang: str, page: InventoryPage) -> dict[str, object] | None:
    pairs = []
    if page.page > 1:
        value = f"inventory:{page.page - 1} {page.filters}".rstrip()
        pairs.append((text(lang, "inventory.previous"), value, "Default"))
    if page.page < page.pages:
        value = f"inventory:{page.page + 1} {page.filters}".rstrip()
        pairs.append((text(lang, "inventory.next"), value, "Primary"))
    return buttons(*pairs) if pairs else None


def sync_reply_card(lang: str, lines: Sequence[str]) -> Content:
    """The answer to ``inventory sync``; the changes go out as notices."""
    return card(text(lang, "inventory.sync.title"), message("\n".join(lines)))
