"""Find and replace in the section editor: a one-line bar under the text, and the matching.

The bar holds what to find and what to put instead; it posts what the person asks for
(`SearchChanged`, `StepRequested`, `ReplaceRequested`, `Closed`) and the editor moves its
selection and edits its text, so a replacement is an edit like any other (undo, autosave).
Matching is literal and ignores case; offsets are in characters of the editor's text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.getters import query_one
from textual.message import Message
from textual.widgets import Input, Label, Static

from vicechat_tui.widgets.key_hints import key_for_id

Span = tuple[int, int]


def find_all(text: str, needle: str) -> list[Span]:
    """(start, end) of every occurrence of `needle` in `text`, ignoring case."""
    if not needle:
        return []
    return [match.span() for match in re.finditer(re.escape(needle), text, re.IGNORECASE)]


def step(matches: Sequence[Span], position: int, *, forward: bool) -> Span | None:
    """The match after (or before) `position`, wrapping around; None when there is none."""
    if not matches:
        return None
    starts = [start for start, _ in matches]
    if forward:
        index = bisect_left(starts, position)
        return matches[index % len(matches)]
    index = bisect_right(starts, position - 1) - 1
    return matches[index]  # -1 wraps to the last one


def location_of(text: str, index: int) -> tuple[int, int]:
    """The (row, column) of character `index` of `text`, as `TextArea` counts them."""
    return text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1)


def index_of(text: str, location: tuple[int, int]) -> int:
    """The character index of a (row, column) location in `text`."""
    row, column = location
    start = 0
    for _ in range(row):
        start = text.index("\n", start) + 1
    return start + column


def replace_all(text: str, needle: str, replacement: str) -> tuple[str, int]:
    """`text` with every occurrence of `needle` (any case) replaced literally, and how many."""
    if not needle:
        return text, 0
    return re.subn(re.escape(needle), lambda _: replacement, text, flags=re.IGNORECASE)


class FindBar(Horizontal):
    """Find: … Replace: … · 2 of 7 — enter finds the next, in Replace it replaces one."""

    DEFAULT_CSS = """
    FindBar {
        height: 1;
        background: $panel;
        padding: 0 1;
        &.-hidden { display: none; }
        Label { width: auto; color: $text-muted; padding: 0 1 0 0; }
        Input { width: 1fr; padding: 0 1; margin: 0 1 0 0; }
        #find-count { width: auto; min-width: 10; color: $text-muted; }
        &.-none #find-count { color: $error; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close find", id="editor.find_close"),
        Binding("alt+a", "replace_all", "Replace all", id="editor.replace_all"),
    ]

    @dataclass
    class SearchChanged(Message):
        """What to find changed (empty: nothing)."""

        needle: str

    @dataclass
    class StepRequested(Message):
        """Go to the next (or previous) match."""

        forward: bool

    @dataclass
    class ReplaceRequested(Message):
        """Replace the selected match (or all of them) with `replacement`."""

        replacement: str
        everywhere: bool

    class Closed(Message):
        """The bar was closed; the editor takes the focus back."""

    find_input = query_one("#find-text", Input)
    replace_input = query_one("#replace-text", Input)

    def compose(self) -> ComposeResult:
        yield Label("Find")
        # compact: no border even when focused (a focused Input's tall border filled the
        # one-line bar and hid the text being typed)
        yield Input(id="find-text", compact=True)
        yield Label("Replace")
        yield Input(id="replace-text", compact=True)
        yield Static("", id="find-count", markup=False)

    def on_mount(self) -> None:
        from vicechat_tui.widgets.section_editor import SectionEditor

        find_next = key_for_id(self.app, SectionEditor, "editor.find_next")
        replace_all = key_for_id(self.app, FindBar, "editor.replace_all")
        self.find_input.placeholder = f"text ({find_next}: next)"
        self.replace_input.placeholder = f"enter: replace, {replace_all}: all"

    @property
    def needle(self) -> str:
        return self.find_input.value

    def open(self, *, needle: str | None = None, replacing: bool = False) -> None:
        """Show the bar and put the cursor in Find (or Replace)."""
        self.remove_class("-hidden")
        if needle:
            self.find_input.value = needle
        target = self.replace_input if replacing else self.find_input
        target.focus()

    def show_count(self, current: int | None, total: int) -> None:
        """ "2 of 7", "7 found", or "not found"."""
        if not self.needle:
            text = ""
        elif total == 0:
            text = "not found"
        elif current is None:
            text = f"{total} found"
        else:
            text = f"{current} of {total}"
        self.query_one("#find-count", Static).update(text)
        self.set_class(bool(self.needle) and total == 0, "-none")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.input is self.find_input:
            self.post_message(self.SearchChanged(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input is self.find_input:
            self.post_message(self.StepRequested(forward=True))
        else:
            self.post_message(self.ReplaceRequested(event.value, everywhere=False))

    def action_replace_all(self) -> None:
        self.post_message(self.ReplaceRequested(self.replace_input.value, everywhere=True))

    def action_close(self) -> None:
        self.add_class("-hidden")
        self.post_message(self.Closed())
