"""What the settings forms share (chat settings, an assistant): a labelled row per field with
a hint and an error line under it, numbers checked as they are typed, the core's field-by-
field errors shown where they belong, and values read from and written to the controls.

Controls go by the field's name as their id: an `Input` for numbers and text, a `Select` for
the provider, a `TextArea` for the system prompt, a `Switch` for on/off; the model's input is
`#model-input`.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from textual import on
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, Switch, TextArea

from vicechat_tui.core.chat_config import ChatConfig, NumberRange, number_ranges
from vicechat_tui.core.errors import InvalidConfigError
from vicechat_tui.widgets.safe_text import literal

NUMBER_FIELDS: dict[str, NumberRange] = number_ranges()
ResultType = TypeVar("ResultType")


def parse_number(text: str, kind: str) -> int | float | str:
    """The number typed, or the raw text so the core's validation names the problem."""
    try:
        return int(text) if kind == "integer" else float(text)
    except ValueError:
        return text


class InRange(Validator):
    """Accepts what ChatConfig accepts for one numeric field, so typing shows problems early."""

    def __init__(self, number_range: NumberRange) -> None:
        super().__init__()
        self.number_range = number_range

    def validate(self, value: str) -> ValidationResult:
        number = parse_number(value.strip(), self.number_range.kind)
        if isinstance(number, str):
            return self.failure(f"Must be a valid {self.number_range.kind}.")
        if not self.number_range.contains(number):
            return self.failure(f"Must be {self.number_range.describe()}.")
        return self.success()


class FieldForm(ModalScreen[ResultType]):
    """A modal form of settings, one row per field (see the module)."""

    DEFAULT_CSS = """
    FieldForm {
        align: center middle;
    }
    FieldForm > #dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FieldForm #dialog-title { text-style: bold; padding: 0 0 1 0; }
    FieldForm #fields { height: auto; max-height: 1fr; }
    FieldForm .field { height: auto; margin-bottom: 1; }
    FieldForm .field > Horizontal { height: auto; }
    FieldForm .field Label.name { width: 16; }
    FieldForm .field Input, FieldForm .field Select { width: 1fr; }
    FieldForm .field Input, FieldForm .field TextArea { background: $boost; }
    FieldForm .field Switch { width: auto; height: 1; border: none; padding: 0; }
    FieldForm .field TextArea { width: 1fr; height: 4; }
    FieldForm .field-error { color: $text-error; padding: 0 0 0 16; height: auto; }
    FieldForm .field-hint { color: $text-muted; padding: 0 0 0 16; height: auto; }
    FieldForm .-hidden { display: none; }
    FieldForm #form-error { color: $text-error; height: auto; }
    FieldForm #buttons { height: auto; align-horizontal: right; margin-top: 1; }
    FieldForm #buttons Button { margin-left: 1; }
    """
    LABELS: ClassVar[dict[str, str]] = {}
    """Field name → its label; a field has a row in the form exactly when it is here."""

    async def action_save(self) -> None:
        """Check and store what the form says (each form its own way)."""
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    async def _save_pressed(self) -> None:
        await self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    # -- rows ---------------------------------------------------------------------------------

    def _field(self, name: str, *controls: Widget, hint: str | None = None) -> Vertical:
        row = Vertical(
            Horizontal(Label(self.LABELS[name], classes="name"), *controls),
            Static(
                hint or "", classes="field-hint" + ("" if hint else " -hidden"), id=f"hint-{name}"
            ),
            Static("", classes="field-error -hidden", id=f"error-{name}"),
            classes="field",
        )
        info = ChatConfig.model_fields.get(name)
        if info is not None:
            row.tooltip = info.description
        return row

    def _number_field(self, name: str, value: float) -> Vertical:
        number_range = NUMBER_FIELDS[name]
        control = Input(
            str(value),
            type=number_range.kind,
            validators=[InRange(number_range)],
            id=name,
            compact=True,
        )
        return self._field(name, control)

    # -- values -------------------------------------------------------------------------------

    def number_value(self, name: str) -> int | float | str:
        """A number field as typed (the raw text when it is not a number)."""
        text = self.query_one(f"#{name}", Input).value.strip()
        return parse_number(text, NUMBER_FIELDS[name].kind)

    def set_value(self, name: str, value: Any) -> None:
        """Put `value` into field `name`'s control."""
        if name == "model":
            self.query_one("#model-input", Input).value = value or ""
            return
        control = self.query_one(f"#{name}")
        if isinstance(control, Select):
            if value is None:
                control.clear()
            else:
                control.value = value
        elif isinstance(control, Switch):
            control.value = bool(value)
        elif isinstance(control, TextArea):
            control.text = str(value)
        elif isinstance(control, Input):
            control.value = "" if value is None else str(value)

    # -- errors -------------------------------------------------------------------------------

    def show_error(self, name: str, message: str | None) -> None:
        """Show (or clear) the message under field `name`."""
        label = self.query_one(f"#error-{name}", Static)
        label.update(literal(message or ""))
        label.set_class(not message, "-hidden")

    def clear_errors(self) -> None:
        for name in self.LABELS:
            self.show_error(name, None)
        self.query_one("#form-error", Static).add_class("-hidden")

    def show_form_error(self, text: str) -> None:
        form_error = self.query_one("#form-error", Static)
        form_error.update(literal(text))
        form_error.remove_class("-hidden")

    def show_field_errors(self, error: InvalidConfigError) -> None:
        """Each error under its field (the others above the buttons); focus the first."""
        for name, reason in error.field_errors.items():
            if name in self.LABELS:
                self.show_error(name, reason)
        others = [f"{k}: {v}" for k, v in error.field_errors.items() if k not in self.LABELS]
        if others:
            self.show_form_error("; ".join(others))
        first = next((n for n in self.LABELS if n in error.field_errors), None)
        if first is not None:
            self._focus_field(first)

    def _focus_field(self, name: str) -> None:
        self.query_one("#model-input" if name == "model" else f"#{name}").focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        if name in NUMBER_FIELDS and name in self.LABELS:
            result = event.validation_result
            failures = result.failure_descriptions if result is not None else []
            self.show_error(name, failures[0] if failures else None)
