"""The chat configuration modal: every ChatConfig field, errors shown next to each field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, Switch, TextArea
from textual.widgets.select import InvalidSelectValueError

from vicechat_tui.core.assistant_profile import PROFILE_FIELDS, base_config
from vicechat_tui.core.chat_config import CHAT_CONFIG_FIELDS, ChatConfig
from vicechat_tui.core.errors import InvalidConfigError, VicechatError
from vicechat_tui.failures import run_task
from vicechat_tui.screens.field_form import NUMBER_FIELDS, FieldForm
from vicechat_tui.screens.setting_origin import legend_text, origin_text, own_fields, setting_text
from vicechat_tui.widgets.key_hints import key_for_id
from vicechat_tui.widgets.safe_input import SafeInput
from vicechat_tui.widgets.safe_text import choices, literal, plain
from vicechat_tui.widgets.safe_text_area import SafeTextArea

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vicechat_tui.core.models import Assistant
    from vicechat_tui.core.runtime import VicechatCore

SWITCH_FIELDS = ("web_search", "include_section", "include_outline")
LABELS = {
    "assistant": "Assistant",
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
SETTING_FIELDS = tuple(name for name in FORM_FIELDS if name != "assistant")
"""The fields a section may take from its assistant or set itself."""
CONTROL_FIELDS = {"model-input": "model", "model-select": "model"}
"""Controls whose id is not their field's name."""


