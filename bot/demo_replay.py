"""The demo's real log lines, replayed over the last seven days.

The demo logs were written years ago, so a scan would date every error then
and `/errors 7d` would be empty. When the demo is seeded, each file's
timestamps are moved into the period `/errors 7d` covers: every byte but the
dates stays as written, the dates keep their format and width, and their
order is kept (a file whose clock went backwards still does). The distinct
times of a file are spread evenly over the period, so its errors land on
several days and some in the last 24 hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.error_report import rolling_spec

REPLAY_PERIOD = "7d"
REPLAY_MARGIN = timedelta(minutes=10)
"""The newest line is dated this long before now, never in the future."""


@dataclass(frozen=True)
class DateLayout:
    pattern: bytes
    layout: str
    """strptime layout of the date as the file writes it, in local time."""


LAYOUTS = (
    # log4net, NLog and other ISO 8601 writers.
    DateLayout(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", "%Y-%m-%d %H:%M:%S"),
    DateLayout(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", "%Y-%m-%dT%H:%M:%S"),
    # Exchange Setup writes US dates, month first: [03/07/2021 18:24:37.0773]
    DateLayout(rb"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", "%m/%d/%Y %H:%M:%S"),
    # The SkyDrive client, month first too: 07-25-13,16:03:24.649
    DateLayout(rb"\d{2}-\d{2}-\d{2},\d{2}:\d{2}:\d{2}", "%m-%d-%y,%H:%M:%S"),
    # Its session banners: StartSystemTime:2013-07-25-160323.291
    DateLayout(rb"\d{4}-\d{2}-\d{2}-\d{6}", "%Y-%m-%d-%H%M%S"),
)
DATES = re.compile(
    b"|".join(b"(%s)" % layout.pattern for layout in LAYOUTS),
)


def replay_dates(data: bytes, now: datetime, zone: ZoneInfo) -> bytes:
    """``data`` with its dates moved into the period before ``now``."""
    dated = find_dates(data)
    if not dated:
        return data

    moved = _spread(sorted({date.wall for date in dated}), now, zone)
    out = bytearray(data)
    for date in reversed(dated):
        new = moved[date.wall].strftime(date.layout).encode()
        out[date.start : date.end] = new
    return bytes(out)


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    layout: str
    wall: datetime
    """The date as written: a local wall time, to the second."""


def find_dates(data: bytes) -> list[FoundDate]:
    """The dates of ``data`` in one of :data:`LAYOUTS`, in file order."""
    found = []
    for match in DATES.finditer(data):
        layout = LAYOUTS[match.lastindex - 1].layout  # type: ignore[operator]
        try:
            wall = datetime.strptime(match.group().decode(), layout)
        except ValueError:
            continue
        found.append(FoundDate(match.start(), match.end(), layout, wall))
    return found


def _spread(
    originals: list[datetime], now: datetime, zone: ZoneInfo
) -> dict[datetime, datetime]:
    """Each original wall time to a local wall time in the replay period."""
    first = rolling_spec(REPLAY_PERIOD, now, zone).start
    width = now - REPLAY_MARGIN - first
    steps = len(originals) - 1
    return {
        original: _wall(first + width * (rank / steps if steps else 1), zone)
        for rank, original in enumerate(originals)
    }


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)
