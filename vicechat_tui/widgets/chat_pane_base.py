"""What the chat pane's parts share: the messages the pane posts, its children, the shown
chat's ids, the unsent drafts, and the note and notice lines.

`ChatPane` (chat_pane) is assembled from parts on `ChatPaneBase`: `ChatQueue` (chat_queue),
`LiveReply` (chat_live_reply) and `ChatActions` (chat_actions). The messages are posted and
handled as `ChatPane.SendRequested` and so on; their handler names stay `on_chat_pane_…`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from textual.getters import query_one
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from vicechat_tui.core.events import JobFinished
from vicechat_tui.widgets.chat_input import ChatInput
from vicechat_tui.widgets.chat_log import ChatLog
from vicechat_tui.widgets.job_progress import JobProgress
from vicechat_tui.widgets.key_hints import key_for_action
from vicechat_tui.widgets.research_log import ResearchLog
from vicechat_tui.widgets.safe_text import literal

ApplyMode = Literal["insert", "replace"]
PANE = "chat_pane"
"""The messages' namespace: handlers are named `on_chat_pane_send_requested` and so on."""


class ChatPaneBase(Widget):
    """The chat pane's state and children; the parts built on it add the behaviour."""

    @dataclass
    class ApplyRequested(Message, namespace=PANE):
        """Put a reply into the section: "insert" at the editor's cursor or "replace" it."""

        text: str
        mode: ApplyMode

    class DraftsChanged(Message, namespace=PANE):
        """A message typed and not sent changed (the screen keeps the drafts on disk)."""

    @dataclass
    class SendRequested(Message, namespace=PANE):
        """Send `text` in the chat of `section_id` (`typed`: it is the input's text)."""

        document_id: int
        section_id: int
        text: str
        typed: bool = True

    @dataclass
    class QueueRequested(Message, namespace=PANE):
        """Send `text` when the reply being written in the chat of `section_id` ends."""

        document_id: int
        section_id: int
        text: str

    @dataclass
    class SendQueuedRequested(Message, namespace=PANE):
        """Send the message held in the queue of `section_id`'s chat now."""

        document_id: int
        section_id: int

    @dataclass
    class TakeBackRequested(Message, namespace=PANE):
        """Take the queued message of `section_id`'s chat back into the input."""

        document_id: int
        section_id: int

    @dataclass
    class RetryRequested(Message, namespace=PANE):
        """Answer the last question again (`message_id` None: it was never stored)."""

        message_id: int | None
        text: str

    @dataclass
    class CancelRequested(Message, namespace=PANE):
        """Stop the reply being written by job `job_id`."""

        job_id: int

    @dataclass
    class ResetRequested(Message, namespace=PANE):
        """Delete the chat's `message_count` messages (after asking)."""

        session_id: int
        message_count: int

    @dataclass
    class SettingsRequested(Message, namespace=PANE):
        """Open the chat settings of session `session_id`."""

        session_id: int

    @dataclass
    class ReplyEnded(Message, namespace=PANE):
        """The followed job finished; the screen reads the stored reply for `finish_reply`."""

        event: JobFinished

    chat_log = query_one("#chat-log", ChatLog)
    chat_input = query_one("#chat-input", ChatInput)
    progress = query_one("#chat-progress", JobProgress)
    research_log = query_one("#chat-research-log", ResearchLog)

    def __init__(
        self,
        *,
        keymap: Mapping[str, str] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.keymap: Mapping[str, str] = keymap or {}
        """The config's key remapping, for the hints the pane shows."""
        self.document_id: int | None = None
        self.section_id: int | None = None
        self.session_id: int | None = None
        self.job_id: int | None = None
        """The job whose reply is being drawn (the shown section's), if any."""
        self._drafts: dict[int, str] = {}
        self.read_only_reason: str | None = None
        """Why one may read this chat but not write in it (a document shared to view)."""
        self._send_when_open = False
        """The send key was pressed before the chat was read: send once it shows."""

    @property
    def running(self) -> bool:
        return self.job_id is not None

    def key_hint(self, action: str) -> str:
        """How the key bound to `action` is shown (follows the user's key map)."""
        return key_for_action(self.app, type(self), action, self.keymap)

    def set_draft(self, section_id: int, text: str) -> None:
        """Note what is typed and not sent in the chat of `section_id` ("": nothing)."""
        if text == self._drafts.get(section_id, ""):
            return
        if text:
            self._drafts[section_id] = text
        else:
            self._drafts.pop(section_id, None)
        self.post_message(self.DraftsChanged())

    def drafts(self) -> dict[int, str]:
        """A copy of the unsent drafts, by section id."""
        return dict(self._drafts)

    def set_notice(self, text: str | None) -> None:
        """A lasting explanation at the top (no provider, loading, nothing selected)."""
        notice = self.query_one("#chat-notice", Static)
        notice.update(literal(text or ""))
        notice.set_class(not text, "-hidden")

    def set_note(self, text: str | None) -> None:
        """A short note above the input (empty message, a failed send); cleared on typing."""
        note = self.query_one("#chat-note", Static)
        note.update(literal(text or ""))
        note.set_class(not text, "-hidden")
