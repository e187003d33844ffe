"""Showing untrusted text (model output, web pages, titles, imports) safely in a terminal.

Control characters would let a reply move the cursor, recolour the screen, set the window
title or write to the clipboard (OSC 52); bidi overrides reorder what a line seems to say.
These functions turn them into printable symbols, so they are seen, not obeyed:

- C0 controls show as their pictures (ESC as ␛, BEL as ␇), DEL as ␡, C1 controls (which
  some terminals obey as well: U+009B is CSI) as `\\x9b`;
- bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) as `\\u202e`;
- in one-line labels and titles (`make_visible_title`) also newlines and tabs, zero-width
  characters (U+200B–U+200F, U+2060, U+FEFF) and line/paragraph separators, so two titles
  that look alike are told apart.

Every function maps characters one by one and never looks at what the text means, so the
result is safe whatever the input, also when a sequence is split across stream pieces.
"""

from __future__ import annotations

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Embeddings, overrides and isolates: they reorder the text that follows them."""
ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
"""Characters that take no room on screen (spaces, joiners, direction marks, BOM)."""
LINE_SEPARATORS = "\u2028\u2029"


def _escaped(characters: str) -> dict[int, str]:
    return {ord(character): f"\\u{ord(character):04x}" for character in characters}


_VISIBLE: dict[int, str] = {
    **{code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)},
    0x7F: "\u2421",
    **{code: f"\\x{code:02x}" for code in range(0x80, 0xA0)},  # C1 controls have no picture
    **_escaped(BIDI_CONTROLS),
}
_ONE_LINE: dict[int, str] = {**_VISIBLE, 0x09: "\u2409", 0x0A: "\u240a"}
_TITLE: dict[int, str] = {**_ONE_LINE, **_escaped(ZERO_WIDTH + LINE_SEPARATORS)}


def make_visible(text: str) -> str:
    """`text` with every control character but newline and tab made visible.

    The CR of a CRLF is dropped (it only ends a line); a lone CR shows as ␍.
    """
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_VISIBLE)


def make_visible_line(text: str) -> str:
    """Like `make_visible`, for one-line labels: newlines and tabs become symbols too."""
    return text.translate(_ONE_LINE)


def make_visible_title(text: str) -> str:
    """Like `make_visible_line`, and zero-width characters and separators shown as `\\u200b`."""
    return text.translate(_TITLE)
