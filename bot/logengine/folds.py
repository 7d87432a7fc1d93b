"""Telling the two passes of the repeated autumn hour apart.

When clocks go back, local times from 02:00 to 03:00 (in Paris) happen twice.
A log written in local time without an offset shows it only by going back:
``02:55`` then ``02:05``. An entry in that hour is in the second pass (fold 1)
when, going back over the entry headers before it while they stay in the
repeated hour, the time went backwards somewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.logengine.levels import Header
from bot.logengine.timestamps import Clockwork


@dataclass(frozen=True)
class FoldMark:
    """The wall time of a header in the repeated hour and the pass it is in."""

    pos: int
    wall: datetime
    fold: int


PreviousHeader = Callable[[int, int], tuple[int, Header | None]]
"""``previous_header(pos, floor)``: the header line before ``pos``, or
``(floor, None)`` when there is none down to ``floor``."""


class FoldResolver:
    """Resolves folds for headers of one window, in increasing position order.

    ``carried`` is the mark of the last header before the window, kept in the
    file's cursor. The window's headers are asked for with each call (holding
    on to the scanner would keep it, and its window, alive in a cycle).
    """

    def __init__(self, clock: Clockwork, carried: FoldMark | None) -> None:
        self.clock = clock
        self.carried = carried
        self._last: FoldMark | None = None

    def wall(self, header: Header | None) -> datetime | None:
        """The header's local wall time when it is in a repeated hour."""
        if header is None or header.stamp is None:
            return None
        if header.stamp.offset_minutes is not None:
            return None
        wall = self.clock.local(header.stamp)
        if wall is None or not self.clock.is_ambiguous(wall):
            return None
        return wall

    def fold(
        self,
        pos: int,
        header: Header | None,
        floor: int,
        previous_header: PreviousHeader,
    ) -> int:
        wall = self.wall(header)
        if wall is None:
            return 0
        fold = self._walk_back(pos, wall, floor, previous_header)
        self._last = FoldMark(pos, wall, fold)
        return fold

    def mark(
        self,
        pos: int,
        header: Header | None,
        floor: int,
        previous_header: PreviousHeader,
    ) -> FoldMark | None:
        """The mark to carry to the next window for the header at ``pos``."""
        if self.wall(header) is None:
            return None
        self.fold(pos, header, floor, previous_header)
        return self._last

    def _walk_back(
        self, pos: int, wall: datetime, floor: int, previous_header: PreviousHeader
    ) -> int:
        later = wall
        while pos > floor:
            pos, header = previous_header(pos, floor)
            if header is None:
                break
            if self._last is not None and self._last.pos == pos:
                return _went_back(self._last, later)
            earlier = self.wall(header)
            if earlier is None:
                return 0
            if earlier > later:
                return 1
            later = earlier
        return _went_back(self.carried, later) if self.carried else 0


def _went_back(earlier: FoldMark, later: datetime) -> int:
    return 1 if earlier.fold == 1 or earlier.wall > later else 0
