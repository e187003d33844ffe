"""A TextArea that shows control characters as visible symbols and gives back the exact text.

Textual's TextArea writes a line's characters to the terminal as they are, so an escape
sequence in imported content (`ESC ] 52 ; …` writes the clipboard, `ESC [ 2 J` clears the
screen) was obeyed. Replacing the characters only when drawing would not do: the TextArea
measures a control character as zero cells wide, so a one-cell picture would push the cursor
and the wrapping out of line.

So the widget keeps, in its document, a stand-in for each such character: a private-use
character of plane 16 (one cell wide, like the picture it is drawn as). Columns, wrapping,
the cursor and undo all work on the stand-ins, `render_line` draws each as its picture
(␛ for ESC, ␦ for a C1 control, ⇄ for a bidi override, ␤ for a line separator) and `text`
gives back the original characters. Text typed or pasted goes through the same change
(a pasted CR or CRLF is a line break, as in the plain TextArea).

Public Textual API only: `edit`, `load_text`, `get_line`, `render_line`, `get_text_range`,
`text` and `action_cut` are overridden, each calling the original.

In the rare text that already holds one of the stand-in characters, the text is kept as it
is (exactness first) and only drawn with pictures: columns after a control character may
then be off by one per character on that line.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult

from vicechat_tui.core.text_safety import BIDI_CONTROLS, LINE_SEPARATORS

_CONTROLS = "".join(
    [chr(code) for code in range(0x20) if code not in (0x09, 0x0A)]
    + ["\x7f"]
    + [chr(code) for code in range(0x80, 0xA0)]
)
HIDDEN = _CONTROLS + BIDI_CONTROLS + LINE_SEPARATORS
"""What the editor shows as a symbol instead of passing it to the terminal."""
_STAND_IN_BASE = 0x10FE00  # Supplementary Private Use Area-B: no meaning, one cell wide


def _stand_in(character: str) -> str:
    code = ord(character)
    return chr(_STAND_IN_BASE + (code & 0xFF) + (0x100 if code > 0xFF else 0))


def _picture(character: str) -> str:
    code = ord(character)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if code < 0xA0:
        return "\u2426"
    return "\u2424" if character in LINE_SEPARATORS else "\u21c4"


_ENCODE = {ord(character): _stand_in(character) for character in HIDDEN}
_DECODE = {_stand_in(character): character for character in HIDDEN}
_DRAW = str.maketrans(
    {**{_stand_in(c): _picture(c) for c in HIDDEN}, **{c: _picture(c) for c in HIDDEN}}
)
_HIDDEN_PATTERN = re.compile(f"[{re.escape(HIDDEN)}]")
_STAND_IN_PATTERN = re.compile("[" + "".join(sorted(_DECODE)) + "]")
_LINE_BREAK = re.compile(r"\r\n?")


def to_display(text: str) -> str:
    """`text` with each hidden character replaced by its stand-in (same length)."""
    return text.translate(_ENCODE) if _HIDDEN_PATTERN.search(text) else text


def from_display(text: str) -> str:
    """The original of a text made by `to_display`."""
    if not _STAND_IN_PATTERN.search(text):
        return text
    return _STAND_IN_PATTERN.sub(lambda match: _DECODE[match.group()], text)


def drawn(text: str) -> str:
    """What the terminal is given for `text` (stand-ins and controls alike as pictures)."""
    return text.translate(_DRAW)


class SafeTextArea(TextArea):
    """A TextArea whose text may hold anything and whose screen shows only printable cells."""

    COMPONENT_CLASSES = TextArea.COMPONENT_CLASSES | {"safe-text-area--control"}
    DEFAULT_CSS = """
    SafeTextArea > .safe-text-area--control { color: $warning; text-style: bold; }
    """

    def __init__(self, text: str = "", **options: Any) -> None:
        self._literal = False
        """True when the text already held stand-ins: kept as is, only drawn safely."""
        self._drawn_specially = False
        """True once the document may hold something `render_line` must redraw."""
        super().__init__(self._prepare(text), **options)

    def _prepare(self, text: str) -> str:
        self._literal = _STAND_IN_PATTERN.search(text) is not None
        self._drawn_specially = self._literal or _HIDDEN_PATTERN.search(text) is not None
        return text if self._literal else to_display(text)

    # -- the text in and out -----------------------------------------------------------------

    @property
    def text(self) -> str:
        """The whole text, exactly as it was loaded and edited (no stand-ins)."""
        shown = self.document.text
        return shown if self._literal or not self._drawn_specially else from_display(shown)

    @text.setter
    def text(self, value: str) -> None:
        self.load_text(value)

    def load_text(self, text: str) -> None:
        super().load_text(self._prepare(text))

    def edit(self, edit: Edit) -> EditResult:
        if not self._literal and edit.text:
            inserted = _LINE_BREAK.sub("\n", edit.text) if "\r" in edit.text else edit.text
            if _HIDDEN_PATTERN.search(inserted) or _STAND_IN_PATTERN.search(inserted):
                self._drawn_specially = True
            edit.text = to_display(inserted)
        elif edit.text and _HIDDEN_PATTERN.search(edit.text):
            self._drawn_specially = True
        return super().edit(edit)

    def get_text_range(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        shown = super().get_text_range(start, end)
        return shown if self._literal else from_display(shown)

    def action_cut(self) -> None:
        super().action_cut()
        clipboard = self.app.clipboard
        if not self._literal and _STAND_IN_PATTERN.search(clipboard):
            self.app.copy_to_clipboard(from_display(clipboard))

    # -- drawing -----------------------------------------------------------------------------

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        if self._drawn_specially:
            shown = self.document.get_line(line_index)
            if self._literal and _HIDDEN_PATTERN.search(shown):
                # Rich's Text drops some controls; keep one cell per character instead.
                line = Text(to_display(shown), end="", no_wrap=True)
            style = self.get_component_rich_style("safe-text-area--control", partial=True)
            for match in _STAND_IN_PATTERN.finditer(line.plain):
                line.stylize(style, match.start(), match.end())
        return line

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if not self._drawn_specially:
            return strip
        return Strip(
            [segment._replace(text=drawn(segment.text)) for segment in strip],
            strip.cell_length,
        )
