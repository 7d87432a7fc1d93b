"""`/errors`: the figures match the events stored, the card is one Zoom takes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import router
from bot.error_report import (
    Filters,
    ReportSpec,
    bucket_edges,
    build_report,
    rolling_spec,
)
from bot.router import Refusal
from commands.errors import parse_errors_args
from integrations.zoom import validate_content
from tests.reports_data import (
    event_at,
    random_events,
    seed_inventory,
    store_events,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def events(runtime, store, clock):  # type: ignore[no-untyped-def]
    inventory = seed_inventory(store, clock.now())
    stored = random_events(clock.now(), 900)
    store_events(store, inventory, stored, clock.now())
    return stored


def ask(runtime, text: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    request = router.Request(
        text=text, user_id="u1", user_name="Claire", to_jid="ops@channel"
    )
    return router.dispatch(runtime, request)


def report_for(runtime, period: str, filters: Filters | None = None):  # type: ignore[no-untyped-def]
    spec = rolling_spec(period, runtime.clock.now(), PARIS, filters)
    with runtime.store.session() as session:
        return build_report(session, spec, PARIS)


def expected_per_bucket(events, spec: ReportSpec) -> Counter[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """Counted the slow way: each event's local hour or day, one by one."""
    counted: Counter[tuple[int, str]] = Counter()
    first = spec.start.astimezone(PARIS)
    for event in events:
        if not spec.start <= event.occurred_at < spec.end:
            continue
        local = event.occurred_at.astimezone(PARIS)
        if spec.unit == "day":
            bucket = (local.date() - first.date()).days
        else:
            bucket = int((event.occurred_at - spec.start).total_seconds() // 3600)
        counted[(bucket, event.category)] += 1
    return counted


@pytest.mark.parametrize("period", ["24h", "7d", "30d"])
def test_it_counts_every_event_of_the_period_in_its_local_bucket(
    runtime, events, period: str
) -> None:
    report = report_for(runtime, period)

    expected = expected_per_bucket(events, report.spec)
    found = {
        (bucket, category): int(count)
        for (bucket, category), count in report.per_bucket.stack().items()
        if count
    }
    assert found == dict(expected)
    assert report.total == sum(expected.values()) > 0


def test_it_counts_errors_per_batch_most_first(runtime, events) -> None:
    report = report_for(runtime, "7d")

    spec = report.spec
    expected = Counter(
        e.batch for e in events if spec.start <= e.occurred_at < spec.end
    )
    rows = list(zip(report.per_batch["batch"], report.per_batch["errors"], strict=True))
    assert dict(rows) == dict(expected)
    assert [count for _, count in rows] == sorted(expected.values(), reverse=True)


def test_it_ranks_the_error_groups_by_their_count(runtime, events) -> None:
    report = report_for(runtime, "30d")

    spec = report.spec
    expected = Counter(
        (e.batch, e.group) for e in events if spec.start <= e.occurred_at < spec.end
    )
    assert report.groups == len(expected)
    top = report.top_groups
    assert top["errors"].tolist() == sorted(expected.values(), reverse=True)[:5]
    assert top["sample"].iloc[0].startswith(f"ERROR {top['batch'].iloc[0]} failed")


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        (Filters(client="mutuelle horizon"), {"ImportAdherents", "ExportPrestations"}),
        (Filters(server="SRV-ORDO-02", category="purge"), {"PurgeRGPD"}),
        (Filters(batch="SyncReferentiel"), {"SyncReferentiel"}),
    ],
)
def test_it_counts_only_the_batches_the_filters_keep(
    runtime, events, filters: Filters, kept: set[str]
) -> None:
    report = report_for(runtime, "30d", filters)

    spec = report.spec
    expected = Counter(
        e.batch
        for e in events
        if e.batch in kept and spec.start <= e.occurred_at < spec.end
    )
    assert dict(
        zip(report.per_batch["batch"], report.per_batch["errors"], strict=True)
    ) == dict(expected)
    assert set(report.top_groups["batch"]) <= kept


def test_it_cuts_days_at_local_midnight_across_a_daylight_saving_change(
    runtime, store, clock
) -> None:
    # Sunday 29 March 2026 has 23 hours in Paris; its 23:30 is 21:30 UTC.
    clock.set(datetime(2026, 3, 31, 10, 0, tzinfo=UTC))
    inventory = seed_inventory(store, clock.now())
    moments = [
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # Sunday 00:30, CET
        datetime(2026, 3, 29, 21, 30, tzinfo=UTC),  # Sunday 23:30, CEST
        datetime(2026, 3, 29, 22, 30, tzinfo=UTC),  # Monday 00:30, CEST
    ]
    store_events(
        store, inventory, [event_at("PurgeRGPD", m) for m in moments], clock.now()
    )

    report = report_for(runtime, "7d")

    days = [edge.astimezone(PARIS).strftime("%a %d %H:%M") for edge in report.edges]
    assert days[:-1] == [
        "Wed 25 00:00",
        "Thu 26 00:00",
        "Fri 27 00:00",
        "Sat 28 00:00",
        "Sun 29 00:00",
        "Mon 30 00:00",
        "Tue 31 00:00",
    ]
    assert report.per_bucket["purge"].tolist() == [0, 0, 0, 0, 2, 1, 0]


