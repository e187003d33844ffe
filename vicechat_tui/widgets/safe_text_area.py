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
from collections.abc import Iterator
from typing import Any

from rich.text import Text
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult

from vicechat_tui.core.text_safety import BIDI_CONTROLS, LINE_SEPARATORS
from vicechat_tui.widgets.component_style import component_style

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


_ENCODE = {character: _stand_in(character) for character in HIDDEN}
_DECODE = {_stand_in(character): character for character in HIDDEN}
_DRAW = str.maketrans(
    {**{_stand_in(c): _picture(c) for c in HIDDEN}, **{c: _picture(c) for c in HIDDEN}}
)
# Character ranges, not lists: a regex scans a 5 MB section in ~50 ms this way (`translate`
# with a table takes ~0.8 s). The stand-in range is wider than the stand-ins; the rest of it
# maps to itself.
_HIDDEN_PATTERN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")
_STAND_IN_PATTERN = re.compile("[\U0010fe00-\U0010ff6f]")
_LINE_BREAK = re.compile(r"\r\n?")


def _encoded(match: re.Match[str]) -> str:
    return _ENCODE[match.group()]


def _decoded(match: re.Match[str]) -> str:
    found = match.group()
    return _DECODE.get(found, found)


def to_display(text: str) -> str:
    """`text` with each hidden character replaced by its stand-in (same length)."""
    return _HIDDEN_PATTERN.sub(_encoded, text)


def from_display(text: str) -> str:
    """The original of a text made by `to_display`."""
    return _STAND_IN_PATTERN.sub(_decoded, text)


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
        self._known_lines: dict[int, tuple[str, str]] = {}
        super().__init__(self._prepare(text), **options)

    def _prepare(self, text: str) -> str:
        self._literal = _STAND_IN_PATTERN.search(text) is not None
        hidden = _HIDDEN_PATTERN.search(text) is not None
        self._drawn_specially = self._literal or hidden
        return to_display(text) if hidden and not self._literal else text

    # -- the text in and out -----------------------------------------------------------------

    @property
    def text(self) -> str:
        """The whole text, exactly as it was loaded and edited (no stand-ins)."""
        document = self.document
        if self._literal or not self._drawn_specially:
            return document.text
        return document.newline.join(self._original_lines())

    @text.setter
    def text(self, value: str) -> None:
        self.load_text(value)

    def _original_lines(self) -> Iterator[str]:
        """The document's lines with their stand-ins undone, each line decoded only once.

        Stand-ins are beyond U+FFFF, so an ASCII line (checked at no cost) holds none; other
        lines are remembered by identity (an edit replaces only the lines it touches), so a
        key pressed in a long section decodes one line, not all of them.
        """
        known, self._known_lines = self._known_lines, {}
        for line in self.document.lines:
            if line.isascii():
                yield line
                continue
            cached = known.get(id(line))
            original = cached[1] if cached is not None and cached[0] is line else None
            if original is None:
                original = from_display(line)
            self._known_lines[id(line)] = (line, original)
            yield original

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
            style = component_style(self, "safe-text-area--control")
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
