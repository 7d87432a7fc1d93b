"""The needle search: in parts, in a helper process, or here, the same lines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.logengine import needles
from bot.logengine.needle_search import positions_in
from tests.test_logengine_helpers import DATA, read_file

SAMPLE_LINES = [
    b"2025-01-06 08:00:00.0001 INFO Import du lot 12",
    b"2025-01-06 08:00:01.0001 ERROR Import interrompu",
    b"2025-01-06 08:00:02.0001 INFO Contrat 4 : aucune erreur",
    b"2025-01-06 08:00:03.0001 INFO Batch step 3/12 completed, 0 errors",
    b"2025-01-06 08:00:04.0001 [FTL] arr\xc3\xaat",
    b"   at Batch.Import.Run() in D:\\Build\\Run.cs:line 12",
    b"System.IO.IOException: The process cannot access the file",
    b"fail: Batch.Worker[1001]",
    b"Unhandled exception. System.Xml.XmlException: bad",
    b"crit: Microsoft.Extensions.Hosting",
    b"Export failed: error while writing",
    b"2025-01-06 08:00:05 Erreur CRITIQUE",
    b"",
]
LINES = st.sampled_from(SAMPLE_LINES)
A_WINDOW = st.lists(LINES, min_size=1, max_size=60).map(b"\r\n".join)
SMALL_PARALLEL = 4 * 1024


@pytest.fixture
def helper(monkeypatch: pytest.MonkeyPatch) -> Iterator[needles._Helper]:
    """A helper process of its own, used for windows from 4 kB on."""
    fresh = needles._Helper()
    monkeypatch.setattr(needles, "_helper", fresh)
    monkeypatch.setattr(needles, "PARALLEL_BYTES", SMALL_PARALLEL)
    monkeypatch.setattr(needles, "PART_BYTES", 1024)
    yield fresh
    fresh.close()


def big_window() -> bytes:
    return b"".join(
        path.read_bytes() + b"\n"
        for path in sorted((DATA / "open").iterdir())
        if b"\x00" not in path.read_bytes()[:64]
    )


@settings(max_examples=300)
@given(A_WINDOW, st.integers(min_value=1, max_value=200))
def test_it_finds_the_same_places_part_by_part(window: bytes, part: int) -> None:
    cuts = [0]
    while cuts[-1] < len(window):
        stop = min(len(window), cuts[-1] + part)
        cuts.append(window.rfind(b"\n", cuts[-1], stop) + 1 or stop)

    by_parts = [
        at
        for start, stop in zip(cuts, cuts[1:], strict=False)
        for at in positions_in(window, needles._BYTES, start, stop, len(window))
    ]
    assert by_parts == positions_in(window, needles._BYTES, 0, len(window), len(window))


def test_it_searches_a_big_window_in_the_helper_as_it_would_here(
    helper: needles._Helper,
) -> None:
    window = big_window()
    assert len(window) > 50 * SMALL_PARALLEL
    assert needles.start_helper(wait=30)

    found = [at for part in needles.search(window, 0, len(window)) for at in part]

    assert found == needles.positions_here(window, 0, len(window))
    assert helper.ready and helper.process is not None


def test_it_searches_the_helper_s_last_parts_rather_than_wait(
    helper: needles._Helper, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every part of it holds error lines.
    window = (b"\n".join(SAMPLE_LINES) + b"\n") * 500
    expected = needles.positions_here(window, 0, len(window))
    assert needles.start_helper(wait=30)
    collect = needles._Helper._collect
    # Nothing ever comes in time: but for the part it cannot do without.
    monkeypatch.setattr(
        needles._Helper,
        "_collect",
        lambda self, search, wait: wait is None and collect(self, search, wait),
    )
    searched_here = []
    search_part = needles.positions_in
    monkeypatch.setattr(
        needles,
        "positions_in",
        lambda *args: searched_here.append(args[2]) or search_part(*args),
    )

    found = [at for part in needles.search(window, 0, len(window)) for at in part]

    assert found == expected
    assert len(searched_here) > 100
    assert searched_here == sorted(searched_here, reverse=True)
    assert not helper.failed


def test_it_searches_the_rest_here_when_the_helper_stops_midway(
    helper: needles._Helper, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = (b"\n".join(SAMPLE_LINES) + b"\n") * 500
    expected = needles.positions_here(window, 0, len(window))
    assert needles.start_helper(wait=30)
    monkeypatch.setattr(needles, "STEAL_AFTER_S", 30.0)
    answered = []
    collect = needles._Helper._collect

    def stop_after_three(self: needles._Helper, search: object, wait: object) -> bool:
        if len(answered) == 3:
            raise EOFError("the needle search helper stopped")
        answered.append(collect(self, search, wait))  # type: ignore[arg-type]
        return answered[-1]

    monkeypatch.setattr(needles._Helper, "_collect", stop_after_three)

    found = [at for part in needles.search(window, 0, len(window)) for at in part]

    assert found == expected
    assert helper.failed and helper.process is None


def test_it_searches_here_when_the_helper_is_gone(helper: needles._Helper) -> None:
    window = big_window()
    assert needles.start_helper(wait=30)
    assert helper.process is not None
    helper.process.kill()
    helper.process.wait()

    found = [at for part in needles.search(window, 0, len(window)) for at in part]

    assert found == needles.positions_here(window, 0, len(window))
    assert helper.failed
    again = [at for part in needles.search(window, 0, len(window)) for at in part]
    assert again == found


def test_it_finishes_the_helper_s_answers_when_a_scan_stops_early(
    helper: needles._Helper,
) -> None:
    window = big_window()
    assert needles.start_helper(wait=30)
    search = needles.search(window, 0, len(window))
    next(search)
    search.close()

    found = [at for part in needles.search(window, 0, len(window)) for at in part]

    assert found == needles.positions_here(window, 0, len(window))
    assert not helper.failed


def test_it_reads_the_same_entries_with_the_helper(
    helper: needles._Helper, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "big.log"
    log.write_bytes(big_window())
    here = read_file(log)
    assert needles.start_helper(wait=30)
    answers = []
    collect = needles._Helper._collect
    monkeypatch.setattr(
        needles._Helper,
        "_collect",
        lambda self, search, wait: answers.append(1) or collect(self, search, wait),
    )

    with_helper = read_file(log)

    assert with_helper == here
    assert len(here) > 40
    assert len(answers) > 10


def test_it_leaves_no_shared_file_behind(helper: needles._Helper) -> None:
    needles.start_helper()
    shared = helper.path
    assert shared is not None and os.path.exists(shared)

    assert needles.start_helper(wait=30)

    assert helper.path is None
    assert not os.path.exists(shared)
