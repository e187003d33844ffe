"""The chat configuration modal: every ChatConfig field, errors shown next to each field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, Switch, TextArea

from vicechat_tui.core.chat_config import (
    CHAT_CONFIG_FIELDS,
    ChatConfig,
    NumberRange,
    number_ranges,
)
from vicechat_tui.core.errors import InvalidConfigError, VicechatError
from vicechat_tui.failures import run_task
from vicechat_tui.widgets.key_hints import key_for_id
from vicechat_tui.widgets.safe_input import SafeInput
from vicechat_tui.widgets.safe_text import literal
from vicechat_tui.widgets.safe_text_area import SafeTextArea

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore

NUMBER_FIELDS: dict[str, NumberRange] = number_ranges()
SWITCH_FIELDS = ("web_search", "include_section", "include_outline")
LABELS = {
    "provider": "Provider",
    "model": "Model",
    "temperature": "Temperature",
    "top_p": "Top p",
    "max_tokens": "Max tokens",
    "system_prompt": "System prompt",
    "web_search": "Web research",
    "search_cycles": "Search cycles",
    "max_sources": "Max sources",
    "include_section": "Send section",
    "include_outline": "Send outline",
}
FORM_FIELDS: tuple[str, ...] = tuple(name for name in CHAT_CONFIG_FIELDS if name in LABELS)
"""The settings this form has a row for (the others, such as knowledge, are kept as they are)."""


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


class ChatConfigScreen(ModalScreen[ChatConfig | None]):
    """Edit one section's chat settings; save validates in the core, Escape cancels."""

    DEFAULT_CSS = """
    ChatConfigScreen {
        align: center middle;
    }
    ChatConfigScreen > #dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ChatConfigScreen #dialog-title { text-style: bold; padding: 0 0 1 0; }
    ChatConfigScreen #fields { height: auto; max-height: 1fr; }
    ChatConfigScreen .field { height: auto; margin-bottom: 1; }
    ChatConfigScreen .field > Horizontal { height: auto; }
    ChatConfigScreen .field Label.name { width: 16; }
    ChatConfigScreen .field Input, ChatConfigScreen .field Select { width: 1fr; }
    ChatConfigScreen .field Input, ChatConfigScreen .field TextArea { background: $boost; }
    ChatConfigScreen .field Switch { width: auto; height: 1; border: none; padding: 0; }
    ChatConfigScreen .field TextArea { width: 1fr; height: 4; }
    ChatConfigScreen .field-error { color: $text-error; padding: 0 0 0 16; height: auto; }
    ChatConfigScreen .field-hint { color: $text-muted; padding: 0 0 0 16; height: auto; }
    ChatConfigScreen .-hidden { display: none; }
    ChatConfigScreen #form-error { color: $text-error; height: auto; }
    ChatConfigScreen #buttons { height: auto; align-horizontal: right; margin-top: 1; }
    ChatConfigScreen #buttons Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="chat_config.cancel"),
        Binding("ctrl+s", "save", "Save", id="chat_config.save"),
    ]

    @dataclass
    class ModelsListed(Message):
        """The provider's model list arrived (or could not be fetched: `error`)."""

        provider: str | None
        models: list[str]
        error: str | None

    def __init__(self, core: VicechatCore, session_id: int, config: ChatConfig) -> None:
        super().__init__()
        self.core = core
        self.session_id = session_id
        self.config = config

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        config = self.config
        with Vertical(id="dialog"):
            yield Label("Chat settings for this section", id="dialog-title")
            with VerticalScroll(id="fields"):
                names = self.core.providers.names()
                provider = Select(
                    [(name, name) for name in names],
                    value=config.provider if config.provider in names else Select.NULL,
                    prompt=f"default ({self.core.providers.default_name() or 'none'})",
                    id="provider",
                    compact=True,
                )
                yield self._field("provider", provider)
                model_input = SafeInput(
                    config.model or "",
                    placeholder="model id (blank: the provider's default)",
                    id="model-input",
                    compact=True,
                )
                model_select: Select[str] = Select(
                    [], id="model-select", classes="-hidden", compact=True
                )
                yield self._field("model", model_input, model_select, hint="listing models…")
                for name in ("temperature", "top_p", "max_tokens"):
                    yield self._number_field(name, getattr(config, name))
                prompt = SafeTextArea(
                    config.system_prompt, id="system_prompt", soft_wrap=True, compact=True
                )
                yield self._field("system_prompt", prompt)
                yield self._field("web_search", Switch(config.web_search, id="web_search"))
                for name in ("search_cycles", "max_sources"):
                    yield self._number_field(name, getattr(config, name))
                for name in ("include_section", "include_outline"):
                    yield self._field(name, Switch(getattr(config, name), id=name))
            yield Static("", id="form-error", classes="-hidden")
            with Horizontal(id="buttons"):
                cancel = key_for_id(self.app, type(self), "chat_config.cancel")
                save = key_for_id(self.app, type(self), "chat_config.save")
                yield Button(f"Cancel ({cancel})", id="cancel", compact=True)
                yield Button(f"Save ({save})", id="save", variant="primary", compact=True)

    def _field(self, name: str, *controls: Widget, hint: str | None = None) -> Vertical:
        row = Vertical(
            Horizontal(Label(LABELS[name], classes="name"), *controls),
            Static(
                hint or "", classes="field-hint" + ("" if hint else " -hidden"), id=f"hint-{name}"
            ),
            Static("", classes="field-error -hidden", id=f"error-{name}"),
            classes="field",
        )
        row.tooltip = ChatConfig.model_fields[name].description
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

    def on_mount(self) -> None:
        self.query_one("#provider", Select).focus()
        self._list_models(self.config.provider)

    # -- the model list ----------------------------------------------------------------------

    def _list_models(self, provider: str | None) -> None:
        run_task(
            self,
            self._fetch_models(provider),
            description="List the provider's models",
            group="chat-config-models",
            exclusive=True,
        )

    async def _fetch_models(self, provider: str | None) -> None:
        try:
            models = await self.core.providers.get(provider).list_models()
        except VicechatError as error:
            self.post_message(self.ModelsListed(provider, [], error.message))
        except Exception as error:  # a listing failure only means "type it in"
            self.post_message(self.ModelsListed(provider, [], str(error)))
        else:
            self.post_message(self.ModelsListed(provider, models, None))

    def on_chat_config_screen_models_listed(self, message: ModelsListed) -> None:
        model_input = self.query_one("#model-input", Input)
        model_select: Select[str] = self.query_one("#model-select", Select)
        hint = self.query_one("#hint-model", Static)
        if message.error is not None or not message.models:
            reason = message.error or "the provider listed no models"
            hint.update(literal(f"Could not list models ({reason}); type a model id."))
            hint.remove_class("-hidden")
            model_input.remove_class("-hidden")
            model_select.add_class("-hidden")
            return
        current = model_input.value.strip()
        models = list(dict.fromkeys([*message.models, *([current] if current else [])]))
        model_select.set_options([(name, name) for name in models])
        model_select.prompt = "the provider's default model"
        if current:
            model_select.value = current
        else:
            model_select.clear()
        hint.add_class("-hidden")
        model_input.add_class("-hidden")
        model_select.remove_class("-hidden")

    @on(Select.Changed, "#provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        provider = event.value if isinstance(event.value, str) else None
        self._list_models(provider)

    @on(Select.Changed, "#model-select")
    def _model_picked(self, event: Select.Changed) -> None:
        self.query_one("#model-input", Input).value = (
            event.value if isinstance(event.value, str) else ""
        )

    # -- validation and saving ---------------------------------------------------------------

    def show_error(self, name: str, message: str | None) -> None:
        """Show (or clear) the message under field `name`."""
        label = self.query_one(f"#error-{name}", Static)
        label.update(literal(message or ""))
        label.set_class(not message, "-hidden")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        if name in NUMBER_FIELDS:
            result = event.validation_result
            failures = result.failure_descriptions if result is not None else []
            self.show_error(name, failures[0] if failures else None)

    def values(self) -> dict[str, Any]:
        """What the form says, as ChatConfig changes (bad numbers left as typed)."""
        provider = self.query_one("#provider", Select).value
        values: dict[str, Any] = {
            "provider": provider if isinstance(provider, str) else None,
            "model": self.query_one("#model-input", Input).value.strip() or None,
            "system_prompt": self.query_one("#system_prompt", TextArea).text,
        }
        for name, number_range in NUMBER_FIELDS.items():
            text = self.query_one(f"#{name}", Input).value.strip()
            values[name] = parse_number(text, number_range.kind)
        for name in SWITCH_FIELDS:
            values[name] = self.query_one(f"#{name}", Switch).value
        return values

    async def action_save(self) -> None:
        for name in FORM_FIELDS:
            self.show_error(name, None)
        form_error = self.query_one("#form-error", Static)
        form_error.add_class("-hidden")
        try:
            config = await self.core.chats.update_config(self.session_id, self.values())
        except InvalidConfigError as error:
            for name, reason in error.field_errors.items():
                if name in FORM_FIELDS:
                    self.show_error(name, reason)
            others = [f"{k}: {v}" for k, v in error.field_errors.items() if k not in LABELS]
            if others:
                form_error.update(literal("; ".join(others)))
                form_error.remove_class("-hidden")
            first = next((n for n in FORM_FIELDS if n in error.field_errors), None)
            if first is not None:
                self._focus_field(first)
            return
        except VicechatError as error:
            form_error.update(literal(f"{error.title}: {error.message}"))
            form_error.remove_class("-hidden")
            return
        self.dismiss(config)

    def _focus_field(self, name: str) -> None:
        if name == "model":
            model_input = self.query_one("#model-input", Input)
            name = "model-select" if model_input.has_class("-hidden") else "model-input"
        self.query_one(f"#{name}").focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    async def _save_pressed(self) -> None:
        await self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)
