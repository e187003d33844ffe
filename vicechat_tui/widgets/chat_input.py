"""The multi-line message input of the chat pane."""

from __future__ import annotations

from vicechat_tui.widgets.safe_text_area import SafeTextArea


class ChatInput(SafeTextArea):
    """A growing TextArea for the next message; Enter is a newline, the pane's key sends."""

    DEFAULT_CSS = """
    ChatInput {
        height: auto;
        min-height: 3;
        max-height: 10;
        border: tall $border-blurred;
    }
    ChatInput:focus {
        border: tall $border;
    }
    """

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(
            "",
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            placeholder=placeholder,
            id=id,
        )

    def set_text(self, text: str) -> None:
        """Replace the content and put the cursor at the end (undo history starts afresh)."""
        self.load_text(text)
        self.move_cursor(self.document.end)
