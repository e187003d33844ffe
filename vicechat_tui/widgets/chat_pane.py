"""The chat pane: the selected section's persisted AI chat, with live replies.

The pane renders what the screen gives it (`show_section`, `show_chat`, `set_header`,
`follow`, `finish_reply`) and the job events the screen's subscription posts to it; its keys
post messages (`SendRequested`, `RetryRequested`, …) and the screen asks the core. Unsent
drafts are kept per section in memory.

Sending while a reply is being written queues the message (`QueueRequested`): the core
stores it in state "queued" and sends it when that reply completes; the log shows it last,
marked, with the key that takes it back into the input (to edit it, or clear it to drop it).
After a failed or stopped reply it is held: `ctrl+j` with an empty box sends it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.getters import query_one
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static, TextArea

from vicechat_tui.core.events import (
    JobFinished,
    JobSnapshot,
    JobStarted,
    SourcesFound,
    StepFinished,
    StepStarted,
)
from vicechat_tui.core.jobs.step_text import READING
from vicechat_tui.widgets.chat_header import ChatHeader, HeaderPart
from vicechat_tui.widgets.chat_input import ChatInput
from vicechat_tui.widgets.chat_log import RETRYABLE_STATES, ChatLog
from vicechat_tui.widgets.chat_message import ChatMessageView, last_code_block
from vicechat_tui.widgets.job_events import JobEventReceived, JobProgressed, JobTextAppended
from vicechat_tui.widgets.job_progress import JobProgress
from vicechat_tui.widgets.key_hints import key_for_action
from vicechat_tui.widgets.research_log import ResearchLog
from vicechat_tui.widgets.safe_text import literal, visible_controls

if TYPE_CHECKING:
    from vicechat_tui.core.models import ChatMessage

SELECT_SECTION = "Select a section to chat about it."


def _page_failed(status: str, payload: Mapping[str, object]) -> bool:
    """A page research tried to read was refused or could not be read."""
    return status == "failed" and bool(payload.get("url"))


FINAL_STATES = {"completed": "complete"}
ApplyMode = Literal["insert", "replace"]


class ChatPane(Widget):
    """Shows and drives the chat of the selected section."""

    BINDINGS = [
        Binding("ctrl+j", "chat_send", "Send", tooltip="Send the message", id="chat.send"),
        Binding("escape", "chat_cancel", "Cancel reply", id="chat.cancel"),
        Binding(
            "ctrl+r",
            "chat_retry",
            "Retry",
            tooltip="Answer the selected (else the last) question again",
            id="chat.retry",
        ),
        Binding("ctrl+o", "chat_configure", "Chat settings", id="chat.configure"),
        Binding("ctrl+l", "chat_reset", "Reset chat", show=False, id="chat.reset"),
        # The message actions are priority bindings: from the message input a terminal sends
        # alt+c as "alt+c" with the character "c", which the input would type otherwise.
        Binding(
            "alt+i",
            "chat_apply_insert",
            "Insert reply",
            show=False,
            priority=True,
            id="chat.apply_insert",
        ),
        Binding(
            "alt+r",
            "chat_apply_replace",
            "Replace section",
            show=False,
            priority=True,
            id="chat.apply_replace",
        ),
        Binding("alt+c", "chat_copy", "Copy reply", show=False, priority=True, id="chat.copy"),
        Binding(
            "alt+k", "chat_copy_code", "Copy code", show=False, priority=True, id="chat.copy_code"
        ),
        Binding(
            "alt+s",
            "chat_steps",
            "Show steps",
            tooltip="Open or fold the steps of the selected (else the latest) reply",
            show=False,
            priority=True,
            id="chat.steps",
        ),
        Binding(
            "alt+e",
            "chat_take_back",
            "Edit queued message",
            tooltip="Take the queued message back into the input: edit it, or clear it to drop it",
            show=False,
            priority=True,
            id="chat.take_back",
        ),
        Binding(
            "alt+up",
            "chat_select(-1)",
            "Select earlier message",
            tooltip="Select the message above (copy, apply and steps act on the selected one)",
            show=False,
            priority=True,
            id="chat.select_previous",
        ),
        Binding(
            "alt+down",
            "chat_select(1)",
            "Select later message",
            tooltip="Select the message below; past the last: back to the latest reply",
            show=False,
            priority=True,
            id="chat.select_next",
        ),
    ]

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

    @dataclass
    class ApplyRequested(Message):
        """Put a reply into the section: "insert" at the editor's cursor or "replace" it."""

        text: str
        mode: ApplyMode

    @dataclass
    class SendRequested(Message):
        """Send `text` in the chat of `section_id` (`typed`: it is the input's text)."""

        document_id: int
        section_id: int
        text: str
        typed: bool = True

    @dataclass
    class QueueRequested(Message):
        """Send `text` when the reply being written in the chat of `section_id` ends."""

        document_id: int
        section_id: int
        text: str

    @dataclass
    class SendQueuedRequested(Message):
        """Send the message held in the queue of `section_id`'s chat now."""

        document_id: int
        section_id: int

    @dataclass
    class TakeBackRequested(Message):
        """Take the queued message of `section_id`'s chat back into the input."""

        document_id: int
        section_id: int

    @dataclass
    class RetryRequested(Message):
        """Answer the last question again (`message_id` None: it was never stored)."""

        message_id: int | None
        text: str

    @dataclass
    class CancelRequested(Message):
        """Stop the reply being written by job `job_id`."""

        job_id: int

    @dataclass
    class ResetRequested(Message):
        """Delete the chat's `message_count` messages (after asking)."""

        session_id: int
        message_count: int

    @dataclass
    class SettingsRequested(Message):
        """Open the chat settings of session `session_id`."""

        session_id: int

    @dataclass
    class ReplyEnded(Message):
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

    # -- notices -----------------------------------------------------------------------------

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

    def key_hint(self, action: str) -> str:
        """How the key bound to `action` is shown (follows the user's key map)."""
        return key_for_action(self.app, type(self), action, self.keymap)

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

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area is not self.chat_input or self.section_id is None:
            return
        text = self.chat_input.text
        if text:
            self._drafts[self.section_id] = text
        else:
            self._drafts.pop(self.section_id, None)
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
            self._drafts.pop(section_id, None)
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

    # -- the queue ---------------------------------------------------------------------------

    def refresh_queue_note(self) -> None:
        """Say under the queued message what will happen to it, with the keys."""
        view = self.chat_log.queued()
        if view is None:
            return
        take_back = f"{self.key_hint('chat_take_back')} takes it back to edit or drop it"
        if self.running:
            view.note = f"Sent when the reply above ends · {take_back}"
        else:
            view.note = (
                "Held: the reply before it did not complete · "
                f"{self.key_hint('chat_send')} with an empty box sends it · {take_back}"
            )

    def queue_sent(self, message_id: int | None) -> None:
        """The queued message `message_id` was sent (its reply has started)."""
        view = self.chat_log.view_for(message_id)
        if view is not None and view.is_queued:
            view.state = "complete"
            view.note = ""

    async def take_back(self, section_id: int, text: str | None) -> None:
        """Put the queued message's `text` back into the input (before what is typed there);
        None: it had been sent already."""
        if self.section_id != section_id:
            if text is not None:  # the person left meanwhile: it becomes that chat's draft
                draft = self._drafts.get(section_id, "")
                self._drafts[section_id] = text + ("\n\n" + draft if draft.strip() else "")
            return
        view = self.chat_log.queued()
        if text is None:
            self.set_note("There is no queued message any more: it has been sent.")
            return
        if view is not None:
            await view.remove()
        typed = self.chat_input.text
        self.chat_input.set_text(text + ("\n\n" + typed if typed.strip() else ""))
        self.chat_input.focus()
        self.set_note(
            "The queued message is back in the box: edit it and send it, or clear it to drop it."
        )

    # -- the reply being written -------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.job_id is not None

    def follow(self, job_id: int, started_at: float | None) -> None:
        """Draw job `job_id`'s events from now on (the screen subscribes the pane to them)."""
        self.stop_following()
        self.job_id = job_id
        self.progress.start(started_at)
        self.refresh_queue_note()
        self.refresh_bindings()

    def stop_following(self) -> None:
        self.job_id = None
        self.chat_log.following = None
        self.progress.stop()
        self.research_log.clear()

    def can_retry(self) -> bool:
        """After a failed, cancelled or interrupted reply (or a message left unanswered), or
        with a question selected (asked again)."""
        if self.running or self.chat_log.retry_target() is None:
            return False
        return self.chat_log.selected is not None or self.chat_log.last_unanswered()

    async def on_job_event_received(self, message: JobEventReceived) -> None:
        message.stop()
        event = message.event
        if event.job_id != self.job_id:
            return
        if isinstance(event, JobSnapshot):
            view = await self.chat_log.reply_view(event.assistant_message_id)
            await view.begin_stream(event.text)
            view.set_sources(event.sources)
            view.set_steps(event.steps)
            self.progress.show(event)
            self.research_log.show_failed(
                step.payload for step in event.steps if _page_failed(step.status, step.payload)
            )
        elif isinstance(event, JobStarted):
            await self.chat_log.reply_view(event.assistant_message_id)
        elif isinstance(event, SourcesFound):
            (await self.chat_log.reply_view(None)).set_sources(event.sources)
        elif isinstance(event, StepStarted | StepFinished):
            (await self.chat_log.reply_view(None)).follow_step(event)  # the steps under it
            if isinstance(event, StepStarted) and not event.label.startswith(READING):
                self.progress.label = event.label  # pages read: counted by the progress label
            elif isinstance(event, StepFinished) and _page_failed(event.status, event.payload):
                self.research_log.page_failed(event.payload)
        elif isinstance(event, JobFinished):
            self.post_message(self.ReplyEnded(event))

    async def on_job_text_appended(self, message: JobTextAppended) -> None:
        message.stop()
        if message.job_id == self.job_id:
            await (await self.chat_log.reply_view(None)).append(message.text)

    def on_job_progressed(self, message: JobProgressed) -> None:
        message.stop()
        if message.job_id == self.job_id:
            self.progress.show(message)

    async def finish_reply(self, event: JobFinished, stored: ChatMessage | None) -> bool:
        """One final full render of the reply (from the stored message), with its error;
        False when the pane no longer shows that job."""
        if event.job_id != self.job_id:
            return False  # the section changed meanwhile
        view = await self.chat_log.reply_view(event.message_id)
        error = None
        if event.error or event.status in RETRYABLE_STATES[:2]:
            error = f"{event.error_title or 'The reply failed'}: {event.error or event.status}"
            error += f" — press {self.key_hint('chat_retry')} to retry."
        view.tooltip = event.error_detail
        await view.finish(
            content=stored.content if stored is not None else view.content,
            state=stored.state
            if stored is not None
            else FINAL_STATES.get(event.status, event.status),
            sources=stored.sources if stored is not None else view.sources,
            error=error,
            model=stored.model if stored is not None else None,
            steps=stored.steps or () if stored is not None else None,  # None: keep the live ones
        )
        self.stop_following()
        self.refresh_queue_note()
        self.refresh_bindings()
        return True

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not action.startswith("chat_"):
            return True
        if self.session_id is None:  # the chat is being read; the send key is not lost
            return True if action == "chat_send" and self.section_id is not None else None
        readable = ("chat_copy", "chat_copy_code", "chat_steps", "chat_select")
        if self.read_only_reason and action not in readable:
            return False
        if action == "chat_cancel":  # hidden, not greyed: only one of them makes sense at once
            return self.running
        if action == "chat_retry":
            return self.can_retry()
        return True

    def action_chat_send(self) -> None:
        text = self.chat_input.text
        if self.document_id is None or self.section_id is None:
            return
        if self.session_id is None:
            self._send_when_open = bool(text.strip())
            if self._send_when_open:
                self.set_note("The chat is opening; your message goes as soon as it shows.")
            return
        queued = self.chat_log.queued()
        if not text.strip():
            if queued is not None and not self.running:
                self.post_message(self.SendQueuedRequested(self.document_id, self.section_id))
                return
            self.set_note("The message is empty; type something to send.")
            return
        if self.running and queued is not None:  # one message waits at a time
            self.set_note(
                "A message is already queued here; yours stays in the box. "
                f"{self.key_hint('chat_take_back')} takes the queued one back to add to it."
            )
            return
        self.chat_log.select(None)
        if self.running or queued is not None:  # never a second reply at once in one chat
            self.post_message(self.QueueRequested(self.document_id, self.section_id, text))
            return
        self.post_message(self.SendRequested(self.document_id, self.section_id, text))

    def action_chat_take_back(self) -> None:
        if self.document_id is None or self.section_id is None:
            return
        if self.chat_log.queued() is None:
            self.notify("No message is queued in this chat.", timeout=3)
            return
        self.post_message(self.TakeBackRequested(self.document_id, self.section_id))

    def action_chat_select(self, delta: int) -> None:
        """Move the selection `delta` messages up (-1) or down (1) through the chat."""
        view = self.chat_log.select_step(delta)
        if view is None:
            self.notify("Back to the latest reply.", timeout=2)
        self.refresh_bindings()  # retry follows the selection

    def action_chat_cancel(self) -> None:
        if self.job_id is not None:
            self.post_message(self.CancelRequested(self.job_id))

    def action_chat_retry(self) -> None:
        """The last question after a failed reply: answered again in place. Any other
        (selected) question: asked again at the end of the chat, with the chat so far."""
        target = self.chat_log.retry_target()
        if target is None or self.running or self.section_id is None:
            return
        if self.chat_log.queued() is not None:
            self.set_note(
                f"A message is queued: send it ({self.key_hint('chat_send')} with an empty "
                f"box) or take it back ({self.key_hint('chat_take_back')}) first."
            )
            return
        if target is self.chat_log.last("user") and self.chat_log.last_unanswered():
            self.post_message(self.RetryRequested(target.message_id, target.content))
            return
        if self.document_id is None:
            return
        self.chat_log.select(None)
        self.notify("Asking that question again, at the end of the chat.", timeout=3)
        self.post_message(
            self.SendRequested(self.document_id, self.section_id, target.content, typed=False)
        )

    def _reply_text(self) -> str | None:
        view = self.chat_log.target_reply()
        if view is None:
            self.notify("There is no reply to use yet.", severity="warning")
            return None
        return view.content

    def action_chat_apply_insert(self) -> None:
        if (text := self._reply_text()) is not None:
            self.post_message(self.ApplyRequested(visible_controls(text), "insert"))

    def action_chat_apply_replace(self) -> None:
        if (text := self._reply_text()) is not None:
            self.post_message(self.ApplyRequested(visible_controls(text), "replace"))

    def action_chat_copy(self) -> None:
        if (text := self._reply_text()) is not None:
            self.app.copy_to_clipboard(text)
            self.notify("Copied the reply to the clipboard.")

    def action_chat_copy_code(self) -> None:
        if (text := self._reply_text()) is None:
            return
        code = last_code_block(text)
        if code is None:
            self.notify("That reply has no code block.", severity="warning")
            return
        self.app.copy_to_clipboard(code)
        self.notify("Copied the code block to the clipboard.")

    def action_chat_steps(self) -> None:
        view = self.chat_log.steps_target()
        if view is None or not view.toggle_steps():
            self.notify("That reply has no steps to show (only researched replies do).")

    def action_chat_reset(self) -> None:
        if self.session_id is None:
            return
        if self.running:
            self.notify(
                "A reply is still being written; cancel it first "
                f"({self.key_hint('chat_cancel')}), then reset.",
                severity="warning",
            )
            return
        count = len(self.chat_log.views()) + self.chat_log.remaining
        self.post_message(self.ResetRequested(self.session_id, count))

    def action_chat_configure(self) -> None:
        if self.session_id is not None:
            self.post_message(self.SettingsRequested(self.session_id))
