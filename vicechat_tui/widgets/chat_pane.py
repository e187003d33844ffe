"""The chat pane: the selected section's persisted AI chat, with live replies.

The pane renders what the screen gives it (`show_section`, `show_chat`, `set_header`,
`follow`, `finish_reply`) and the job events the screen's subscription posts to it; its keys
post messages (`SendRequested`, `RetryRequested`, …) and the screen asks the core. Unsent
drafts are kept per section; the pane posts `DraftsChanged` and the screen keeps them on disk
(`screens/draft_memory`).

Sending while a reply is being written queues the message (`QueueRequested`): the core
stores it in state "queued" and sends it when that reply completes; the log shows it last,
marked, with the key that takes it back into the input (to edit it, or clear it to drop it).
After a failed or stopped reply it is held: `ctrl+j` with an empty box sends it.

The pane is assembled from parts on `ChatPaneBase` (chat_pane_base: messages, children,
state): `ChatQueue` (chat_queue), `LiveReply` (chat_live_reply) and `ChatActions`
(chat_actions); its keys are `CHAT_BINDINGS` (chat_bindings). This module keeps switching
sections, the drafts and the messages sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.widgets import Static, TextArea

from vicechat_tui.widgets.chat_actions import ChatActions
from vicechat_tui.widgets.chat_bindings import CHAT_BINDINGS
from vicechat_tui.widgets.chat_header import ChatHeader, HeaderPart
from vicechat_tui.widgets.chat_input import ChatInput
from vicechat_tui.widgets.chat_live_reply import LiveReply
from vicechat_tui.widgets.chat_log import ChatLog
from vicechat_tui.widgets.chat_message import ChatMessageView
from vicechat_tui.widgets.job_progress import JobProgress
from vicechat_tui.widgets.research_log import ResearchLog

if TYPE_CHECKING:
    from vicechat_tui.core.models import ChatMessage

SELECT_SECTION = "Select a section to chat about it."


class ChatPane(ChatActions, LiveReply):
    """Shows and drives the chat of the selected section."""

    BINDINGS = CHAT_BINDINGS

    DEFAULT_CSS = """
    ChatPane {
        layout: vertical;
        height: 1fr;
    }
    ChatPane > #chat-notice {
        height: auto;
        padding: 0 1;
        color: $text-warning;
        background: $warning-muted;
    }
    ChatPane > #chat-note {
        height: auto;
        padding: 0 1;
        color: $text-error;
    }
    ChatPane > .-hidden {
        display: none;
    }
    """

    def compose(self) -> ComposeResult:
        yield ChatHeader(id="chat-header")
        yield Static("loading…", id="chat-notice")
        yield ChatLog(id="chat-log")
        yield JobProgress(id="chat-progress")
        yield ResearchLog(id="chat-research-log")
        yield Static("", id="chat-note", classes="-hidden")
        yield ChatInput(id="chat-input")

    def on_mount(self) -> None:
        self.chat_input.disabled = True
        self.chat_input.placeholder = self.send_placeholder()

    def send_placeholder(self) -> str:
        """The input's placeholder: how to send, with the key as remapped."""
        return f"Message… ({self.key_hint('chat_send')} sends)"

    def set_header(self, parts: Sequence[HeaderPart]) -> None:
        """The line at the top: the chat's setup (see `ChatHeader`)."""
        self.query_one("#chat-header", ChatHeader).parts = tuple(parts)

    # -- switching sections ------------------------------------------------------------------

    async def show_section(self, document_id: int | None, section_id: int | None) -> None:
        """Switch to `section_id` (None: nothing selected); the screen then calls `show_chat`.

        A reply streaming for the previous section keeps running in the core; the screen
        stops only its subscription.
        """
        self.stop_following()
        self.document_id, self.section_id, self.session_id = document_id, section_id, None
        self._send_when_open = False
        self.set_note(None)
        await self.chat_log.show([], 0)
        self.chat_input.set_text(self._drafts.get(section_id, "") if section_id else "")
        self.chat_input.disabled = section_id is None
        if self.read_only_reason is not None:  # the controller says again when it still is
            self.read_only_reason = None
            self.chat_input.placeholder = self.send_placeholder()
        self.set_notice("loading…" if section_id is not None else SELECT_SECTION)
        if section_id is None:  # no chat: no setup (the last section's stayed on top)
            self.set_header(())
        self.refresh_bindings()

    def set_read_only(self, reason: str | None) -> None:
        """Show the chat without letting one write in it; the input says why (None: allowed)."""
        self.read_only_reason = reason
        self.chat_input.disabled = reason is not None or self.section_id is None
        self.chat_input.placeholder = reason or self.send_placeholder()
        self.refresh_bindings()

    async def show_chat(
        self, session_id: int, messages: Sequence[ChatMessage], remaining: int
    ) -> None:
        """Show the latest page of the section's chat (`remaining` older ones not loaded)."""
        self.session_id = session_id
        self.set_notice(None)
        await self.chat_log.show(messages, remaining)
        self.refresh_queue_note()
        self.refresh_bindings()  # once per selection: each call rebuilds the footer
        if self._send_when_open:  # after the caller has said whether one may write here
            self.call_after_refresh(self._send_now_open)

    def _send_now_open(self) -> None:
        if self._send_when_open and self.session_id is not None:
            self._send_when_open = False
            self.set_note(None)
            if self.read_only_reason is None:
                self.action_chat_send()

    def on_key(self, event: events.Key) -> None:
        """A character typed with the focus on the messages goes into the message input
        (and the focus with it), rather than nowhere."""
        character = event.character
        if not event.is_printable or character is None or self.chat_input.has_focus:
            return
        if self.chat_input.focusable and not self.chat_input.read_only:
            event.stop()
            self.chat_input.focus()
            self.chat_input.insert(character)

    def unsent_drafts(self) -> int:
        """How many sections have a message typed in their chat and not sent."""
        return sum(1 for text in self._drafts.values() if text.strip())

    def restore_drafts(self, kept: dict[int, str]) -> None:
        """Take the drafts kept from an earlier run (what is typed in this one wins); the
        shown section's goes into the input when the input is empty."""
        for section_id, text in kept.items():
            self._drafts.setdefault(section_id, text)
        shown = self._drafts.get(self.section_id, "") if self.section_id is not None else ""
        if shown and not self.chat_input.text:
            self.chat_input.set_text(shown)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area is not self.chat_input or self.section_id is None:
            return
        text = self.chat_input.text
        self.set_draft(self.section_id, text)
        if text.strip():
            self.set_note(None)

    async def add_sent(
        self,
        section_id: int,
        message_id: int | None,
        text: str,
        *,
        state: str = "complete",
        typed: bool = True,
    ) -> None:
        """The message `text` was stored (sent, or `state` "queued"): show it, and when it
        was the input's text (`typed`), clear the draft."""
        if typed:
            self.set_draft(section_id, "")
        if self.section_id != section_id:
            return
        self.set_note(None)
        if typed and self.chat_input.text == text:
            self.chat_input.clear()
        if message_id is not None:
            await self.chat_log.add(
                ChatMessageView(message_id=message_id, role="user", content=text, state=state)
            )
        self.refresh_queue_note()
        self.chat_log.scroll_end(animate=False)
        self.chat_log.anchor()
