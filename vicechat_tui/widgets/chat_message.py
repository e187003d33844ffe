"""One chat message: a role header with its state, the Markdown body, an error, sources.

Everything shown comes from the model or the web, so it goes through `visible_controls`
first and headers are Rich `Text` (never markup).

A huge message (a 50 MB reply once made its section unopenable) is shown in part: a stored
one opens with its first `VIEW_CHUNK` characters, a streaming one is drawn up to
`STREAM_VIEW_LIMIT`, and a "show more" line under it (enter or a click) adds the next
chunk (show_more). Only the view is cut: `content` is always the whole text, for copy and
apply. The sources and steps under a reply are `SourcesAndSteps` (reply_sources_steps).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widgets import Static

from vicechat_tui.core.events import Source
from vicechat_tui.widgets.message_body import MessageBody
from vicechat_tui.widgets.reply_sources_steps import SourcesAndSteps
from vicechat_tui.widgets.reply_steps import ReplySteps
from vicechat_tui.widgets.safe_text import visible_controls, visible_title
from vicechat_tui.widgets.show_more import STREAM_VIEW_LIMIT, VIEW_CHUNK, ShowMore, view_end
from vicechat_tui.widgets.sources_list import SourcesList

if TYPE_CHECKING:
    from vicechat_tui.core.models import ChatMessage

STATE_BADGES = {
    "streaming": "streaming…",
    "interrupted": "interrupted",
    "failed": "failed",
    "cancelled": "cancelled",
    "queued": "queued",
}
ROLE_NAMES = {"user": "You", "assistant": "Assistant", "system": "System"}
_FENCE = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1[ \t]*$", re.DOTALL | re.MULTILINE)


def last_code_block(markdown: str) -> str | None:
    """The body of the last fenced code block in `markdown`, if any."""
    blocks = _FENCE.findall(markdown)
    return blocks[-1][1].rstrip("\n") if blocks else None


class ChatMessageView(SourcesAndSteps):
    """A single message of a section's chat."""

    DEFAULT_CSS = """
    ChatMessageView {
        height: auto;
        padding: 0 0 1 0;
    }
    ChatMessageView > .message-header {
        height: 1;
        padding: 0 1;
        text-style: bold;
        color: $text-accent;
    }
    ChatMessageView.-user > .message-header {
        color: $text-primary;
    }
    ChatMessageView.-user > MessageBody {
        border-left: outer $primary;
    }
    ChatMessageView > .message-error {
        padding: 0 1;
        color: $text-error;
        background: $error-muted;
    }
    ChatMessageView.-selected {
        background: $accent 20%;
    }
    ChatMessageView.-queued > MessageBody {
        border-left: dashed $warning;
        color: $text-muted;
    }
    ChatMessageView > .message-note {
        padding: 0 1;
        color: $text-warning;
        text-style: italic;
    }
    """

    state: reactive[str] = reactive("complete")
    error: reactive[str] = reactive("")
    note: reactive[str] = reactive("")
    """A line of our own under the message (how to take back a queued message)."""

    def __init__(
        self,
        *,
        message_id: int | None,
        role: str,
        content: str = "",
        state: str = "complete",
        sources: Iterable[Source | Mapping[str, Any]] = (),
        error: str | None = None,
        model: str | None = None,
        steps: Iterable[Mapping[str, Any]] = (),
        assistant: str | None = None,
    ) -> None:
        super().__init__(classes=f"-{role} -{state}" if state in STATE_BADGES else f"-{role}")
        self.message_id = message_id
        self.role = role
        self._parts: list[str] = []
        self._length = 0
        self.content = content
        self._shown = 0
        """How many characters of `content` the body shows."""
        self.model = model
        self.assistant = assistant
        """The name of the assistant that wrote the reply (None: not known or a user's)."""
        self._initial_sources = list(sources)
        self._initial_steps = list(steps)
        self.set_reactive(ChatMessageView.state, state)
        self.set_reactive(ChatMessageView.error, error or "")

    @classmethod
    def from_message(cls, message: ChatMessage) -> ChatMessageView:
        return cls(
            message_id=message.id,
            role=message.role,
            content=message.content,
            state=message.state,
            sources=message.sources or (),
            error=message.error,
            model=message.model,
            steps=message.steps or (),
            assistant=message.assistant,
        )

    @property
    def content(self) -> str:
        """The whole text of the message (however little of it is shown)."""
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]  # a streamed reply, joined once when read
        return self._parts[0] if self._parts else ""

    @content.setter
    def content(self, text: str) -> None:
        self._parts = [text]
        self._length = len(text)

    def compose(self) -> ComposeResult:
        yield Static(self._header(), classes="message-header")
        content = self.content
        self._shown = view_end(content, 0, VIEW_CHUNK)
        yield MessageBody(visible_controls(content[: self._shown]))
        if self._shown < self._length:
            yield ShowMore(self._more_text(), classes="show-more")
        if self.note:
            yield Static(Text(visible_controls(self.note)), classes="message-note")
        # the error line and the sources exist only when needed: long histories mount faster
        if self.error:
            yield Static(self._error_text(), classes="message-error")
        if self._initial_sources:
            sources = SourcesList()
            sources.set_sources(self._initial_sources)
            yield sources
        if self._initial_steps:
            yield ReplySteps(self._initial_steps)

    @property
    def body(self) -> MessageBody:
        return self.query_one(MessageBody)

    @property
    def error_label(self) -> Static | None:
        labels = self.query_children(".message-error")
        return labels.first(Static) if labels else None

    @property
    def is_streaming(self) -> bool:
        return self.body.is_streaming

    def _header(self) -> Text:
        header = Text(ROLE_NAMES.get(self.role, self.role))
        if self.role == "assistant" and self.assistant:
            header.append(f" ({visible_title(self.assistant)})")
        if self.role == "assistant" and self.model:
            header.append(f" · {visible_controls(self.model)}", style="not bold")
        badge = STATE_BADGES.get(self.state)
        if badge:
            header.append(f"  [{badge}]", style="italic not bold")
        return header

    def show_author(self, assistant: str | None, model: str | None) -> None:
        """Name the assistant and the model writing the reply in its header."""
        self.assistant = assistant or self.assistant
        self.model = model or self.model
        if self.is_mounted:
            self.query_one(".message-header", Static).update(self._header())

    def _error_text(self) -> Text:
        return Text(f"⚠ {visible_controls(self.error)}")

    def _show_error(self) -> None:
        label = self.error_label
        if label is None and self.error:
            under = self.query_children("SourcesList, ReplySteps")
            label = Static(classes="message-error")
            self.mount(label, before=under.first() if under else None)
        if label is not None:
            label.update(self._error_text())
            label.display = bool(self.error)

    def watch_state(self, state: str) -> None:
        if self.is_mounted:
            self.query_one(".message-header", Static).update(self._header())
        for name in STATE_BADGES:
            self.set_class(state == name, f"-{name}")

    def watch_error(self) -> None:
        if self.is_mounted:
            self._show_error()

    def watch_note(self, note: str) -> None:
        if not self.is_mounted:
            return
        text = Text(visible_controls(note))
        labels = self.query_children(".message-note")
        if labels:
            label = labels.first(Static)
            label.update(text)
            label.display = bool(note)
        elif note:
            self.mount(Static(text, classes="message-note"), after=self.body)

    @property
    def is_queued(self) -> bool:
        """A user's message waiting to be sent (see `JobEngine.queue`)."""
        return self.state == "queued"

    @property
    def shown(self) -> int:
        """How many characters of the message are on screen."""
        return self._shown

    def _more_text(self) -> Text:
        hidden = self._length - self._shown
        if self.state == "streaming":
            return Text(f"⋯ {hidden:,} more characters; shown once the reply has ended")
        step = min(VIEW_CHUNK, hidden)
        return Text(
            f"⋯ {hidden:,} more characters — enter or a click shows the next {step:,} "
            "(copy and apply take the whole message)"
        )

    async def _show_more_line(self) -> None:
        """Show, update or remove the "show more" line under the body."""
        lines = self.query_children(ShowMore)
        if self._shown >= self._length:
            await lines.remove()
        elif lines:
            lines.first().update(self._more_text())
        else:
            await self.mount(ShowMore(self._more_text(), classes="show-more"), after=self.body)

    async def show_more(self) -> None:
        """Show the next part of a message shown in part."""
        if self.body.is_streaming or self._shown >= self._length:
            return
        content = self.content
        end = view_end(content, self._shown, VIEW_CHUNK)
        await self.body.extend(visible_controls(content[self._shown : end]))
        self._shown = end
        await self._show_more_line()

    async def on_show_more_pressed(self, message: ShowMore.Pressed) -> None:
        message.stop()
        await self.show_more()

    async def begin_stream(self, text_so_far: str) -> None:
        """Show `text_so_far` (a job snapshot) and open a stream for the deltas to come."""
        self.content = text_so_far
        self.state = "streaming"
        self._shown = min(len(text_so_far), STREAM_VIEW_LIMIT)
        await self.body.begin_stream(visible_controls(text_so_far[: self._shown]))
        await self._show_more_line()

    async def append(self, text: str) -> None:
        """Add a piece of the reply (queued on the stream; rendered as fast as it can be)."""
        self._parts.append(text)
        self._length += len(text)
        piece = text[: max(0, STREAM_VIEW_LIMIT - self._shown)]
        if piece:
            self._shown += len(piece)
            await self.body.append(visible_controls(piece))
        if len(piece) < len(text):
            await self._show_more_line()

    async def end_stream(self) -> None:
        """Stop streaming (the job may go on; we just stop drawing it)."""
        await self.body.stop_stream()

    async def finish(
        self,
        *,
        content: str,
        state: str,
        sources: Iterable[Source | Mapping[str, Any]] = (),
        error: str | None = None,
        model: str | None = None,
        steps: Iterable[Mapping[str, Any]] | None = (),
        assistant: str | None = None,
    ) -> None:
        """The job ended: one full render of the final text (fences and all); `steps` None
        keeps the steps followed live."""
        self.content = content
        self.model = model or self.model
        self.assistant = assistant or self.assistant
        self.state = state
        self.error = error or ""
        self.set_sources(sources)
        if steps is not None:
            self.set_steps(steps)
        if len(content) <= STREAM_VIEW_LIMIT:
            self._shown = len(content)
        elif not (self.body.is_streaming and self._shown):  # else: keep what the stream drew
            self._shown = view_end(content, 0, VIEW_CHUNK)
        await self.body.finish(visible_controls(content[: self._shown]))
        await self._show_more_line()
