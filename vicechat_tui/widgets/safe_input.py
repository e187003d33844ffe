"""An Input that draws control characters as symbols (a title being renamed, a model id).

Textual's Input hands its value to the terminal as it is. `SafeInput` gives it a Rich
highlighter (the Input's public hook for how its value is drawn) that swaps each control
character for its picture, one for one, so the escape sequence in a stored title is seen
when the title is edited, and the value itself stays exactly what it was.

A control or zero-width character counts as zero cells for the Input's own scrolling while
its picture takes one; the cursor stays on the right character, a long value may scroll a cell late.
"""

from __future__ import annotations

from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual.widgets import Input

from vicechat_tui.core.text_safety import ZERO_WIDTH
from vicechat_tui.widgets.safe_text_area import drawn

_ZERO_WIDTH_DRAWN = str.maketrans({character: "\u2423" for character in ZERO_WIDTH})


class VisibleControls(Highlighter):
    """Draws control characters and bidi overrides as pictures, and zero-width characters
    as ␣ (same length, same places): an edited title shows all it holds."""

    def highlight(self, text: Text) -> None:
        shown = drawn(text.plain).translate(_ZERO_WIDTH_DRAWN)
        if shown != text.plain:
            text.plain = shown


class SafeInput(Input):
    """An Input whose value may hold anything and whose line shows only printable cells."""

    def __init__(self, *args: Any, **options: Any) -> None:
        options.setdefault("highlighter", VisibleControls())
        super().__init__(*args, **options)
