"""`/inventory`: filtered, paged, and the same rows behind its signed links."""

from __future__ import annotations

import io
from datetime import date, timedelta
from urllib.parse import urlsplit

import jwt
import pytest
from openpyxl import load_workbook

from bot import router
from bot.cards import inventory as inventory_cards
from bot.config import Settings
from bot.messenger import render_text
from bot.store import Batch, Client, Server
from bot.web import create_app
from integrations.zoom import validate_content

CATEGORIES = ("send", "import", "export", "purge", "recurring")


@pytest.fixture
def inventory(runtime):  # type: ignore[no-untyped-def]
    """Twenty Horizon batches on SRV-01, two Littoral batches on SRV-02."""
    with runtime.store.session() as session:
        one = Server(name="SRV-01", kind="local", root="/tmp/none")
        two = Server(name="SRV-02", kind="winrm", host="127.0.0.1")
        horizon = Client(name="Mutuelle Horizon")
        littoral = Client(name="Littoral")
        for number in range(20):
            session.add(
                Batch(
                    name=f"Horizon-{number:02}",
                    server=one,
                    client=horizon,
                    category=CATEGORIES[number % 5],
                    created_on=date(2025, 1, number + 1),
                )
            )
        session.add_all(
            [
                Batch(name="PurgeRGPD", server=two, client=littoral, state="disabled"),
                Batch(
                    name="SyncRef",
                    server=two,
                    client=littoral,
                    environment="RecetteClient",
                    schedule="Toutes les heures",
                ),
            ]
        )
    return runtime


def ask(runtime, typed: str, user: str = "u"):  # type: ignore[no-untyped-def]
    request = router.Request(text=typed, user_id=user, user_name=user, to_jid="t")
    return router.dispatch(runtime, request)


def shown_batches(card) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        line.split(" — ")[0][2:]
        for line in render_text(card).splitlines()
        if line[:1] in inventory_cards.STATE_ICONS.values()
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/batch inventory server=srv-02", ["PurgeRGPD", "SyncRef"]),
        ("inventory Littoral", ["PurgeRGPD", "SyncRef"]),
        ("inventory désactivé", ["PurgeRGPD"]),
        ("inventory state=disabled", ["PurgeRGPD"]),
        ("inventory Littoral RecetteClient", ["SyncRef"]),
        (
            'inventory client="mutuelle horizon" catégorie=purge',
            ["Horizon-03", "Horizon-08", "Horizon-13", "Horizon-18"],
        ),
        (
            "inventory Mutuelle Horizon tâche récurrente",
            ["Horizon-04", "Horizon-09", "Horizon-14", "Horizon-19"],
        ),
        ("inventory recette client", ["SyncRef"]),
    ],
)
def test_it_filters_by_server_client_category_state_and_environment(
    inventory, typed: str, expected: list[str]
) -> None:
    card = ask(inventory, typed)
    assert shown_batches(card) == expected
    assert f"Inventaire des batchs : {len(expected)}" in render_text(card)


def test_it_pages_a_long_inventory_and_turns_pages_in_place(inventory) -> None:
    first = ask(inventory, "inventory")
    assert "Inventaire des batchs : 22" in render_text(first)
    assert "Page 1 sur 2" in render_text(first)
    assert len(shown_batches(first)) == 15
    [next_button] = first["body"][-1]["items"]
    assert next_button["value"] == "inventory:2"

    request = router.Request(
        text=next_button["value"], user_id="u", user_name="u", to_jid="t"
    )
    turned = router.dispatch_action(inventory, request, next_button["value"], first)

    assert turned is not None and turned.replaces_original
    assert shown_batches(turned.card) == [
        *(f"Horizon-{number}" for number in range(15, 20)),
        "PurgeRGPD",
        "SyncRef",
    ]
    assert "Page 2 sur 2" in render_text(turned.card)
    [previous] = turned.card["body"][-1]["items"]
    assert previous["value"] == "inventory:1"


def test_it_keeps_the_filters_on_the_page_buttons(inventory) -> None:
    card = ask(inventory, "inventory client=Mutuelle\\ Horizon")
    assert (
        card["body"][-1]["items"][0]["value"] == "inventory:2 'client=Mutuelle Horizon'"
    )


def test_it_says_which_filter_it_does_not_understand(inventory) -> None:
    card = ask(inventory, "inventory colour=blue")
    assert "Je ne comprends pas le filtre « colour=blue »." in render_text(card)


