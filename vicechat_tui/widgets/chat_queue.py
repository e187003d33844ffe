"""The chat pane's queued message: a message sent while a reply is being written waits in
the core (state "queued") and is sent when that reply completes. The log shows it last,
marked, with the key that takes it back into the input (to edit it, or clear it to drop it);
after a failed or stopped reply it is held until sent with an empty box."""

from __future__ import annotations

from vicechat_tui.widgets.chat_pane_base import ChatPaneBase


class ChatQueue(ChatPaneBase):
    """Shows what will happen to the queued message, and takes it back on request."""

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
                self.set_draft(section_id, text + ("\n\n" + draft if draft.strip() else ""))
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

    def action_chat_take_back(self) -> None:
        if self.document_id is None or self.section_id is None:
            return
        if self.chat_log.queued() is None:
            self.notify("No message is queued in this chat.", timeout=3)
            return
        self.post_message(self.TakeBackRequested(self.document_id, self.section_id))
