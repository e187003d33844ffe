"""A huge message shown in part (a 50 MB reply once made its section unopenable): how much
of it a view shows (`VIEW_CHUNK`, `STREAM_VIEW_LIMIT`, `view_end`) and the "show more" line
under it (`ShowMore`: enter or a click asks for the next part)."""

from __future__ import annotations

from textual.binding import Binding
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from vicechat_tui.widgets.message_body import sealable_prefix

VIEW_CHUNK = 20_000
"""Characters of a stored message shown when it opens, and added by each "show more":
Rich renders ~20,000 characters of Markdown in 0.05-0.3 s (code is the slow part)."""
STREAM_VIEW_LIMIT = 200_000
"""Characters of a streaming reply drawn as they arrive (drawn in sealed pieces, so the
cost is spread); what comes after waits for "show more" once the reply has ended."""


def view_end(text: str, start: int, size: int) -> int:
    """Where a view of `text` from `start` ends: within `size` characters, after a whole
    Markdown block when one ends in the second half of them, else after a line."""
    end = start + size
    if end >= len(text):
        return len(text)
    window = text[start:end]
    cut = sealable_prefix(window)
    if cut < size // 2:
        line_end = window.rfind("\n", size // 2)
        cut = line_end + 1 if line_end >= 0 else size
    return start + cut


class ShowMore(Static, can_focus=True):
    """The line under a message shown in part: enter or a click shows the next part."""

    DEFAULT_CSS = """
    ShowMore {
        padding: 0 1;
        color: $text-muted;
        text-style: italic;
    }
    ShowMore:focus {
        color: $text;
        background: $boost;
    }
    """

    BINDINGS = [
        Binding("enter", "show_more", "Show more", show=False, id="chat.show_more"),
    ]

    class Pressed(Message):
        """The next part of the message was asked for."""

    def action_show_more(self) -> None:
        self.post_message(self.Pressed())

    def on_click(self, event: Click) -> None:
        self.post_message(self.Pressed())  # the click goes on up too: it selects the message
