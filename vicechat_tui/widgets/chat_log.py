"""The scrolling list of a chat's messages, one page of history at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from vicechat_tui.widgets.chat_message import ChatMessageView

if TYPE_CHECKING:
    from vicechat_tui.core.models import ChatMessage


RETRYABLE_STATES = ("failed", "interrupted", "cancelled")
"""States of a reply that leave its question to be answered again."""
FIRST_BATCH = 12
"""Messages mounted before the first frame of a newly shown chat (and per frame after)."""


class ChatLog(VerticalScroll):
    """Message views, oldest first; asks for older ones when scrolled to the top."""

    DEFAULT_CSS = """
    ChatLog {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    ChatLog > #chat-more {
        color: $text-muted;
        text-align: center;
        width: 1fr;
    }
    ChatLog > #chat-more.-hidden {
        display: none;
    }
    ChatLog > ChatMessageView.-found {
        background: $accent 20%;
    }
    """

    @dataclass
    class OlderWanted(Message):
        """Scrolled to the top with older messages not yet shown."""

        before_id: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.remaining = 0
        self.selected: ChatMessageView | None = None
        self.following: ChatMessageView | None = None
        """The reply being streamed into, once found or mounted."""
        self._asked = False
        self._generation = 0
        self._page_done = asyncio.Event()
        """Clear while `show` is still mounting the older part of its page."""
        self._page_done.set()

    def compose(self) -> ComposeResult:
        yield Static("", id="chat-more", classes="-hidden")

    def on_mount(self) -> None:
        self.watch(self, "scroll_y", self._scrolled, init=False)

    def views(self) -> list[ChatMessageView]:
        return list(self.query_children(ChatMessageView))

    def view_for(self, message_id: int | None) -> ChatMessageView | None:
        if message_id is None:
            return None
        return next((v for v in self.views() if v.message_id == message_id), None)

    def last(self, role: str) -> ChatMessageView | None:
        """The latest message of `role` that was sent (a queued one was not, yet)."""
        return next((v for v in reversed(self.views()) if v.role == role and not v.is_queued), None)

    def queued(self) -> ChatMessageView | None:
        """The message waiting in the chat's queue, if one is shown."""
        return next((v for v in reversed(self.views()) if v.is_queued), None)

    def retry_target(self) -> ChatMessageView | None:
        """The question to answer again: the selected one (a selected reply: its question),
        else the last one asked."""
        views = [view for view in self.views() if not view.is_queued]
        if self.selected is None or self.selected not in views:
            return self.last("user")
        earlier = views[: views.index(self.selected) + 1]
        return next((view for view in reversed(earlier) if view.role == "user"), None)

    def last_unanswered(self) -> bool:
        """The last question has no complete reply (failed, cancelled, interrupted, none)."""
        views = [view for view in self.views() if not view.is_queued]
        return bool(views) and (views[-1].role == "user" or views[-1].state in RETRYABLE_STATES)

    def target_reply(self) -> ChatMessageView | None:
        """The clicked message, else the latest assistant reply with text, not streaming."""
        if self.selected is not None and self.selected.is_attached and self.selected.content:
            return self.selected
        for view in reversed(self.views()):
            if view.role == "assistant" and view.content and view.state != "streaming":
                return view
        return None

    def steps_target(self) -> ChatMessageView | None:
        """Whose steps "show steps" opens: the clicked message, else the latest reply (the
        one being written too: its steps are live)."""
        if self.selected is not None and self.selected.is_attached:
            return self.selected
        return self.last("assistant")

    async def show(self, messages: Sequence[ChatMessage], remaining: int) -> None:
        """Replace everything with `messages` (the latest page) and stick to the bottom.

        The newest `FIRST_BATCH` messages are mounted at once; the rest of the page goes in
        above them after that frame, so the latest messages show as soon as possible.
        """
        await self.end_streams()
        self.selected = None
        self.following = None
        self._generation += 1
        self._asked = False
        await self.query_children(ChatMessageView).remove()
        newest, older = messages[-FIRST_BATCH:], messages[: max(0, len(messages) - FIRST_BATCH)]
        await self.mount_all([ChatMessageView.from_message(m) for m in newest])
        self._set_remaining(remaining + len(older))
        self.scroll_end(animate=False, immediate=True)
        self.anchor()
        self._page_done.set()
        if older:
            self._asked = True  # no "load older" until this page is complete
            self._page_done.clear()
            self.call_after_refresh(self._mount_rest, older, remaining, self._generation)

    async def _mount_rest(
        self, older: Sequence[ChatMessage], remaining: int, generation: int
    ) -> None:
        """Mount the rest of the page above what is shown, newest first, a batch a frame.

        All at once, the layout of ~40 messages blocked the loop for ~0.4 s, and the log
        only reached the bottom after it (benchmarks/RESULTS.md, figure 3).
        """
        if generation != self._generation:
            return  # another section was shown meanwhile
        batch, older = older[-FIRST_BATCH:], older[: max(0, len(older) - FIRST_BATCH)]
        views = self.views()
        await self.mount_all(
            [ChatMessageView.from_message(m) for m in batch], before=views[0] if views else None
        )
        if older:
            self.call_after_refresh(self._mount_rest, older, remaining, generation)
            return
        self._set_remaining(remaining)
        self._asked = False
        self._page_done.set()

    async def prepend(self, messages: Sequence[ChatMessage], remaining: int) -> None:
        """Mount an older page above the oldest shown message, keeping the view still."""
        views = self.views()
        first = views[0] if views else None
        if messages:
            await self.mount_all([ChatMessageView.from_message(m) for m in messages], before=first)
        self._set_remaining(remaining)
        self._asked = False
        if first is not None:
            self.call_after_refresh(self.scroll_to_widget, first, top=True, animate=False)

    async def page_complete(self) -> None:
        """Wait until the page `show` was given is all mounted."""
        await self._page_done.wait()

    def highlight(self, view: ChatMessageView) -> None:
        """Mark `view` as the one looked for (a search result), select it, scroll to it."""
        for found in self.query_children(".-found"):
            found.remove_class("-found")
        if self.selected is not None:
            self.selected.remove_class("-selected")
        self.selected = view
        view.add_class("-found", "-selected")
        self.call_after_refresh(self.scroll_to_widget, view, center=True, animate=False)

    async def add(self, view: ChatMessageView) -> ChatMessageView:
        """Append a message at the end, above a queued one: a queued message stays last
        until it is sent (and follow it if we were at the bottom)."""
        waiting = None if view.is_queued else self.queued()
        await self.mount(view, before=waiting)
        if self.is_vertical_scroll_end or self.max_scroll_y <= 0:
            self.anchor()
        return view

    async def reply_view(self, message_id: int | None) -> ChatMessageView:
        """The view the followed reply streams into (`message_id`'s), mounted when missing."""
        view = self.following
        if view is None or (message_id is not None and view.message_id not in (None, message_id)):
            view = self.view_for(message_id)
            if view is None:
                view = ChatMessageView(message_id=message_id, role="assistant", state="streaming")
                await self.add(view)
            self.following = view
        if view.message_id is None:
            view.message_id = message_id
        return view

    async def end_streams(self) -> None:
        for view in self.views():
            await view.end_stream()

    def _set_remaining(self, remaining: int) -> None:
        self.remaining = max(0, remaining)
        hint = self.query_one("#chat-more", Static)
        hint.update(f"↑ {self.remaining} earlier messages — scroll up to load them")
        hint.set_class(self.remaining <= 0, "-hidden")

    def _scrolled(self, old: float, new: float) -> None:
        views = self.views()
        if new <= 0 < old and self.remaining > 0 and views and not self._asked:
            oldest = views[0].message_id
            if oldest is not None:
                self._asked = True
                self.post_message(self.OlderWanted(oldest))

    def select(self, view: ChatMessageView | None) -> None:
        """Make `view` the selected message (highlighted; the actions use it), or none."""
        if self.selected is not None:
            self.selected.remove_class("-selected")
        self.selected = view
        if view is not None:
            view.add_class("-selected")
            self.scroll_to_widget(view, animate=False)

    def select_step(self, delta: int) -> ChatMessageView | None:
        """Select the message `delta` places from the selected one (from below the last
        when none is); moving past the last one selects none (the latest reply again)."""
        views = self.views()
        if not views:
            return None
        current = views.index(self.selected) if self.selected in views else len(views)
        index = max(0, current + delta)
        self.select(views[index] if index < len(views) else None)
        return self.selected

    def on_click(self, event: Click) -> None:
        widget = event.widget
        while widget is not None and not isinstance(widget, ChatMessageView):
            widget = widget.parent if widget.parent is not self else None  # type: ignore[assignment]
        if self.selected is not None:
            self.selected.remove_class("-selected")
        self.selected = widget if isinstance(widget, ChatMessageView) else None
        if self.selected is not None:
            self.selected.add_class("-selected")
