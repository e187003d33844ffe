"""Showing untrusted text (model output, web pages, titles) safely in a terminal.

Control characters would let a reply move the cursor, recolour the screen, set the window
title or write to the clipboard (OSC 52). `make_visible` turns them into printable symbols
(ESC shows as ␛) so they are seen, not obeyed; newlines and tabs stay as they are, and the
CR of a CRLF is dropped.
"""

from __future__ import annotations

_VISIBLE: dict[int, str] = {
    **{code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)},
    0x7F: "\u2421",
    **{code: f"\\x{code:02x}" for code in range(0x80, 0xA0)},  # C1 controls have no picture
}
_ONE_LINE: dict[int, str] = {**_VISIBLE, 0x09: "\u2409", 0x0A: "\u240a"}


def make_visible(text: str) -> str:
    """`text` with every C0/C1 control character but newline and tab made visible."""
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_VISIBLE)


def make_visible_line(text: str) -> str:
    """Like `make_visible`, for one-line labels: newlines and tabs become symbols too."""
    return text.translate(_ONE_LINE)
