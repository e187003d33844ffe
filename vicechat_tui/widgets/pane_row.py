"""The row of panes (tree | editor | chat): moving the focus between them, showing, hiding.

Pure layout and focus: the screen decides when (its keys call `focus_step`, `go_to`, `hide`,
`resize_first`); the row knows which panes are shown and where the focus lands in each.
Going to a pane always shows and focuses it (pressed twice, it stays); hiding is its own key.

How many panes fit depends on the width (`room`): all three from `THREE_PANES_FROM`
columns; below, the main pane (the editor) and one side pane — the one gone to last; below
`TWO_PANES_FROM`, one pane at a time. Going to a hidden pane shows it in place of another,
F6 walks through every pane (hidden ones included), and `PanesChanged` tells the screen
which are shown, for its indicator of the hidden ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

MIN_FIRST_WIDTH = 16
MAX_FIRST_WIDTH = 80
ROOM_FOR_THE_OTHERS = 40
THREE_PANES_FROM = 96
"""Columns from which the three panes stand side by side."""
TWO_PANES_FROM = 64
"""Columns from which two panes (the main one and a side one) stand side by side."""


def panes_that_fit(width: int) -> int:
    return 3 if width >= THREE_PANES_FROM else 2 if width >= TWO_PANES_FROM else 1


class PaneRow(Horizontal):
    """Panes side by side; F6 order is their order."""

    first_width: reactive[int] = reactive(28, init=False)
    """Width of the first pane (the tree), in cells."""

    room: reactive[int] = reactive(3, init=False)
    """How many panes fit side by side at the current width."""

    landing: dict[str, str]
    """Per pane id, the selector of the widget the focus lands on (else its first focusable)."""

    @dataclass
    class PanesChanged(Message):
        """Which panes are shown now (ids, in order), and how many fit."""

        shown: tuple[str, ...]
        room: int

    def __init__(
        self,
        *panes: Widget,
        landing: dict[str, str] | None = None,
        main: str | None = None,
        id: str,
    ) -> None:
        super().__init__(*panes, id=id)
        self.landing = landing or {}
        self.main = main
        """The pane shown whenever two fit (the editor)."""
        self._put_away: set[str] = set()
        """Panes the person hid (they stay hidden at any width)."""
        self._last: str | None = None
        """The pane gone to last: the one shown when only one fits."""
        self._side: str | None = None
        """The side pane gone to last: shown next to the main one when two fit."""

    def on_resize(self, event: events.Resize) -> None:
        self.room = panes_that_fit(event.size.width)

    def watch_room(self) -> None:
        self.set_class(self.room == 1, "-single")
        self._arrange()

    def _arrange(self) -> None:
        """Show what fits: every pane not put away, or the main pane and the last side pane,
        or the last pane alone."""
        panes = list(self.children)
        kept = [pane for pane in panes if pane.id not in self._put_away] or panes[:1]
        if self.room >= 3:
            shown = kept
        else:
            focused = self.pane_of(self.screen.focused) if self.is_attached else None
            focused = focused if focused in kept else None
            main = next((pane for pane in kept if pane.id == self.main), None)
            if self.room == 1:
                last = next((pane for pane in kept if pane.id == self._last), None)
                shown = [last or focused or main or kept[0]]
            else:
                sides = [pane for pane in kept if pane is not main]
                side = next((pane for pane in sides if pane.id == self._side), None)
                side = side or (focused if focused in sides else None)
                shown = [pane for pane in (main, side or (sides[0] if sides else None)) if pane]
        for pane in panes:
            pane.display = pane in shown
        first = panes[0]
        first.styles.width = "1fr" if self.room == 1 else self.first_width
        self.post_message(self.PanesChanged(tuple(p.id or "" for p in shown), self.room))

    def panes(self) -> list[Widget]:
        """The panes shown now, in order."""
        return [pane for pane in self.children if pane.display]

    def pane_of(self, widget: Widget | None) -> Widget | None:
        """The pane `widget` is in (or is), if any."""
        for pane in self.children:
            if widget is not None and (widget is pane or pane in widget.ancestors):
                return pane
        return None

    def landing_widget(self, pane: Widget) -> Widget | None:
        """Where the focus lands in `pane`."""
        selector = self.landing.get(pane.id or "")
        if selector is not None:
            target = pane.query_one(selector)
            if target.focusable:
                return target
        for widget in self.screen.focus_chain:
            if widget is pane or pane in widget.ancestors:
                return widget
        return None

    def focus_step(self, delta: int) -> None:
        """Focus the next (`delta` 1) or previous (-1) pane that can take the focus: a shown
        one when all fit, else any not put away (shown in place of another)."""
        if self.room >= 3:
            panes = self.panes()
        else:
            panes = [pane for pane in self.children if pane.id not in self._put_away]
        if not panes:
            return
        current = self.pane_of(self.screen.focused)
        index = panes.index(current) if current in panes else (-1 if delta > 0 else 0)
        for step in range(1, len(panes) + 1):
            pane = panes[(index + delta * step) % len(panes)]
            if not pane.display:
                self.go_to(pane)
                return
            target = self.landing_widget(pane)
            if target is not None:
                target.focus()
                return

    def go_to(self, pane: Widget) -> None:
        """Show `pane` and put the focus in it. Where the focus already is in it, nothing
        changes, except in a pane with a landing place (the chat's input): the focus goes
        there, so letters typed next are not lost on the message list."""
        if self.pane_of(self.screen.focused) is pane and pane.display:
            if pane.id in self.landing:
                self._focus_in(pane)
            return
        self._put_away.discard(pane.id or "")
        self._last = pane.id
        if pane.id != self.main:
            self._side = pane.id
        self._arrange()
        self.call_after_refresh(self._focus_in, pane)

    def show(self, pane: Widget) -> None:
        """Show `pane` (in place of another when not all fit) without moving the focus: for
        the screen before it focuses something inside, e.g. a search result's match."""
        if pane.display:
            return
        self._put_away.discard(pane.id or "")
        self._last = pane.id
        if pane.id != self.main:
            self._side = pane.id
        self._arrange()

    def hide(self, pane: Widget) -> None:
        """Hide `pane`; the focus, if it was there, moves to the next shown pane."""
        if not pane.display or len(self.panes()) <= 1:
            return  # the last pane shown stays: something must hold the focus
        had_focus = self.pane_of(self.screen.focused) is pane
        self._put_away.add(pane.id or "")
        self._arrange()
        if had_focus:
            self.focus_step(1)

    def _focus_in(self, pane: Widget) -> None:
        target = self.landing_widget(pane)
        if target is not None:
            target.focus()

    def resize_first(self, delta: int) -> None:
        """Make the first pane `delta` cells wider (shown again if hidden)."""
        first = self.children[0]
        if not first.display:
            self._put_away.discard(first.id or "")
            self._last = self._side = first.id
            self._arrange()
        limit = max(MIN_FIRST_WIDTH, min(MAX_FIRST_WIDTH, self.size.width - ROOM_FOR_THE_OTHERS))
        self.first_width = max(MIN_FIRST_WIDTH, min(limit, self.first_width + delta))

    def watch_first_width(self, width: int) -> None:
        if self.room > 1:
            self.children[0].styles.width = width
