"""The chat pane's actions: what its keys (and the palette's "chat: …" commands) do. Each
checks what the pane shows and posts a request for the screen; `check_action` greys out (or
hides) what cannot run now."""

from __future__ import annotations

from vicechat_tui.widgets.chat_message import last_code_block
from vicechat_tui.widgets.chat_pane_base import ChatPaneBase
from vicechat_tui.widgets.safe_text import visible_controls


class ChatActions(ChatPaneBase):
    """Send, cancel, retry, select, apply, copy, steps, reset and settings."""

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

    def can_retry(self) -> bool:
        """After a failed, cancelled or interrupted reply (or a message left unanswered), or
        with a question selected (asked again); not while a message is queued (it goes
        first: the footer does not offer retry, the note under it says how to send it)."""
        if self.running or self.chat_log.retry_target() is None:
            return False
        if self.chat_log.queued() is not None:
            return False
        return self.chat_log.selected is not None or self.chat_log.last_unanswered()

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
