"""Make model and web text safe to display in the chat (multi-line: keeps newlines, tabs).

Terminal control characters become visible symbols, so ESC [31m shows as "␛[31m" instead
of being interpreted; a CRLF's CR is dropped, a lone CR shows as "␍". Rich markup needs no
escaping here because callers build `rich.text.Text` (never markup) or Markdown.
"""

from __future__ import annotations

from rich.text import Text

_TABLE: dict[int, str] = {
    **{code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)},
    0x7F: "\u2421",
    **{code: f"\\x{code:02x}" for code in range(0x80, 0xA0)},  # C1 controls have no picture
}


def visible_controls(text: str) -> str:
    """`text` with every C0/C1 control character except newline and tab made visible."""
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_TABLE)


def literal(text: str, style: str = "") -> Text:
    """A Rich Text showing `text` as is: no markup, controls made visible."""
    return Text(visible_controls(text), style=style)