def test_it_shows_each_batchs_schedule_creation_and_task(inventory) -> None:
    shown = render_text(ask(inventory, "inventory SyncRef"))
    assert shown.count("SyncRef") == 1
    shown = render_text(ask(inventory, "inventory server=SRV-02"))
    assert "planification : Toutes les heures" in shown
    assert "tâche : \\SyncRef" in shown


def download(runtime, url: str):  # type: ignore[no-untyped-def]
    return create_app(runtime).test_client().get(urlsplit(url).path)


def links(card) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    text = render_text(card)
    csv_url = next(w for w in text.split() if w.endswith(".csv"))
    return csv_url, csv_url[: -len(".csv")] + ".xlsx"


def test_its_links_download_the_same_rows(inventory) -> None:
    csv_url, xlsx_url = links(ask(inventory, "inventory Littoral"))
    assert csv_url.startswith("http://127.0.0.1:8080/exports/")

    got = download(inventory, csv_url)
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="inventaire-2026-12-04.csv"' in got.headers["Content-Disposition"]
    rows = got.data.decode("utf-8-sig").splitlines()
    assert [row.split(";")[1] for row in rows[1:]] == ["PurgeRGPD", "SyncRef"]

    sheet = load_workbook(io.BytesIO(download(inventory, xlsx_url).data)).active
    assert [cell.value for cell in sheet["B"]][1:] == ["PurgeRGPD", "SyncRef"]


def test_its_links_last_a_day(inventory) -> None:
    csv_url, _ = links(ask(inventory, "inventory"))
    inventory.clock.advance(timedelta(hours=23, minutes=59))
    assert download(inventory, csv_url).status_code == 200
    inventory.clock.advance(timedelta(minutes=1))

    expired = download(inventory, csv_url)

    assert expired.status_code == 403
    assert expired.data == b""


# The test's secret is shorter than HS256 wants; batchops derives a longer key.
@pytest.mark.filterwarnings("ignore:The HMAC key is")
def test_it_refuses_a_tampered_link(inventory) -> None:
    csv_url, _ = links(ask(inventory, "inventory Littoral"))
    token = urlsplit(csv_url).path.removeprefix("/exports/").removesuffix(".csv")
    header, claims, signature = token.split(".")
    forged = jwt.encode(
        {"aud": "batchops:inventory-export", "exp": 2**40, "filters": {}},
        "not-the-key-0123456789-0123456789",
        algorithm="HS256",
    )
    other_purpose = jwt.encode(
        {"aud": "batchops:chart", "exp": 2**40, "filters": {}},
        inventory.settings.secret_key,
        algorithm="HS256",
    )
    unsigned = jwt.encode(
        {"aud": "batchops:inventory-export", "exp": 2**40, "filters": {}},
        None,
        algorithm="none",
    )

    for bad in (
        f"{header}.{claims}.{signature[::-1]}",
        forged,
        other_purpose,
        unsigned,
        "garbage",
    ):
        answer = download(inventory, f"/exports/{bad}.csv")
        assert answer.status_code == 403, bad
        assert answer.data == b""
    assert download(inventory, csv_url.replace(".csv", ".pdf")).status_code == 404


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_inventory_card_is_one_zoom_accepts(lang: str, clock) -> None:
    zone = Settings.from_env({"BATCHOPS_SECRET_KEY": "x" * 16}).zone
    change = inventory_cards.ChangeFacts(
        "Export",
        "SRV",
        "Horizon",
        "ready",
        "disabled",
        "Jill",
        clock.now(),
        "why",
        "chat",
    )
    entered = inventory_cards.ChangeFacts(
        "New", "SRV", None, None, "ready", "batchops", clock.now(), "", "detected"
    )
    history = inventory_cards.HistoryFacts("Export", "SRV", None, "ready", [change], 3)
    empty = inventory_cards.InventoryPage([], 0, 1, 1, "", "http://x/a.csv", "x")
    built = [
        inventory_cards.channel_notice_card(lang, zone, [change, entered] * 20),
        inventory_cards.manager_notice_card(lang, zone, [change]),
        inventory_cards.history_card(lang, zone, [history]),
        inventory_cards.history_card(
            lang, zone, [inventory_cards.HistoryFacts("X", "S", "C", "ready", [])]
        ),
        inventory_cards.inventory_card(lang, empty),
        inventory_cards.sync_reply_card(lang, ["done"]),
    ]
    for content in built:
        assert validate_content(content) == [], content
