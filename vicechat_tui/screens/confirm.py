"""Ask before doing something that cannot be undone."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from vicechat_tui.widgets.safe_text import plain


class ConfirmScreen(ModalScreen[bool]):
    """Yes / no; returns True only for an explicit yes. Escape and n say no."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
        #dialog {
            width: 64; max-width: 90%; height: auto;
            border: thick $error; background: $surface; padding: 1 2;
        }
        #dialog-title { text-style: bold; margin-bottom: 1; }
        #buttons { height: auto; align-horizontal: right; margin-top: 1; }
        #buttons Button { margin-left: 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No", id="confirm.no"),
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
    ]

    def __init__(self, heading: str, question: str, *, yes: str = "Delete") -> None:
        super().__init__()
        self.heading = heading
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(plain(self.heading, wrap=True), id="dialog-title")
            yield Static(plain(self.question, wrap=True), id="question")
            with Horizontal(id="buttons"):
                yield Button("Cancel (n)", id="no")
                yield Button(f"{self.yes} (y)", id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
