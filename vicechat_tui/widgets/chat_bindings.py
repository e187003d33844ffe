"""The chat pane's keys: sending, cancelling, retrying, the chat's settings, and the message
actions (apply, copy, steps, the queue, moving the selection). Each has an id, so the config
can remap it (`[ui] keys`)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

CHAT_BINDINGS: list[BindingType] = [
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
    Binding("alt+k", "chat_copy_code", "Copy code", show=False, priority=True, id="chat.copy_code"),
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
"""`ChatPane.BINDINGS`."""