def test_it_cuts_the_last_24_hours_into_hours_ending_with_the_current_one(
    clock,
) -> None:
    spec = rolling_spec("24h", clock.now(), PARIS)

    edges = bucket_edges(spec, PARIS)
    assert len(edges) == 25
    assert edges[-2] == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert edges[-1] == clock.now()


def test_it_answers_errors_7d_with_totals_chart_batches_and_groups(
    runtime, events
) -> None:
    card = ask(runtime, "/errors 7d")

    assert validate_content(card) == []
    assert card["head"]["text"] == "Erreurs des 7 derniers jours"
    kinds = [item["type"] for item in card["body"]]
    assert kinds == ["fields", "attachments", "message", "fields", "message"]
    totals = {f["key"]: f["value"] for f in card["body"][0]["items"]}
    expected = report_for(runtime, "7d").total
    assert totals["Erreurs"] == f"{expected:,}".replace(",", "\u202f")
    chart = card["body"][1]
    assert chart["img_url"].startswith("http://127.0.0.1:8080/charts/")
    assert chart["img_url"].endswith(".png")
    batches = [f["key"] for f in card["body"][3]["items"]]
    assert batches[0] == "ImportAdherents (Mutuelle Horizon)"
    assert (
        card["body"][4]["text"]
        .splitlines()[1]
        .endswith("ImportAdherents : ERROR ImportAdherents failed: case 0")
    )


def test_it_says_so_when_the_period_holds_no_error(runtime, store, clock) -> None:
    seed_inventory(store, clock.now())

    card = ask(runtime, "errors")

    assert validate_content(card) == []
    assert card["head"]["text"] == "Erreurs des dernières 24 heures"
    assert "Aucune erreur sur cette période." in json.dumps(card, ensure_ascii=False)
    assert all(item["type"] != "attachments" for item in card["body"])


def test_it_refuses_filters_that_keep_no_batch(runtime, events) -> None:
    card = ask(runtime, "/errors 7d client Nulle Part")

    assert card["head"]["text"] == "Refusé"
    assert card["body"][0]["text"] == (
        "Aucun batch ne correspond à ces filtres : client Nulle Part."
    )


@pytest.mark.parametrize(
    ("args", "period", "filters"),
    [
        ([], "24h", Filters()),
        (["7d"], "7d", Filters()),
        (["30j"], "30d", Filters()),
        (
            ["7d", "client", "Mutuelle Horizon", "category", "export"],
            "7d",
            Filters(client="Mutuelle Horizon", category="export"),
        ),
        (
            ["client", "Mutuelle", "Horizon", "7d"],
            "7d",
            Filters(client="Mutuelle Horizon"),
        ),
        (
            ["serveur=SRV-ORDO-02", "catégorie=envoi"],
            "24h",
            Filters(server="SRV-ORDO-02", category="send"),
        ),
        (["categorie", "tâche", "récurrente"], "24h", Filters(category="recurring")),
    ],
)
def test_it_reads_the_period_and_filters_as_people_type_them(
    args: list[str], period: str, filters: Filters
) -> None:
    assert parse_errors_args(args, "fr") == (period, filters)


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (["7d", "colour", "red"], "I don't understand “colour”."),
        (["7d", "client"], "The filter “client” needs a value."),
        (["batch=A", "batch=B"], "The filter “batch” is given twice."),
        (["category", "backup"], "Unknown category “backup”. Categories: "),
    ],
)
def test_it_says_what_it_accepts_when_a_filter_is_wrong(
    args: list[str], first_line: str
) -> None:
    with pytest.raises(Refusal) as refusal:
        parse_errors_args(args, "en")

    lines = str(refusal.value).splitlines()
    assert lines[0].startswith(first_line)
    assert lines[1].startswith("Period: 24h, 7d or 30d (24h by default). Filters: ")


def test_it_rolls_the_period_to_the_current_day_in_local_time() -> None:
    # 23:30 UTC on 4 December is already 5 December in Paris.
    now = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)

    spec = rolling_spec("7d", now, PARIS)

    assert spec.start == datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    assert spec.end - spec.start == timedelta(days=6, hours=0, minutes=30)