class ChatConfigScreen(FieldForm[ChatConfig | None]):
    """Edit one section's chat settings; save validates in the core, Escape cancels.

    The assistant picker comes first: picking another one puts its settings into every
    field the section had left as its assistant's (the section's own values stay). A field
    whose value differs from the assistant's says so under it; the reset key on it puts the
    assistant's value back (so the section no longer stores the field)."""

    DEFAULT_CSS = """
    ChatConfigScreen #origin-legend { color: $text-muted; height: auto; padding: 0 0 1 0; }
    ChatConfigScreen .field-origin { color: $text-warning; padding: 0 0 0 16; height: auto; }
    ChatConfigScreen .-own Label.name { color: $text-warning; text-style: bold; }
    """
    LABELS = LABELS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="chat_config.cancel"),
        Binding("ctrl+s", "save", "Save", id="chat_config.save"),
        Binding(
            "ctrl+r",
            "reset_field",
            "Use the assistant's value",
            tooltip="Drop this section's own value of the field: its assistant's applies",
            id="chat_config.reset_field",
        ),
    ]

    @dataclass
    class ModelsListed(Message):
        """The provider's model list arrived (or could not be fetched: `error`)."""

        provider: str | None
        models: list[str]
        error: str | None

    def __init__(
        self,
        core: VicechatCore,
        session_id: int,
        config: ChatConfig,
        assistants: Sequence[Assistant] = (),
    ) -> None:
        super().__init__()
        self.core = core
        self.session_id = session_id
        self.config = config
        self.assistants = {assistant.name: assistant for assistant in assistants}
        self._base = base_config(self.assistants.get(config.assistant or ""))

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        config = self.config
        with Vertical(id="dialog"):
            yield Label("Chat settings for this section", id="dialog-title")
            yield Static(id="origin-legend")
            with VerticalScroll(id="fields"):
                yield self._assistant_field(config.assistant)
                names = self.core.providers.names()
                provider = Select(
                    choices(names),
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

    def on_mount(self) -> None:
        self.query_one("#assistant", Select).focus()
        self._list_models(self.config.provider)
        self.show_origins()

    def _field(self, name: str, *controls: Widget, hint: str | None = None) -> Vertical:
        row = super()._field(name, *controls, hint=hint)
        if name in SETTING_FIELDS:
            row.id = f"field-{name}"
            row.compose_add_child(Static(classes="field-origin -hidden", id=f"origin-{name}"))
        return row

    # -- where each setting comes from -------------------------------------------------------

    def own_fields(self) -> set[str]:
        """The fields the form shows with a value of the section's own (not its assistant's)."""
        return own_fields(self.values(), self._base, SETTING_FIELDS)

    def show_origins(self) -> None:
        """Mark the fields that differ from the assistant's, each with the assistant's value."""
        if not self.is_mounted:
            return
        key = key_for_id(self.app, type(self), "chat_config.reset_field")
        assistant = self._base.assistant or "default"
        own = self.own_fields()
        default_provider = self.core.providers.default_name()
        for name in SETTING_FIELDS:
            line = self.query_one(f"#origin-{name}", Static)
            if name in own:
                value = setting_text(name, getattr(self._base, name), default_provider)
                line.update(literal(origin_text(assistant, value, key)))
            line.set_class(name not in own, "-hidden")
            self.query_one(f"#field-{name}").set_class(name in own, "-own")
        self.query_one("#origin-legend", Static).update(literal(legend_text(assistant, key)))

    def focused_field(self) -> str | None:
        """The field whose control (or a part of it) has the focus."""
        node = self.focused
        while node is not None and node is not self:
            name = CONTROL_FIELDS.get(node.id or "", node.id)
            if name in LABELS:
                return name
            parent = node.parent
            node = parent if isinstance(parent, Widget) else None
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reset_field":
            return True if self.focused_field() in self.own_fields() else None
        return True

    def action_reset_field(self) -> None:
        """Put the assistant's value back into the focused field."""
        name = self.focused_field()
        if name in SETTING_FIELDS:
            self.set_value(name, getattr(self._base, name))
            self.show_origins()

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Switch.Changed)
    @on(TextArea.Changed)
    def _edited(self) -> None:
        self.show_origins()

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
        model_select.set_options(choices(models))
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

    def values(self) -> dict[str, Any]:
        """What the form says, as ChatConfig changes (bad numbers left as typed)."""
        provider = self.query_one("#provider", Select).value
        assistant = self.query_one("#assistant", Select).value
        values: dict[str, Any] = {
            "assistant": assistant if isinstance(assistant, str) else None,
            "provider": provider if isinstance(provider, str) else None,
            "model": self.query_one("#model-input", Input).value.strip() or None,
            "system_prompt": self.query_one("#system_prompt", TextArea).text,
        }
        for name in NUMBER_FIELDS:
            values[name] = self.number_value(name)
        for name in SWITCH_FIELDS:
            values[name] = self.query_one(f"#{name}", Switch).value
        return values

    async def action_save(self) -> None:
        self.clear_errors()
        try:
            config = await self.core.chats.update_config(self.session_id, self.values())
        except InvalidConfigError as error:
            self.show_field_errors(error)
            return
        except VicechatError as error:
            self.show_form_error(f"{error.title}: {error.message}")
            return
        self.dismiss(config)

    def set_value(self, name: str, value: Any) -> None:
        super().set_value(name, value)
        model_select: Select[str] = self.query_one("#model-select", Select)
        if name == "model" and not model_select.has_class("-hidden"):
            try:
                model_select.value = value if value else Select.NULL
            except InvalidSelectValueError:  # not a model the provider listed
                model_select.clear()

    def _focus_field(self, name: str) -> None:
        if name == "model":
            model_input = self.query_one("#model-input", Input)
            name = "model-select" if model_input.has_class("-hidden") else "model-input"
        self.query_one(f"#{name}").focus()

    # -- the assistant -----------------------------------------------------------------------

    def _assistant_field(self, chosen: str | None) -> Vertical:
        options = choices(self.assistants)
        if chosen and chosen not in self.assistants:  # deleted, or a shared document's
            options.append((plain(f"{chosen} (not one of yours)"), chosen))
        picker: Select[str] = Select(
            options,
            value=chosen or (options[0][1] if options else Select.NULL),
            allow_blank=not options,
            prompt="default",
            id="assistant",
            compact=True,
        )
        return self._field("assistant", picker, hint=self._describe(chosen))

    def _describe(self, name: str | None) -> str:
        assistant = self.assistants.get(name or "")
        if assistant is None:
            return "Not one of your assistants: pick one of yours to send from this chat."
        return assistant.description or "(no description)"

    @on(Select.Changed, "#assistant")
    def _assistant_picked(self, event: Select.Changed) -> None:
        name = event.value if isinstance(event.value, str) else ""
        new_base = base_config(self.assistants.get(name))
        shown = self.values()
        for field in PROFILE_FIELDS:
            if field in LABELS and shown.get(field) == getattr(self._base, field):
                self.set_value(field, getattr(new_base, field))
        self._base = new_base
        self.show_origins()
        hint = self.query_one("#hint-assistant", Static)
        hint.update(literal(self._describe(name)))
        hint.remove_class("-hidden")
