"""A word-level diff drawn as hunks, each change marked so it reads without colour too.

What goes is `[-struck through-]`, what comes `{+underlined+}`; the mark before a change says
what saving does with it: ✓ kept, ✗ dropped, ? a conflict still to choose, ⇄ the other
side's text taken. Colours come from the theme ($error, $success) through component
classes; the text itself is stored, model or other-user text, so it is shown literally
(`rich.text.Text`, controls made visible) and never read as markup. A line break inside a
change shows as ↵ so a change of line breaks alone can be seen.

`DiffView` is one widget however many hunks there are (Textual's line API): it draws only
the rows on screen, from hunks wrapped to its width when first needed (`HunkLayout`, one
per width seen, so a resize back is free).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import ClassVar, Literal

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.content import Content
from textual.events import Resize
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual

from vicechat_tui.core.review.diff import Change
from vicechat_tui.core.review.hunks import Hunk
from vicechat_tui.widgets.diff_layout import HunkLayout
from vicechat_tui.widgets.safe_text import visible_controls

Decision = Literal["new", "old", "theirs"] | None
"""Keep the change, keep the old text, take the other side (a conflict), or undecided."""
MARKS = {"new": "✓", "old": "✗", "theirs": "⇄", None: "?"}
LONGEST_SHOWN = 4_000
"""Characters of one side of a change drawn at most (the rest is counted, not drawn)."""
EDGE = "▎"
"""The bar left of each hunk ($accent for the hunk of the current change)."""
LAYOUT_SLICE = 0.008
"""Seconds of laying out hunks below the screen per frame, after the first frame."""


def _shown(text: str) -> str:
    """One side of a change as drawn: controls visible, line breaks as ↵ (the last one is
    drawn after the change's closing mark, see `_draw_change`)."""
    text = text.removesuffix("\n")
    if len(text) > LONGEST_SHOWN:
        rest = len(text) - LONGEST_SHOWN
        text = f"{text[:LONGEST_SHOWN]}… ({rest:,} more characters; e edits the whole text)"
    return visible_controls(text).replace("\n", "↵\n")


class DiffView(ScrollView, can_focus=True):
    """The hunks of a diff; the screen says what is decided and which change is current."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diff--deleted",
        "diff--inserted",
        "diff--dropped",
        "diff--mark",
        "diff--current",
        "diff--edge",
        "diff--edge-current",
    }
    DEFAULT_CSS = """
    DiffView {
        height: 1fr; padding: 0 1; overflow-x: hidden;
        & > .diff--deleted { color: $text-error; text-style: strike; }
        & > .diff--inserted { color: $text-success; text-style: underline; }
        & > .diff--dropped { color: $text-muted; text-style: strike; }
        & > .diff--mark { text-style: bold; }
        & > .diff--current { background: $accent 30%; text-style: bold; }
        & > .diff--edge { color: $panel; }
        & > .diff--edge-current { color: $accent; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hunks: Sequence[Hunk] = ()
        self.changes: Sequence[Change] = ()
        self.hunk_of: list[int] = []
        """The hunk (index) each change is in."""
        self._decisions: Sequence[Decision] = ()
        self._current: int | None = None
        self._layouts: dict[int, HunkLayout] = {}
        """The hunks laid out at each width seen since the decisions last changed."""
        self._styles: dict[str, Style] = {}

    # -- what the screen calls ---------------------------------------------------------------

    def show(
        self,
        hunks: Sequence[Hunk],
        changes: Sequence[Change],
        decisions: Sequence[Decision],
        current: int | None,
    ) -> None:
        """Show `hunks` drawn with `decisions` (see `draw`); the rest is laid out after the
        first frame, a slice a frame."""
        self.hunks, self.changes = hunks, changes
        self._decisions, self._current = decisions, current
        self.hunk_of = [0] * len(changes)
        for number, hunk in enumerate(hunks):
            for index in hunk.change_indexes:
                self.hunk_of[index] = number
        self._layouts.clear()
        self._settle(scroll=True)
        self.call_after_refresh(self._lay_out_rest)

    def draw(
        self, decisions: Sequence[Decision], current: int | None, *, only: Sequence[int] = ()
    ) -> None:
        """Redraw the hunks holding the changes in `only` (all when empty), `current` in view."""
        self._decisions, self._current = decisions, current
        numbers = (
            sorted({self.hunk_of[index] for index in only}) if only else range(len(self.hunks))
        )
        layout = self._layout()
        self._layouts = {layout.width: layout} if layout else {}  # other widths: stale
        if layout is not None:
            layout.forget(numbers)
            if only:  # the current change's ▶ may move a word to the next row: draw now
                for number in numbers:
                    layout.hunk_rows(number)
        self._settle(scroll=True)
        self.refresh()

    @property
    def ready(self) -> bool:
        """Shown, with the hunks on screen laid out at the present width."""
        layout = self._layout(create=False)
        return layout is not None and (layout.complete or layout.laid > 0)

    @property
    def complete(self) -> bool:
        """Every hunk laid out at the present width (the scroll bar is exact)."""
        layout = self._layout(create=False)
        return layout is not None and layout.complete

    @property
    def layout_widths(self) -> list[int]:
        """The widths the hunks are laid out at (kept until a decision changes)."""
        return list(self._layouts)

    def hunk_text(self, number: int) -> Text:
        """Hunk `number` as drawn, before wrapping."""
        text = Text(end="")
        current = self._current
        for part in self.hunks[number].parts:
            if isinstance(part, str):
                text.append(visible_controls(part))
            else:
                change = self.changes[part]
                self._draw_change(text, change, self._decisions[part], part == current)
        return text

    def hunk_span(self, number: int) -> tuple[int, int]:
        """The first row of hunk `number` in the whole view and its row count."""
        layout = self._layout()
        assert layout is not None
        layout.lay_out(hunks=number + 1)
        return layout.span(number)

    # -- drawing -----------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name)
        return style

    def notify_style_update(self) -> None:
        """The theme changed: styles and every drawn row are stale."""
        super().notify_style_update()
        self._styles.clear()
        self._layouts.clear()
        self.refresh()

    def _side(self, decision: Decision, side: Decision) -> Style | str:
        """The style of one proposed text: kept, dropped, or (undecided) plain."""
        if decision is None:
            return ""
        return self._style("diff--inserted" if decision == side else "diff--dropped")

    def _draw_change(self, text: Text, change: Change, decision: Decision, here: bool) -> None:
        style = self._style
        label = f"{'▶' if here else ''}{MARKS[decision]}"
        text.append(label, style=style("diff--current" if here else "diff--mark"))
        if change.old:
            gone = decision is not None and decision != "old"
            text.append(f"[-{_shown(change.old)}-]", style=style("diff--deleted") if gone else "")
        if change.theirs is None:
            if change.new:
                text.append(f"{{+{_shown(change.new)}+}}", style=self._side(decision, "new"))
        else:
            text.append(f"{{yours: {_shown(change.new)}}}", style=self._side(decision, "new"))
            theirs = self._side(decision, "theirs")
            text.append(f"{{theirs: {_shown(change.theirs)}}}", style=theirs)
        sides = (change.old, change.new, change.theirs or "")
        if any(side.endswith("\n") for side in sides):
            text.append("↵\n", style=style("diff--mark"))

    def _hunk_rows(self, number: int, width: int) -> list[Strip]:
        """Hunk `number` wrapped to `width`: its bar, a space, the text, a space."""
        inner = max(1, width - 3)
        content = Content.from_rich_text(self.hunk_text(number), console=self.app.console)
        lines = Visual.to_strips(self, content, inner, None, self.visual_style)
        base = self.visual_style.rich_style
        here = self._current is not None and self.hunk_of[self._current] == number
        edge = Segment(EDGE, base + self._style("diff--edge-current" if here else "diff--edge"))
        space = Segment(" ", base)
        return [
            Strip.join([Strip([edge, space]), line.extend_cell_length(inner, base), Strip([space])])
            for line in lines
        ]

    # -- layout ------------------------------------------------------------------------------

    def _width(self) -> int:
        return self.scrollable_content_region.width

    def _layout(self, *, create: bool = True) -> HunkLayout | None:
        """The layout at the present width (made when first asked for)."""
        width = self._width()
        if width <= 0 or not self.hunks:
            return None
        layout = self._layouts.get(width)
        if layout is None and create:
            inner = max(1, width - 3)
            estimates = [
                hunk.length(self.changes) // inner
                + 1
                + sum(part.count("\n") for part in hunk.parts if isinstance(part, str))
                for hunk in self.hunks
            ]
            layout = HunkLayout(width, estimates, lambda number: self._hunk_rows(number, width))
            self._layouts[width] = layout
        return layout

    def _settle(self, *, scroll: bool = False) -> None:
        """Lay out what the screen shows (and the current hunk), size the view to it, and
        (with `scroll`) bring the current hunk into view."""
        layout = self._layout()
        if layout is None:
            self.virtual_size = Size(0, 0)
            return
        current = None if self._current is None else self.hunk_of[self._current]
        bottom = int(self.scroll_y) + self.scrollable_content_region.height
        layout.lay_out(rows=bottom, hunks=None if current is None else current + 1)
        self.virtual_size = Size(layout.width, layout.total)
        if scroll and current is not None:
            top, rows = layout.span(current)
            self.scroll_to_region(
                Region(0, top, layout.width, max(1, rows)), animate=False, immediate=True
            )

    def _lay_out_rest(self) -> None:
        """A slice of the hunks not laid out yet, then again after the next frame."""
        layout = self._layout()
        if layout is None or layout.complete or not self.is_attached:
            return
        stop = time.perf_counter() + LAYOUT_SLICE
        while not layout.complete and time.perf_counter() < stop:
            layout.lay_out(hunks=layout.laid + 1)
        self.virtual_size = Size(layout.width, layout.total)
        self.call_after_refresh(self._lay_out_rest)

    def on_resize(self, event: Resize) -> None:
        self._settle(scroll=True)
        self.call_after_refresh(self._lay_out_rest)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        layout = self._layout(create=False)
        if layout is not None and not layout.complete:
            bottom = int(new_value) + self.scrollable_content_region.height
            if layout.lay_out(rows=bottom):
                self.virtual_size = Size(layout.width, layout.total)
        super().watch_scroll_y(old_value, new_value)

    def render_line(self, y: int) -> Strip:
        width = self._width()
        layout = self._layout()
        found = None if layout is None else layout.find(int(self.scroll_y) + y)
        if layout is None or found is None:
            return Strip.blank(width, self.visual_style.rich_style)
        number, row = found
        rows = layout.hunk_rows(number)
        return rows[row] if row < len(rows) else Strip.blank(width, self.visual_style.rich_style)
