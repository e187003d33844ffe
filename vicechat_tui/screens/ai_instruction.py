"""Ask how an AI edit should rewrite the passage: an instruction typed, or a quick action.

The quick actions come from the config file (`[ai_edit] quick_actions`, defaults in
`core.settings`). The instruction field has the focus; the list is below it (down or tab),
and in the list 1–9 pick an action at once, enter picks the highlighted one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.getters import query_one
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from vicechat_tui.widgets.key_hints import key_for_id
from vicechat_tui.widgets.safe_input import SafeInput
from vicechat_tui.widgets.safe_text import plain

if TYPE_CHECKING:
    from vicechat_tui.core.settings import QuickAction

MAX_INSTRUCTION_CHARS = 2_000


@dataclass(frozen=True)
class Instruction:
    """What to ask the model (`text`) and how to name the edit (`label`)."""

    label: str
    text: str


class QuickActionList(OptionList):
    """The quick actions, numbered; a digit picks that action."""

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character in "123456789":
            number = int(event.character)
            if number <= self.option_count:
                event.stop()
                self.highlighted = number - 1
                self.action_select()


class InstructionScreen(ModalScreen[Instruction | None]):
    """Returns the instruction, or None (cancelled)."""

    DEFAULT_CSS = """
    InstructionScreen {
        align: center middle;
        #dialog {
            width: 76; max-width: 94%; height: auto; max-height: 90%;
            border: thick $primary; background: $surface; padding: 1 2;
        }
        #dialog-title { text-style: bold; margin-bottom: 1; }
        #context, #hint { color: $text-muted; }
        #context { margin-bottom: 1; }
        #problem { color: $error; height: 1; }
        QuickActionList { height: auto; max-height: 11; margin-bottom: 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("down", "to_list", "Quick actions", id="ai_edit.quick_actions", show=False),
    ]

    field = query_one("#instruction", Input)
    problem = query_one("#problem", Static)

    def __init__(self, quick_actions: Sequence[QuickAction]) -> None:
        super().__init__()
        self.quick_actions = list(quick_actions)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Edit with AI", id="dialog-title")
            yield Static(
                "How should the selected text (else the paragraph) be rewritten?", id="context"
            )
            yield SafeInput(
                placeholder="type an instruction: tighten · fix grammar · make it formal",
                id="instruction",
                max_length=MAX_INSTRUCTION_CHARS,
            )
            yield Static("", id="problem", markup=False)
            if self.quick_actions:
                yield QuickActionList(
                    *(
                        Option(plain(f"{number}  {action.name} — {action.instruction}"))
                        for number, action in enumerate(self.quick_actions, start=1)
                    ),
                    id="quick-actions",
                )
            yield Static(self._hint(), id="hint", markup=False)

    def _hint(self) -> str:
        cancel = key_for_id(self.app, type(self), "dialog.cancel")
        if not self.quick_actions:
            return f"enter: rewrite · {cancel}: cancel"
        to_list = key_for_id(self.app, type(self), "ai_edit.quick_actions")
        return (
            f"enter: rewrite · {to_list}: the quick actions (1–{len(self.quick_actions)} "
            f"pick one) · {cancel}: cancel"
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_list":
            return bool(self.quick_actions) and self.field.has_focus
        return True

    def action_to_list(self) -> None:
        listing = self.query_one(QuickActionList)
        if listing.highlighted is None:
            listing.highlighted = 0
        listing.focus()

    @on(Input.Changed)
    def _clear_problem(self) -> None:
        self.problem.update("")

    @on(Input.Submitted)
    def _typed(self) -> None:
        text = self.field.value.strip()
        if not text:
            pick = ", or pick a quick action below" if self.quick_actions else ""
            self.problem.update(f"Type an instruction{pick}.")
            return
        self.dismiss(Instruction(text, text))

    @on(OptionList.OptionSelected, "#quick-actions")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        action = self.quick_actions[event.option_index]
        self.dismiss(Instruction(action.name, action.instruction))

    def action_cancel(self) -> None:
        self.dismiss(None)
