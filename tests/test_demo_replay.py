"""The demo's real log lines, replayed with recent dates and nothing else changed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.demo import DEMO_FILES, demo_data
from bot.demo_replay import DATES, REPLAY_MARGIN, find_dates, replay_dates
from bot.error_report import rolling_spec

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 30, 9, 30, tzinfo=UTC)  # the day after spring forward
LOGS = sorted((demo_data() / "logs").iterdir())
ERROR_LINE = re.compile(rb"ERROR|FATAL|,ERR,")


def local_dates(data: bytes) -> list[datetime]:
    """Every date of a file, read the way the file writes it, in Paris time."""
    return [found.wall.replace(tzinfo=PARIS) for found in find_dates(data)]


def test_the_replay_is_checked_on_every_log_the_demo_lays() -> None:
    replayed = {
        Path(name).name for files in DEMO_FILES.values() for name in files.values()
    }
    assert replayed == {path.name for path in LOGS}


@pytest.mark.parametrize("log", LOGS, ids=lambda path: path.name)
def test_it_moves_every_date_into_the_period_of_errors_7d(log: Path) -> None:
    replayed = replay_dates(log.read_bytes(), NOW, PARIS)

    dates = local_dates(replayed)
    period = rolling_spec("7d", NOW, PARIS)
    assert dates
    assert all(period.start <= when <= NOW - REPLAY_MARGIN for when in dates)


@pytest.mark.parametrize("log", LOGS, ids=lambda path: path.name)
def test_it_changes_only_the_dates_and_keeps_their_order(log: Path) -> None:
    original = log.read_bytes()

    replayed = replay_dates(original, NOW, PARIS)

    assert len(replayed) == len(original)
    assert DATES.sub(b"<date>", replayed) == DATES.sub(b"<date>", original)
    assert len(find_dates(original)) == len(DATES.findall(original))
    pairs = set(zip(local_dates(original), local_dates(replayed), strict=True))
    moved = dict(pairs)
    assert len(moved) == len(pairs), "one original date became two new ones"
    news = [moved[old] for old in sorted(moved)]
    assert news == sorted(set(news)), "the order of dates changed"


def test_it_spreads_the_errors_over_several_days_and_the_last_24_hours() -> None:
    error_dates = []
    for log in LOGS:
        replayed = replay_dates(log.read_bytes(), NOW, PARIS)
        for line in replayed.splitlines():
            if ERROR_LINE.search(line) and DATES.search(line):
                error_dates.append(local_dates(line)[0])

    assert len({when.date() for when in error_dates}) >= 4
    assert any(when > NOW - timedelta(hours=24) for when in error_dates)


def test_it_leaves_a_file_without_known_dates_as_it_is() -> None:
    data = b"no date here\r\n12:00 only a time\r\n"
    assert replay_dates(data, NOW, PARIS) == data
