"""The line above the panes when not all of them are shown: which are, how to reach the
others, the section's save state (its own status line may be hidden) and where help is.

The screen gives it what to say (`show`); it draws the names of the shown panes in bold,
the hidden ones dimmed with their key, and the save state and help key on the right (the
panes' part is cut first when the line is too narrow).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import Static


@dataclass(frozen=True)
class PaneLabel:
    """One pane as the bar names it."""

    name: str
    key: str
    shown: bool


class PaneBar(Horizontal):
    """One line: ▣ Tree  ▣ Editor  ▢ Chat ^g … saved · F1 help."""

    DEFAULT_CSS = """
    PaneBar { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    PaneBar > #pane-bar-panes { width: 1fr; height: 1; }
    PaneBar > #pane-bar-state { width: auto; height: 1; padding-left: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            Static("", id="pane-bar-panes", markup=False),
            Static("", id="pane-bar-state", markup=False),
            id=id,
        )

    def show(self, panes: Sequence[PaneLabel], state: str, help_key: str) -> None:
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        for index, pane in enumerate(panes):
            if index:
                line.append("  ")
            if pane.shown:
                line.append(f"▣ {pane.name}", "bold")
            else:
                line.append(f"▢ {pane.name} {pane.key}".rstrip(), "dim")
        right = " · ".join(part for part in (state, f"{help_key} help") if part)
        self.query_one("#pane-bar-panes", Static).update(line)
        self.query_one("#pane-bar-state", Static).update(Text(right, no_wrap=True, end=""))
