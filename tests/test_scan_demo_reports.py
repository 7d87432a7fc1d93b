"""Right after the demo's scan, `/errors 24h` and `/errors 7d` have errors."""

from __future__ import annotations

from bot import router
from bot.demo import seed_demo
from jobs.log_scan import run_scan_cycle
from tests.test_scan import EXPECTED_ENTRIES


def totals(runtime, text: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    request = router.Request(text=text, user_id="u", user_name="u", to_jid="c")
    card = router.dispatch(runtime, request)
    return {field["key"]: field["value"] for field in card["body"][0]["items"]}


def test_it_dates_the_demo_errors_within_the_last_week(runtime) -> None:
    seed_demo(runtime)
    run_scan_cycle(runtime)

    week = totals(runtime, "/errors 7d")
    day = totals(runtime, "/errors 24h")

    assert week["Erreurs"] == str(sum(EXPECTED_ENTRIES.values()))
    assert week["Batchs en erreur"] == str(len(EXPECTED_ENTRIES))
    assert int(day["Erreurs"]) > 0
