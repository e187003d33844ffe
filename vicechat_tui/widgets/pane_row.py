"""The row of panes (tree | editor | chat): moving the focus between them, showing, hiding.

Pure layout and focus: the screen decides when (its keys call `focus_step`, `go_to`, `hide`,
`resize_first`); the row knows which panes are shown and where the focus lands in each.
Going to a pane always shows and focuses it (pressed twice, it stays); hiding is its own key.
"""

from __future__ import annotations

from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget

MIN_FIRST_WIDTH = 16
MAX_FIRST_WIDTH = 80
ROOM_FOR_THE_OTHERS = 40


class PaneRow(Horizontal):
    """Panes side by side; F6 order is their order."""

    first_width: reactive[int] = reactive(28, init=False)
    """Width of the first pane (the tree), in cells."""

    landing: dict[str, str]
    """Per pane id, the selector of the widget the focus lands on (else its first focusable)."""

    def __init__(self, *panes: Widget, landing: dict[str, str] | None = None, id: str) -> None:
        super().__init__(*panes, id=id)
        self.landing = landing or {}

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
        """Focus the next (`delta` 1) or previous (-1) shown pane that can take the focus."""
        panes = self.panes()
        if not panes:
            return
        current = self.pane_of(self.screen.focused)
        index = panes.index(current) if current in panes else (-1 if delta > 0 else 0)
        for step in range(1, len(panes) + 1):
            target = self.landing_widget(panes[(index + delta * step) % len(panes)])
            if target is not None:
                target.focus()
                return

    def go_to(self, pane: Widget) -> None:
        """Show `pane` and put the focus in it (where it already is, nothing changes)."""
        if self.pane_of(self.screen.focused) is pane and pane.display:
            return
        pane.display = True
        self.call_after_refresh(self._focus_in, pane)

    def hide(self, pane: Widget) -> None:
        """Hide `pane`; the focus, if it was there, moves to the next shown pane."""
        if not pane.display or len(self.panes()) <= 1:
            return  # the last pane shown stays: something must hold the focus
        had_focus = self.pane_of(self.screen.focused) is pane
        pane.display = False
        if had_focus:
            self.focus_step(1)

    def _focus_in(self, pane: Widget) -> None:
        target = self.landing_widget(pane)
        if target is not None:
            target.focus()

    def resize_first(self, delta: int) -> None:
        """Make the first pane `delta` cells wider (shown again if hidden)."""
        first = self.children[0]
        first.display = True
        limit = max(MIN_FIRST_WIDTH, min(MAX_FIRST_WIDTH, self.size.width - ROOM_FOR_THE_OTHERS))
        self.first_width = max(MIN_FIRST_WIDTH, min(limit, self.first_width + delta))

    def watch_first_width(self, width: int) -> None:
        self.children[0].styles.width = width
