"""One chat message: a role header with its state, the Markdown body, an error, sources.

Everything shown comes from the model or the web, so it goes through `visible_controls`
first and headers are Rich `Text` (never markup).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from vicechat_tui.core.events import Source
from vicechat_tui.widgets.message_body import MessageBody
from vicechat_tui.widgets.safe_text import visible_controls
from vicechat_tui.widgets.sources_list import SourcesList

if TYPE_CHECKING:
    from vicechat_tui.core.models import ChatMessage

STATE_BADGES = {
    "streaming": "streaming…",
    "interrupted": "interrupted",
    "failed": "failed",
    "cancelled": "cancelled",
}
ROLE_NAMES = {"user": "You", "assistant": "Assistant", "system": "System"}
_FENCE = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1[ \t]*$", re.DOTALL | re.MULTILINE)


def last_code_block(markdown: str) -> str | None:
    """The body of the last fenced code block in `markdown`, if any."""
    blocks = _FENCE.findall(markdown)
    return blocks[-1][1].rstrip("\n") if blocks else None


class ChatMessageView(Vertical):
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
        background: $boost;
    }
    """

    state: reactive[str] = reactive("complete")
    error: reactive[str] = reactive("")

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
    ) -> None:
        super().__init__(classes=f"-{role}")
        self.message_id = message_id
        self.role = role
        self.content = content
        self.model = model
        self._initial_sources = list(sources)
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
        )

    def compose(self) -> ComposeResult:
        yield Static(self._header(), classes="message-header")
        yield MessageBody(visible_controls(self.content))
        # the error line and the sources exist only when needed: long histories mount faster
        if self.error:
            yield Static(self._error_text(), classes="message-error")
        if self._initial_sources:
            sources = SourcesList()
            sources.set_sources(self._initial_sources)
            yield sources

    @property
    def body(self) -> MessageBody:
        return self.query_one(MessageBody)

    @property
    def error_label(self) -> Static | None:
        labels = self.query_children(".message-error")
        return labels.first(Static) if labels else None

    @property
    def sources(self) -> tuple[Source, ...]:
        lists = self.query_children(SourcesList)
        return lists.first().sources if lists else ()

    def set_sources(self, sources: Iterable[Source | Mapping[str, Any]]) -> None:
        """Show the cited sources under the reply (mounting the list the first time)."""
        listed = list(sources)
        lists = self.query_children(SourcesList)
        if lists:
            lists.first().set_sources(listed)
        elif listed:
            sources_list = SourcesList()
            sources_list.set_sources(listed)
            self.mount(sources_list)

    @property
    def is_streaming(self) -> bool:
        return self.body.is_streaming

    def _header(self) -> Text:
        header = Text(ROLE_NAMES.get(self.role, self.role))
        if self.role == "assistant" and self.model:
            header.append(f" · {visible_controls(self.model)}", style="not bold")
        badge = STATE_BADGES.get(self.state)
        if badge:
            header.append(f"  [{badge}]", style="italic not bold")
        return header

    def _error_text(self) -> Text:
        return Text(f"⚠ {visible_controls(self.error)}")

    def _show_error(self) -> None:
        label = self.error_label
        if label is None and self.error:
            sources = self.query_children(SourcesList)
            label = Static(classes="message-error")
            self.mount(label, before=sources.first() if sources else None)
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

    async def begin_stream(self, text_so_far: str) -> None:
        """Show `text_so_far` (a job snapshot) and open a stream for the deltas to come."""
        self.content = text_so_far
        self.state = "streaming"
        await self.body.begin_stream(visible_controls(text_so_far))

    async def append(self, text: str) -> None:
        """Add a piece of the reply (queued on the stream; rendered as fast as it can be)."""
        self.content += text
        await self.body.append(visible_controls(text))

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
    ) -> None:
        """The job ended: one full render of the final text (fences and all)."""
        self.content = content
        if model:
            self.model = model
        self.state = state
        self.error = error or ""
        self.set_sources(sources)
        await self.body.finish(visible_controls(content))
