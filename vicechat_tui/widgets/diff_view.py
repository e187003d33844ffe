"""A word-level diff drawn as hunks, each change marked so it reads without colour too.

What goes is `[-struck through-]`, what comes `{+underlined+}`; the mark before a change says
what saving does with it: ✓ kept, ✗ dropped, ? a conflict still to choose, ⇄ the other
side's text taken. Colours come from the theme ($error, $success) through component
classes; the text itself is stored, model or other-user text, so it is shown literally
(`rich.text.Text`, controls made visible) and never read as markup. A line break inside a
change shows as ↵ so a change of line breaks alone can be seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Literal

from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from vicechat_tui.core.review.diff import Change
from vicechat_tui.core.review.hunks import Hunk
from vicechat_tui.widgets.safe_text import visible_controls

Decision = Literal["new", "old", "theirs"] | None
"""Keep the change, keep the old text, take the other side (a conflict), or undecided."""
MARKS = {"new": "✓", "old": "✗", "theirs": "⇄", None: "?"}
LONGEST_SHOWN = 4_000
"""Characters of one side of a change drawn at most (the rest is counted, not drawn)."""


def _shown(text: str) -> str:
    """One side of a change as drawn: controls visible, line breaks as ↵ (the last one is
    drawn after the change's closing mark, see `_draw_change`)."""
    text = text.removesuffix("\n")
    if len(text) > LONGEST_SHOWN:
        rest = len(text) - LONGEST_SHOWN
        text = f"{text[:LONGEST_SHOWN]}… ({rest:,} more characters; e edits the whole text)"
    return visible_controls(text).replace("\n", "↵\n")


STYLE_NAMES = ("diff--deleted", "diff--inserted", "diff--dropped", "diff--mark", "diff--current")
"""The styles of a diff's marks, declared once on the `DiffView` (component classes on every
hunk would be styled again for each of hundreds of hunks)."""


class HunkView(Static):
    """One hunk: context and its changes, the current one highlighted."""

    DEFAULT_CSS = """
    HunkView {
        padding: 0 1; margin-bottom: 1; border-left: wide $panel;
        &.-current { border-left: wide $accent; }
    }
    """

    def __init__(
        self,
        hunk: Hunk,
        changes: Sequence[Change],
        styles: Callable[[str], Style],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__("", id=id, markup=False)
        self.hunk = hunk
        self.changes = changes
        self.style_of = styles
        """The rich style of a mark (one of `STYLE_NAMES`)."""

    def draw(self, decisions: Sequence[Decision], current: int | None) -> None:
        """Render with each change's decision; `current` (a change index) highlighted."""
        text = Text(end="")
        for part in self.hunk.parts:
            if isinstance(part, str):
                text.append(visible_controls(part))
            else:
                self._draw_change(text, self.changes[part], decisions[part], part == current)
        self.set_class(current in self.hunk.change_indexes, "-current")
        self.update(text)

    def _side(self, decision: Decision, side: Decision) -> Style | str:
        """The style of one proposed text: kept, dropped, or (undecided) plain."""
        if decision is None:
            return ""
        name = "diff--inserted" if decision == side else "diff--dropped"
        return self.style_of(name)

    def _draw_change(self, text: Text, change: Change, decision: Decision, here: bool) -> None:
        style = self.style_of
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


class DiffView(VerticalScroll, can_focus=True):
    """The hunks of a diff; the screen says what is decided and which change is current.

    A long section can have hundreds of hunks: only enough to fill the screen are mounted
    before the first frame, the rest a screenful at a time after it (`show`), so the review
    appears at once and keys are answered while the rest arrives.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = set(STYLE_NAMES)
    DEFAULT_CSS = """
    DiffView {
        height: 1fr; padding: 0 1;
        & > .diff--deleted { color: $text-error; text-style: strike; }
        & > .diff--inserted { color: $text-success; text-style: underline; }
        & > .diff--dropped { color: $text-muted; text-style: strike; }
        & > .diff--mark { text-style: bold; }
        & > .diff--current { background: $accent 30%; text-style: bold; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hunk_of: list[int] = []
        """The hunk (index) each change is in."""
        self._decisions: Sequence[Decision] = ()
        self._current: int | None = None
        self._views: list[HunkView] = []
        self._mounted = 0
        """How many of `_views` (from the first) are mounted."""

    async def show(
        self,
        hunks: Sequence[Hunk],
        changes: Sequence[Change],
        decisions: Sequence[Decision],
        current: int | None,
    ) -> None:
        """Show `hunks` drawn with `decisions` (see `draw`): those that fill the screen now,
        the others after the first frame, a screenful a frame."""
        await self.remove_children()
        self._decisions, self._current = decisions, current
        self.hunk_of = [0] * len(changes)
        for number, hunk in enumerate(hunks):
            for index in hunk.change_indexes:
                self.hunk_of[index] = number
        self._views = [
            HunkView(hunk, changes, self.get_component_rich_style, id=f"hunk-{number}")
            for number, hunk in enumerate(hunks)
        ]
        await self._mount_views(self._screenful())
        self._mount_later()

    def _screenful(self) -> int:
        """Hunks enough to fill the screen from the next one not mounted: each takes its
        margin and one row per screen width of its text at least (so never too few)."""
        width, height = max(1, self.app.size.width), self.app.size.height
        rows = count = 0
        for view in self._views[self._mounted :]:
            if rows >= height:
                break
            rows += 1 + max(1, -(-view.hunk.length(view.changes) // width))
            count += 1
        return max(1, count)

    def _mount_later(self) -> None:
        """Mount the next screenful of hunks after the next frame (keys go on meanwhile)."""
        if self._mounted < len(self._views):
            self.call_after_refresh(self._mount_next)

    async def _mount_next(self) -> None:
        if self.is_attached:  # (the review may be closed already)
            await self._mount_views(self._mounted + self._screenful())
            self._mount_later()

    async def _mount_views(self, upto: int) -> None:
        new = self._views[self._mounted : upto]
        if not new:
            return
        await self.mount_all(new)
        self._mounted += len(new)  # drawn from here on by `draw` too
        for view in new:
            view.draw(self._decisions, self._current)
        current = None if self._current is None else self.hunk_of[self._current]
        if current is not None and self._mounted - len(new) <= current < self._mounted:
            shown = self._views[current]  # it came now: bring it into view
            self.call_after_refresh(self.scroll_to_widget, shown, animate=False)

    def hunk_views(self) -> list[HunkView]:
        """The hunks mounted so far (all of them a few frames after the first)."""
        return self._views[: self._mounted]

    def draw(
        self, decisions: Sequence[Decision], current: int | None, *, only: Sequence[int] = ()
    ) -> None:
        """Redraw the hunks holding the changes in `only` (all when empty), `current` in view."""
        self._decisions, self._current = decisions, current
        views = self.hunk_views()
        numbers = {self.hunk_of[index] for index in only} if only else range(len(views))
        for number in numbers:
            if number < len(views):
                views[number].draw(decisions, current)
        if current is not None and self.hunk_of[current] < len(views):
            self.scroll_to_widget(views[self.hunk_of[current]], animate=False)
