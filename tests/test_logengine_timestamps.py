"""Timestamps as batch logs write them, to UTC in the source's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.logengine.timestamps import Clockwork, _iso_fields, find_leading

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def to_utc(line: str, zone: str = "Europe/Paris", fold: int = 0) -> str:
    clock = Clockwork(zone, NOW)
    found = find_leading(line)
    assert found is not None
    stamp = found.stamp()
    wall = clock.local(stamp)
    assert wall is not None
    return clock.to_utc(stamp, wall, fold).isoformat()


@pytest.mark.parametrize(
    ("line", "utc"),
    [
        ("2024-10-09 14:01:59.5669 ERROR x", "2024-10-09T12:01:59.566900+00:00"),
        ("2016-01-22 16:43:30,666 [15] x", "2016-01-22T15:43:30.666000+00:00"),
        ("2020-09-13T17:53:40.0180022+03:00 x", "2020-09-13T14:53:40.018002+00:00"),
        ("2020-09-13 00:01:08.399 +04:30 [ERR] x", "2020-09-12T19:31:08.399000+00:00"),
        ("2018-01-24 18:32:31,838 -0800 ERROR x", "2018-01-25T02:32:31.838000+00:00"),
        ("2024-06-01T10:00:00Z x", "2024-06-01T10:00:00+00:00"),
        ("09/10/2024 14:00:01 Erreur x", "2024-10-09T12:00:01+00:00"),
        ("08:00:05 09/10/2024 Erreur x", "2024-10-09T06:00:05+00:00"),
        ("10/22/2018 4:13:27 PM x", "2018-10-22T14:13:27+00:00"),
        ("[03/27/2021 18:24:37.0773] [0] x", "2021-03-27T17:24:37.077300+00:00"),
        ("07-25-13,16:03:24.649,13 x", "2013-07-25T14:03:24.649000+00:00"),
        ("24.12.2024 23:59:59 Fehler x", "2024-12-24T22:59:59+00:00"),
        ("[10.30 17:15:42] QQ.exe x", "2024-10-30T16:15:42+00:00"),
        ("Nov  3 01:01:03 host x", "2024-11-03T00:01:03+00:00"),
        ("août 19 11:08:37 host x", "2024-08-19T09:08:37+00:00"),
        ("08:59:00.000 foo DEBUG x", "2025-01-06T07:59:00+00:00"),
        ("23:00:00.000 foo DEBUG x", "2025-01-05T22:00:00+00:00"),
    ],
)
def test_it_reads_timestamps_as_the_team_and_its_tools_write_them(
    line: str, utc: str
) -> None:
    assert to_utc(line) == utc


@pytest.mark.parametrize(
    "line",
    ["127.0.0.1\tlocalhost", "13/13/2024 10:00:00 x", "System.Exception: x", "0. x"],
)
def test_it_does_not_take_other_numbers_for_a_timestamp(line: str) -> None:
    assert find_leading(line) is None


def test_it_reads_the_repeated_autumn_hour_in_either_pass() -> None:
    line = "2024-10-27 02:30:00 ERROR x"

    assert to_utc(line, fold=0) == "2024-10-27T00:30:00+00:00"
    assert to_utc(line, fold=1) == "2024-10-27T01:30:00+00:00"
    wall = datetime(2024, 10, 27, 2, 30)
    assert Clockwork("Europe/Paris", NOW).is_ambiguous(wall)
    assert not Clockwork("Europe/Paris", NOW).is_ambiguous(wall.replace(hour=3))


def test_it_gives_the_message_start_after_the_timestamp() -> None:
    line = "[10.30 17:15:42] QQ.exe - host:443 error : canceled"
    found = find_leading(line)

    assert found is not None
    assert line[found.rest :] == "QQ.exe - host:443 error : canceled"


def test_it_reads_a_date_that_goes_either_way_in_the_order_of_its_file() -> None:
    open_date = find_leading("03/07/2021 18:24:37 x")
    telling = find_leading("03/25/2021 18:24:37 x")
    assert open_date is not None and telling is not None

    as_written = Clockwork("UTC", NOW)
    month_first = Clockwork("UTC", NOW).in_order("mdy")
    day_first = Clockwork("UTC", NOW).in_order("dmy")
    assert as_written.local(open_date.stamp()) == datetime(2021, 7, 3, 18, 24, 37)
    assert month_first.local(open_date.stamp()) == datetime(2021, 3, 7, 18, 24, 37)
    assert day_first.local(telling.stamp()) == datetime(2021, 3, 25, 18, 24, 37)
    assert telling.stamp().shown_order == "mdy"
    assert open_date.stamp().shown_order is None


def test_it_reads_dashed_dates_day_first_when_the_day_comes_first() -> None:
    assert to_utc("25-07-13,16:03:24.649 x", zone="UTC") == (
        "2013-07-25T16:03:24.649000+00:00"
    )


@st.composite
def iso_like(draw: st.DrawFn) -> str:
    day = draw(
        st.sampled_from(["2024-02-29", "2023-02-29", "2024-10-31", "1999-12-01"])
    )
    separator = draw(st.sampled_from(["T", " ", ",", ", "]))
    clock = (
        draw(st.sampled_from(["0", "07", "23"]))
        + ":"
        + draw(st.sampled_from(["00", "59"]))
    )
    clock += draw(st.sampled_from(["", ":00", ":59", ":60"]))
    fraction = draw(st.text("0123456789", min_size=1, max_size=10))
    clock += (
        draw(st.sampled_from(["", ".", ",", ":"]))
        and draw(st.sampled_from([".", ",", ":"])) + fraction
    )
    zone = draw(st.sampled_from(["", "Z", " +02:00", "-0430"]))
    return f"{day}{separator}{clock}{zone} ERROR x"


@given(iso_like())
def test_it_reads_iso_stamps_whole_as_it_reads_them_field_by_field(line: str) -> None:
    found = find_leading(line)
    assume(found is not None and found.layout == "iso")
    assert found is not None
    stamp = found.stamp()

    by_fields = _iso_fields(found.match, stamp.offset_minutes)
    assert stamp._replace(wall=None) == by_fields
    clock = Clockwork("UTC", NOW)
    assert clock.local(stamp) == clock.local(by_fields)
