"""Where each hunk of a diff sits at one width: its drawn rows, its height, its first row.

A diff can have thousands of hunks; wrapping them all before the first frame would cost a
second. So hunks are laid out from the first, in order, only as far as something needs
(the rows on screen, the current change); the heights of those not laid out yet are
estimated from their length, which only moves the scroll bar's size until they are. The
laid-out part is always a prefix, so what is on screen never moves when an estimate is
replaced below it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate

from textual.strip import Strip

MARGIN = 1
"""Blank rows under each hunk."""


class HunkLayout:
    """The hunks' rows at one width. `draw(number)` gives a hunk's rows (without margin)."""

    def __init__(
        self, width: int, estimates: Sequence[int], draw: Callable[[int], list[Strip]]
    ) -> None:
        self.width = width
        self._draw = draw
        self.heights = [rows + MARGIN for rows in estimates]
        """Each hunk's rows with its margin: exact for the first `laid`, estimated after."""
        self.rows: list[list[Strip] | None] = [None] * len(estimates)
        self.laid = 0
        """How many hunks, from the first, have their exact height."""
        self._starts: list[int] | None = None

    @property
    def count(self) -> int:
        return len(self.heights)

    @property
    def complete(self) -> bool:
        return self.laid == self.count

    def starts(self) -> list[int]:
        """The first row of each hunk, and the total after the last."""
        if self._starts is None:
            self._starts = [0, *accumulate(self.heights)]
        return self._starts

    @property
    def total(self) -> int:
        return self.starts()[-1]

    def hunk_rows(self, number: int) -> list[Strip]:
        """The rows of hunk `number`, drawn now if they are not (its height made exact)."""
        rows = self.rows[number]
        if rows is None:
            rows = self.rows[number] = self._draw(number)
            if self.heights[number] != len(rows) + MARGIN:
                self.heights[number] = len(rows) + MARGIN
                self._starts = None
        return rows

    def lay_out(self, *, rows: int | None = None, hunks: int | None = None) -> bool:
        """Lay out hunks in order until the laid-out part covers the first `rows` rows or the
        first `hunks` hunks. True when a height changed (the total may have)."""
        before = self.starts()
        end = before[self.laid]
        changed = False
        while self.laid < self.count and (
            (rows is not None and end < rows) or (hunks is not None and self.laid < hunks)
        ):
            estimate = self.heights[self.laid]
            self.hunk_rows(self.laid)
            changed |= self.heights[self.laid] != estimate
            end += self.heights[self.laid]
            self.laid += 1
        return changed

    def forget(self, numbers: Sequence[int] | range) -> None:
        """Hunks whose look changed: drawn again when next needed (heights kept: a mark
        changes the look, and the rows only when it is the current change's ▶)."""
        for number in numbers:
            self.rows[number] = None

    def find(self, row: int) -> tuple[int, int] | None:
        """The hunk at `row` and the row within it (past its rows: in its margin)."""
        starts = self.starts()
        if not 0 <= row < starts[-1]:
            return None
        number = bisect_right(starts, row) - 1
        return number, row - starts[number]

    def span(self, number: int) -> tuple[int, int]:
        """The first row of hunk `number` and its row count (without margin)."""
        starts = self.starts()
        return starts[number], starts[number + 1] - starts[number] - MARGIN
