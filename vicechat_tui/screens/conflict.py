"""The section changed elsewhere: keep mine, take theirs, or look at both first."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from vicechat_tui.widgets.safe_text import plain
from vicechat_tui.widgets.safe_text_area import SafeTextArea

ConflictChoice = Literal["mine", "theirs"]


class ConflictScreen(ModalScreen[ConflictChoice | None]):
    """Returns "mine" (save mine over theirs), "theirs" (drop mine) or None (decide later)."""

    DEFAULT_CSS = """
    ConflictScreen {
        align: center middle;
        #dialog {
            width: 76; max-width: 95%; height: auto; max-height: 95%;
            border: thick $warning; background: $surface; padding: 1 2;
        }
        &.-both #dialog { width: 95%; height: 90%; }
        #dialog-title { text-style: bold; margin-bottom: 1; }
        #both { display: none; height: 1fr; margin-top: 1; }
        &.-both #both { display: block; }
        #both Vertical { width: 1fr; }
        #both Label { color: $text-muted; }
        #both TextArea { height: 1fr; }
        #buttons { height: auto; align-horizontal: right; margin-top: 1; }
        #buttons Button { margin-left: 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "choose('mine')", "Keep mine", id="conflict.mine"),
        Binding("t", "choose('theirs')", "Take theirs", id="conflict.theirs"),
        Binding("v", "toggle_both", "View both", id="conflict.view_both"),
        Binding("escape", "later", "Decide later", id="conflict.later"),
    ]

    showing_both: reactive[bool] = reactive(False)

    def __init__(
        self, *, title: str, mine: str, theirs: str, based_on_version: int, current_version: int
    ) -> None:
        super().__init__()
        self.section_title = title
        self.mine = mine
        self.theirs = theirs
        self.based_on_version = based_on_version
        self.current_version = current_version

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(plain(f"“{self.section_title}” changed elsewhere"), id="dialog-title")
            yield Static(
                f"Your edit is based on version {self.based_on_version}; the section is now at "
                f"version {self.current_version}. Nothing was overwritten. Keep your text "
                "(saved as a new version), take theirs (your edit is dropped), or view both.",
                markup=False,
            )
            with Horizontal(id="both"):
                with Vertical():
                    yield Label("Yours")
                    yield SafeTextArea(self.mine, read_only=True, soft_wrap=True, id="mine-text")
                with Vertical():
                    yield Label(f"Theirs (version {self.current_version})")
                    yield SafeTextArea(
                        self.theirs, read_only=True, soft_wrap=True, id="theirs-text"
                    )
            with Horizontal(id="buttons"):
                yield Button("View both (v)", id="view-both")
                yield Button("Take theirs (t)", id="theirs", variant="warning")
                yield Button("Keep mine (m)", id="mine", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#mine", Button).focus()

    def watch_showing_both(self, showing: bool) -> None:
        self.set_class(showing, "-both")
        self.query_one("#view-both", Button).label = "Hide both (v)" if showing else "View both (v)"

    @on(Button.Pressed, "#mine")
    def _mine(self) -> None:
        self.dismiss("mine")

    @on(Button.Pressed, "#theirs")
    def _theirs(self) -> None:
        self.dismiss("theirs")

    @on(Button.Pressed, "#view-both")
    def action_toggle_both(self) -> None:
        self.showing_both = not self.showing_both

    def action_choose(self, choice: ConflictChoice) -> None:
        self.dismiss(choice)

    def action_later(self) -> None:
        self.dismiss(None)
