"""What a reply did, under it: one summary line that opens into the steps, live while the
reply is being written.

`▸ 14 steps · 3 pages read, 1 refused · 12 s` — a click (or the chat's "show steps" key on
the selected or latest reply) opens the list: each step with its status and time, nested
under its cycle, and what it found (queries, results, pages, why one was refused, whether
the model wanted more). While the reply is researched and written, the job's step events
(`apply`) keep it up to date (`… running`); its end and a reload show the stored steps,
which read the same. Everything in it comes from a model or the web: it is bounded
(`core.jobs.step_text`) and drawn as plain text with controls made visible.

Step events come in bursts (every page of a round starts at once): each only marks the
outline stale; it is rebuilt once when the widget is next drawn, never once per event.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual.events import Click
from textual.reactive import reactive
from textual.widget import Widget

from vicechat_tui.core.events import StepFinished, StepStarted
from vicechat_tui.core.jobs.step_text import StepList, StepsOutline, seconds_text, steps_outline
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

    timed: ClassVar[bool] = True
    """False leaves the steps' times out (deterministic screenshots of a live reply)."""

    expanded: reactive[bool] = reactive(False, layout=True)

    def __init__(self, steps: Iterable[Any] = ()) -> None:
        super().__init__()
        self._steps = StepList(steps)
        self._outline: StepsOutline | None = None
        self.set_class(not self.worth_showing, "-empty")

    def set_steps(self, steps: Iterable[Any]) -> None:
        """The reply's steps (stored dicts or live records), replacing those shown."""
        self._steps.reset(steps)
        self._changed()

    def apply(self, event: StepStarted | StepFinished) -> None:
        """A step of the reply being written started or ended."""
        self._steps.apply(event)
        self._changed()

    def _changed(self) -> None:
        self._outline = None  # rebuilt when next drawn: a burst of events costs one outline
        self.set_class(not self.worth_showing, "-empty")
        self.refresh(layout=True)

    @property
    def outline(self) -> StepsOutline:
        """The steps as rows and totals (bounded; see `core.jobs.step_text`)."""
        if self._outline is None:
            self._outline = steps_outline(self._steps.records)
        return self._outline

    @property
    def worth_showing(self) -> bool:
        """More than the answer being written: research, files searched, history left out…"""
        return len(self._steps) > 1

    def toggle(self) -> None:
        self.expanded = not self.expanded

    def on_click(self, event: Click) -> None:
        self.toggle()  # the click goes on up too: it selects the reply

    def render(self) -> Text:
        outline = self.outline
        text = Text(no_wrap=not self.expanded, overflow="ellipsis")
        text.append(f"{'▾' if self.expanded else '▸'} Steps: ", style="bold")
        text.append(outline.summary(timed=self.timed))
        if not self.expanded:
            return text
        for row in outline.rows:
            text.append("\n" + INDENT * (row.depth + 1))
            text.append(f"{STATUS_MARKS.get(row.status, '·')} ", style="bold")
            text.append(visible_controls(row.label))
            if row.seconds is not None and self.timed:
                text.append(" · ")
                text.append(seconds_text(row.seconds), style="italic")
            for detail in row.details:
                text.append("\n" + INDENT * (row.depth + 2) + "  ")
                text.append(visible_controls(detail))
        if outline.left_out:
            text.append(f"\n{INDENT}… and {outline.left_out:,} more steps (all in history --json)")
        return text
