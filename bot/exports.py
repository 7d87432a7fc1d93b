"""Signed links to download the inventory as CSV or Excel.

A link carries the filters it was made for in a token signed with a key
derived from ``BATCHOPS_SECRET_KEY`` (PyJWT, HS256) that expires after a day.
Key and audience belong to the inventory export alone, so that a token signed
for another purpose with the same secret is refused here. A refused link
answers a bare 403, an unknown format a bare 404: nothing tells a guesser why.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Response

from bot.config import Settings
from bot.inventory import InventoryFilters, inventory_rows
from bot.inventory_file import write_csv, write_xlsx
from bot.runtime import Runtime
from bot.signing import BadToken, read_token, sign_token

log = logging.getLogger(__name__)

AUDIENCE = "batchops:inventory-export"
LINK_LIFETIME = timedelta(hours=24)
FORMATS = {
    "csv": ("text/csv; charset=utf-8", write_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        write_xlsx,
    ),
}


def export_token(settings: Settings, filters: InventoryFilters, now: datetime) -> str:
    claims = {"filters": filters.claims()}
    return sign_token(settings, AUDIENCE, claims, now, LINK_LIFETIME)


def export_links(
    settings: Settings, filters: InventoryFilters, now: datetime
) -> tuple[str, str]:
    """The CSV and the Excel link for the rows ``filters`` keep."""
    token = export_token(settings, filters, now)
    base = f"{settings.public_base_url}/exports/{token}"
    return f"{base}.csv", f"{base}.xlsx"


def read_export_token(
    settings: Settings, token: str, now: datetime
) -> InventoryFilters | None:
    """The filters of a sound, unexpired token; None for anything else."""
    try:
        claims = read_token(settings, AUDIENCE, token, now)
    except BadToken:
        return None
    filters = claims.get("filters")
    if not isinstance(filters, dict):
        return None
    return InventoryFilters.from_claims(filters)


def register_export_routes(app: Flask, runtime: Runtime) -> None:
    @app.get("/exports/<name>")
    def inventory_export(name: str) -> Any:
        return serve_export(runtime, name)


def serve_export(runtime: Runtime, name: str) -> Response:
    token, _, extension = name.rpartition(".")
    if extension not in FORMATS:
        return Response(status=404)
    now = runtime.clock.now()
    filters = read_export_token(runtime.settings, token, now)
    if filters is None:
        log.info("export link refused")
        return Response(status=403)

    with runtime.store.session() as session:
        rows = inventory_rows(session, filters)
    mimetype, write = FORMATS[extension]
    local_day = now.astimezone(runtime.settings.zone).date().isoformat()
    stem = "inventaire" if runtime.settings.lang == "fr" else "inventory"
    log.info("inventory export: %d rows as %s", len(rows), extension)
    return Response(
        write(rows, runtime.settings.lang),
        headers={
            "Content-Type": mimetype,
            "Content-Disposition": f'attachment; filename="{stem}-{local_day}.'
            f'{extension}"',
            "Cache-Control": "no-store",
        },
    )
