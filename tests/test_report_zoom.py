"""Report cards through the fake of Zoom's API: `/errors 7d` and the Monday post."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.web import create_app
from integrations.zoom import validate_content
from jobs import reports
from tests.conftest import signed_headers
from tests.reports_data import random_events, seed_inventory, store_events
from tests.test_zoom_roundtrip import command_event, zoom_runtime

# zoom_runtime is a fixture: imported so that pytest finds it in this module.
__all__ = ["zoom_runtime"]


def test_it_answers_errors_7d_with_a_card_zoom_accepts(
    zoom_api, zoom_runtime, store, clock
) -> None:
    inventory = seed_inventory(store, clock.now())
    store_events(store, inventory, random_events(clock.now(), 300), clock.now())
    client = create_app(zoom_runtime).test_client()
    body = command_event(zoom_api, "/batch errors 7d", 1)

    response = client.post(
        "/zoom/events",
        data=body,
        headers=signed_headers(body, int(clock.now().timestamp())),
    )
    zoom_runtime.worker.drain()

    assert response.status_code == 200
    [sent] = zoom_api.messages
    assert validate_content(sent["content"]) == []
    [chart] = [i for i in sent["content"]["body"] if i["type"] == "attachments"]
    image = client.get(chart["img_url"].removeprefix("http://127.0.0.1:8080"))
    assert image.status_code == 200
    assert image.data.startswith(b"\x89PNG\r\n\x1a\n")


def test_it_posts_the_week_to_the_team_channel_through_zoom(
    zoom_api, zoom_runtime, store, clock
) -> None:
    clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    inventory = seed_inventory(store, clock.now())
    store_events(store, inventory, random_events(clock.now(), 300), clock.now())

    assert reports.post_due_reports(zoom_runtime) == 1

    [sent] = zoom_api.messages
    assert sent["to_jid"] == zoom_api.channel_jid
    assert validate_content(sent["content"]) == []
    assert sent["content"]["head"]["text"] == (
        "Erreurs de la semaine du lun. 23/11 au dim. 29/11"
    )
