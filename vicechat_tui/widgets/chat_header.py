"""The chat pane's top line: the chat's whole effective setup at a glance.

The screen gives it the parts (`HeaderPart`: a long and a short wording each, most important
first); the header shows as much as its width allows: every part in full, else every part
short, else the first parts short with "…" for the rest, else the first part cut. Stored text
(a model name, an assistant's name) is shown as text, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from vicechat_tui.widgets.safe_text import plain, visible_title

SEPARATOR = " · "
MORE = " …"


@dataclass(frozen=True)
class HeaderPart:
    """One piece of the setup: "temperature 0.7", short "t 0.7"."""

    long: str
    short: str = ""

    @property
    def brief(self) -> str:
        return self.short or self.long


def fit_header(parts: Sequence[HeaderPart], width: int) -> str:
    """The parts joined to fit `width` cells, dropping detail before dropping parts."""
    for words in ([part.long for part in parts], [part.brief for part in parts]):
        line = SEPARATOR.join(words)
        if cell_len(line) <= width:
            return line
    briefs = [part.brief for part in parts]
    while len(briefs) > 1:
        briefs.pop()
        line = SEPARATOR.join(briefs) + MORE
        if cell_len(line) <= width:
            return line
    return briefs[0] if briefs else ""  # cut with an ellipsis when drawn


class ChatHeader(Static):
    """One line; its text is refitted whenever its width changes."""

    DEFAULT_CSS = """
    ChatHeader { height: 1; padding: 0 1; color: $text-muted; background: $panel; }
    """

    parts: reactive[tuple[HeaderPart, ...]] = reactive((), layout=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def render(self) -> Text:
        shown = [HeaderPart(visible_title(p.long), visible_title(p.short)) for p in self.parts]
        line = plain(fit_header(shown, max(self.content_size.width, 1)))
        line.no_wrap = True
        line.overflow = "ellipsis"
        return line
