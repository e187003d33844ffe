"""Show text from the database or a model as text: no Rich markup, no terminal controls."""

from __future__ import annotations

from rich.text import Text

_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_CONTROL_PICTURES[0x7F] = "\u2421"
_CONTROL_PICTURES.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})


def visible(value: str) -> str:
    """`value` with control characters replaced by visible stand-ins (ESC shows as ␛)."""
    return value.translate(_CONTROL_PICTURES)


def plain(value: str, style: str = "", *, wrap: bool = False) -> Text:
    """A Rich Text that displays `value` literally ("[bold]" stays "[bold]")."""
    return Text(visible(value), style=style, no_wrap=not wrap, end="")
