"""Show text from the database, a model or the web as text: no Rich markup, no controls.

Callers build `rich.text.Text` through these helpers (never markup strings), and control
characters become visible symbols (see `vicechat_tui.core.text_safety`). One-line labels
(`plain`: titles, tree rows, dialog headings) also show zero-width characters, so two titles
that look the same on screen are told apart. Editable text goes through `SafeTextArea`.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from vicechat_tui.core.text_safety import make_visible, make_visible_title

visible_controls = make_visible
visible_title = make_visible_title


def plain(value: str, style: str = "", *, wrap: bool = False) -> Text:
    """A one-line label showing `value` literally ("[bold]" stays "[bold]")."""
    return Text(make_visible_title(value), style=style, no_wrap=not wrap, end="")


def literal(text: str, style: str = "") -> Text:
    """A multi-line Rich Text showing `text` as is: no markup, controls made visible."""
    return Text(make_visible(text), style=style)


def choices(values: Iterable[str]) -> list[tuple[Text, str]]:
    """A Select's options for names as written (assistants, listed model ids): a Select reads
    a str prompt as markup, so "poet [bold red]x[/]" showed as a red "poet x"."""
    return [(plain(value), value) for value in values]
