"""Ask for a title: new document, new section, rename."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.getters import query_one
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from vicechat_tui.core.titles import normalise_title, title_problem
from vicechat_tui.widgets.safe_input import SafeInput
from vicechat_tui.widgets.safe_text import plain


class NewItemScreen(ModalScreen[str | None]):
    """A one-field dialog that returns the cleaned title, or None when cancelled."""

    DEFAULT_CSS = """
    NewItemScreen {
        align: center middle;
        #dialog {
            width: 64; max-width: 90%; height: auto;
            border: thick $primary; background: $surface; padding: 1 2;
        }
        #dialog-title { text-style: bold; margin-bottom: 1; }
        #context { color: $text-muted; margin-bottom: 1; }
        #problem { color: $error; height: 1; }
        #buttons { height: auto; align-horizontal: right; margin-top: 1; }
        #buttons Button { margin-left: 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    field = query_one("#title", Input)
    problem = query_one("#problem", Static)

    def __init__(
        self,
        heading: str,
        *,
        context: str = "",
        value: str = "",
        action: str = "Create",
        placeholder: str = "Title",
    ) -> None:
        super().__init__()
        self.heading = heading
        self.context = context
        self.value = value
        self.action = action
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(plain(self.heading), id="dialog-title")
            if self.context:
                yield Static(plain(self.context), id="context")
            yield SafeInput(
                self.value, placeholder=self.placeholder, id="title", select_on_focus=True
            )
            yield Static("", id="problem", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.action, id="ok", variant="primary")

    @on(Input.Changed)
    def _clear_problem(self) -> None:
        self.problem.update("")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        problem = title_problem(self.field.value)
        if problem is not None:
            self.problem.update(problem)
            self.field.focus()
            return
        self.dismiss(normalise_title(self.field.value))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
