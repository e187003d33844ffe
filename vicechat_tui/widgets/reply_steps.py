"""What a researched reply did, folded under it: one summary line that opens into the steps.

`▸ 14 steps · 3 pages read, 1 refused · 12 s` — a click (or the chat's "show steps" key on
the selected or latest reply) opens the list: each step with its status and time, nested
under its cycle, and what it found (queries, results, pages, why one was refused, whether
the model wanted more). Everything in it comes from a model or the web: it is bounded
(`core.jobs.step_text`) and drawn as plain text with controls made visible.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.events import Click
from textual.reactive import reactive
from textual.widget import Widget

from vicechat_tui.core.jobs.step_text import StepsOutline, seconds_text, steps_outline
from vicechat_tui.widgets.safe_text import visible_controls

INDENT = "  "
"""One level of nesting."""
STATUS_MARKS = {"ok": "✓", "failed": "✗", "cancelled": "■", "running": "…"}


class ReplySteps(Widget):
    """The steps of one reply, folded (one line) or open (every step)."""

    DEFAULT_CSS = """
    ReplySteps {
        height: auto;
        padding: 0 1;
        margin: 0 0 1 0;
        color: $text-muted;
        border-left: outer $secondary;
    }
    ReplySteps:hover {
        background: $boost;
    }
    ReplySteps.-empty {
        display: none;
    }
    """

    expanded: reactive[bool] = reactive(False, layout=True)
    outline: reactive[StepsOutline] = reactive(StepsOutline, layout=True, always_update=True)

    def set_steps(self, steps: Iterable[Any]) -> None:
        """The reply's steps (stored dicts or live records)."""
        self.outline = steps_outline(steps)

    @property
    def worth_showing(self) -> bool:
        """More than the answer being written: research, history left out…"""
        return self.outline.total > 1

    def watch_outline(self) -> None:
        self.set_class(not self.worth_showing, "-empty")

    def toggle(self) -> None:
        self.expanded = not self.expanded

    def on_click(self, event: Click) -> None:
        self.toggle()  # the click goes on up too: it selects the reply

    def render(self) -> Text:
        outline = self.outline
        text = Text(no_wrap=not self.expanded, overflow="ellipsis")
        text.append(f"{'▾' if self.expanded else '▸'} Steps: ", style="bold")
        text.append(outline.summary())
        if not self.expanded:
            return text
        for row in outline.rows:
            text.append("\n" + INDENT * (row.depth + 1))
            text.append(f"{STATUS_MARKS.get(row.status, '·')} ", style="bold")
            text.append(visible_controls(row.label))
            if row.seconds is not None:
                text.append(" · ")
                text.append(seconds_text(row.seconds), style="italic")
            for detail in row.details:
                text.append("\n" + INDENT * (row.depth + 2) + "  ")
                text.append(visible_controls(detail))
        if outline.left_out:
            text.append(f"\n{INDENT}… and {outline.left_out:,} more steps (all in history --json)")
        return text
