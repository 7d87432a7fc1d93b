"""The words people read: both languages complete, times shown locally."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.cards import local_time
from bot.texts import TEXTS

PARIS = ZoneInfo("Europe/Paris")


def test_it_has_every_sentence_in_french_and_in_english() -> None:
    assert TEXTS["fr"].keys() == TEXTS["en"].keys()


def test_it_shows_times_in_the_configured_zone_across_the_autumn_change() -> None:
    before = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    after = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert local_time(before, PARIS, "fr") == "25/10/2026 02:30:00 CEST"
    assert local_time(after, PARIS, "fr") == "25/10/2026 02:30:00 CET"
    assert local_time(after, PARIS, "en") == "2026-10-25 02:30:00 CET"


def test_it_shows_times_in_the_configured_zone_across_the_spring_change() -> None:
    assert local_time(datetime(2026, 3, 29, 0, 59, tzinfo=UTC), PARIS, "fr") == (
        "29/03/2026 01:59:00 CET"
    )
    assert local_time(datetime(2026, 3, 29, 1, 0, tzinfo=UTC), PARIS, "fr") == (
        "29/03/2026 03:00:00 CEST"
    )
