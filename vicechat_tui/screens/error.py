"""A failure that needs attention: what went wrong, in words (technical detail goes to the log)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from vicechat_tui.widgets.safe_text import literal, plain


class ErrorScreen(ModalScreen[None]):
    """Shows one error's title and message; enter or escape closes it."""

    DEFAULT_CSS = """
    ErrorScreen {
        align: center middle;
        #dialog {
            width: 72; max-width: 90%; height: auto; max-height: 90%;
            border: thick $error; background: $surface; padding: 1 2;
        }
        #dialog-title { text-style: bold; color: $text-error; margin-bottom: 1; }
        #buttons { height: auto; align-horizontal: right; margin-top: 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close", id="error.close"),
    ]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.heading = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(plain(self.heading, wrap=True), id="dialog-title")
            yield Static(literal(self.message), id="message")
            with Horizontal(id="buttons"):
                yield Button("Close (esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
