"""Showing untrusted text (model output, web pages) safely in a terminal.

Control characters would let a reply move the cursor, recolour the screen, set the window
title or write to the clipboard (OSC 52). `make_visible` turns them into printable symbols
so they are seen, not obeyed; newlines and tabs stay as they are.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_VISIBLE = {0x1B: "␛", 0x07: "␇", 0x08: "␈", 0x0D: "␍", 0x7F: "␡", 0x00: "␀"}


def _symbol(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code in _VISIBLE:
        return _VISIBLE[code]
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures" block
    return f"\\x{code:02x}"


def make_visible(text: str) -> str:
    """`text` with every control character but newline and tab replaced by a visible one."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_symbol, text.replace("\r\n", "\n"))
