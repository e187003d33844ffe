"""Your assistants: a list to create, edit and delete them (deleting asks first), and the
form that edits one, each setting's problem shown under it.

The list reads and changes assistants through the core it is given; a refusal the person can
act on shows in the form (or as a note under the list), anything else takes the app's one
error path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static, Switch, TextArea
from textual.widgets.option_list import Option

from vicechat_tui.core.assistant_profile import (
    DEFAULT_ASSISTANT,
    default_profile,
    name_problem,
    name_taken_reason,
)
from vicechat_tui.core.errors import InvalidConfigError, VicechatError
from vicechat_tui.failures import run_task
from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.field_form import FieldForm
from vicechat_tui.widgets.key_hints import key_for_id
from vicechat_tui.widgets.safe_input import SafeInput
from vicechat_tui.widgets.safe_text import choices, literal, plain
from vicechat_tui.widgets.safe_text_area import SafeTextArea

if TYPE_CHECKING:
    from collections.abc import Iterable

    from vicechat_tui.core.models import Assistant
    from vicechat_tui.core.runtime import VicechatCore


def summary(assistant: Assistant) -> str:
    """One line of the list: name · provider/model · web research · description."""
    parts = [assistant.name, assistant.model or assistant.provider or "default model"]
    if assistant.web_search:
        parts.append(f"web ×{assistant.search_cycles}")
    if assistant.knowledge:
        parts.append(f"{len(assistant.knowledge)} collections")
    if assistant.description:
        parts.append(assistant.description)
    return " · ".join(parts)


class AssistantFormScreen(FieldForm["Assistant | None"]):
    """Create an assistant, or edit one (`assistant`); Save checks it in the core."""

    LABELS: ClassVar[dict[str, str]] = {
        "name": "Name",
        "description": "Description",
        "provider": "Provider",
        "model": "Model",
        "temperature": "Temperature",
        "max_tokens": "Max tokens",
        "system_prompt": "System prompt",
        "web_search": "Web research",
        "search_cycles": "Search cycles",
        "knowledge": "Knowledge",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="assistant_form.cancel"),
        Binding("ctrl+s", "save", "Save", id="assistant_form.save"),
    ]

    def __init__(
        self, core: VicechatCore, assistant: Assistant | None = None, taken: Iterable[str] = ()
    ) -> None:
        super().__init__()
        self.core = core
        self.assistant = assistant
        self.taken = frozenset(taken) - {assistant.name if assistant is not None else ""}
        """The names of the person's other assistants: the name field refuses them as typed
        (saving checks again in the core, which also sees names written meanwhile)."""

    def compose(self) -> ComposeResult:
        editing = self.assistant
        values: dict[str, Any] = (
            {"name": "", "description": "", **default_profile()}
            if editing is None
            else editing.model_dump()
        )
        title = "New assistant" if editing is None else f"Assistant {editing.name}"
        with Vertical(id="dialog"):
            yield Label(plain(title), id="dialog-title")
            with VerticalScroll(id="fields"):
                name = SafeInput(values["name"], placeholder="a short name", id="name")
                name.compact = True
                name.disabled = editing is not None and editing.name == DEFAULT_ASSISTANT
                yield self._field("name", name)
                yield self._field(
                    "description",
                    SafeInput(
                        values["description"],
                        placeholder="what it is for",
                        id="description",
                        compact=True,
                    ),
                )
                names = self.core.providers.names()
                yield self._field(
                    "provider",
                    Select(
                        choices(names),
                        value=values["provider"] if values["provider"] in names else Select.NULL,
                        prompt=f"default ({self.core.providers.default_name() or 'none'})",
                        id="provider",
                        compact=True,
                    ),
                )
                model = SafeInput(
                    values["model"] or "",
                    placeholder="model id (blank: the provider's default)",
                    id="model-input",
                    compact=True,
                )
                yield self._field("model", model)
                for field in ("temperature", "max_tokens"):
                    yield self._number_field(field, values[field])
                prompt = SafeTextArea(
                    values["system_prompt"], id="system_prompt", soft_wrap=True, compact=True
                )
                yield self._field("system_prompt", prompt)
                yield self._field("web_search", Switch(values["web_search"], id="web_search"))
                yield self._number_field("search_cycles", values["search_cycles"])
                collections = SafeInput(
                    ", ".join(values["knowledge"]),
                    placeholder="collection names, separated by commas",
                    id="knowledge",
                    compact=True,
                )
                yield self._field("knowledge", collections)
            yield Static("", id="form-error", classes="-hidden")
            with Horizontal(id="buttons"):
                cancel = key_for_id(self.app, type(self), "assistant_form.cancel")
                save = key_for_id(self.app, type(self), "assistant_form.save")
                yield Button(f"Cancel ({cancel})", id="cancel", compact=True)
                yield Button(f"Save ({save})", id="save", variant="primary", compact=True)

    def on_mount(self) -> None:
        name = self.query_one("#name", Input)
        (self.query_one("#description", Input) if name.disabled else name).focus()

    @on(Input.Changed, "#name")
    def _name_typed(self, event: Input.Changed) -> None:
        """A bad or taken name is named as it is typed (an empty one only on saving)."""
        name = event.value
        problem = name_problem(name) if name else None
        if problem is None and name in self.taken:
            problem = name_taken_reason(name)
        self.show_error("name", problem)

    def values(self) -> dict[str, Any]:
        """What the form says (bad numbers left as typed, for the core to name)."""
        provider = self.query_one("#provider", Select).value
        collections = self.query_one("#knowledge", Input).value.split(",")
        return {
            "name": self.query_one("#name", Input).value,
            "description": self.query_one("#description", Input).value,
            "provider": provider if isinstance(provider, str) else None,
            "model": self.query_one("#model-input", Input).value.strip() or None,
            "temperature": self.number_value("temperature"),
            "max_tokens": self.number_value("max_tokens"),
            "system_prompt": self.query_one("#system_prompt", TextArea).text,
            "web_search": self.query_one("#web_search", Switch).value,
            "search_cycles": self.number_value("search_cycles"),
            "knowledge": [name.strip() for name in collections if name.strip()],
        }

    async def action_save(self) -> None:
        self.clear_errors()
        values = self.values()
        assistants = self.core.assistants
        try:
            if self.assistant is None:
                saved = await assistants.create(values.pop("name"), values)
            else:
                saved = await assistants.update(self.assistant.name, values)
        except InvalidConfigError as error:
            self.show_field_errors(error)
            return
        except VicechatError as error:
            self.show_form_error(f"{error.title}: {error.message}")
            return
        self.dismiss(saved)


class AssistantsScreen(ModalScreen[None]):
    """Your assistants; n makes one, enter edits the selected one, delete deletes it."""

    DEFAULT_CSS = """
    AssistantsScreen {
        align: center middle;
        #dialog {
            width: 90; max-width: 95%; height: auto; max-height: 90%;
            border: thick $primary; background: $surface; padding: 1 2;
        }
        #assistants-title { text-style: bold; }
        #assistants-help { color: $text-muted; margin-bottom: 1; }
        #assistants-list { height: auto; max-height: 16; }
        #assistants-note { color: $warning; height: auto; margin-top: 1; }
        .-hidden { display: none; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="assistants.close"),
        Binding("n", "create", "New", id="assistants.new"),
        Binding("e", "edit", "Edit", id="assistants.edit"),
        Binding("delete", "delete", "Delete", id="assistants.delete"),
    ]

    def __init__(self, core: VicechatCore) -> None:
        super().__init__()
        self.core = core
        self.assistants: list[Assistant] = []

    def compose(self) -> ComposeResult:
        keys = {
            name: key_for_id(self.app, type(self), f"assistants.{name}")
            for name in ("new", "edit", "delete", "close")
        }
        with Vertical(id="dialog"):
            yield Label("Assistants", id="assistants-title")
            yield Static(
                f"{keys['new']} new · enter or {keys['edit']} edit · {keys['delete']} delete · "
                f"{keys['close']} close. A section's chat uses one (ctrl+o picks it); "
                "its own settings stay on top.",
                id="assistants-help",
            )
            yield OptionList(id="assistants-list")
            yield Static("", id="assistants-note", classes="-hidden")

    def on_mount(self) -> None:
        self._work(self.reload(), "Read your assistants")

    def _work(self, work: Any, description: str) -> None:
        run_task(self, work, description=description, group="assistants", exclusive=True)

    async def reload(self, select: str | None = None) -> None:
        self.assistants = await self.core.assistants.list()
        listing = self.query_one("#assistants-list", OptionList)
        listing.clear_options()
        listing.add_options(
            Option(plain(summary(assistant)), id=assistant.name) for assistant in self.assistants
        )
        names = [assistant.name for assistant in self.assistants]
        listing.highlighted = names.index(select) if select in names else 0
        listing.focus()

    def note(self, text: str | None) -> None:
        label = self.query_one("#assistants-note", Static)
        label.update(literal(text or ""))
        label.set_class(not text, "-hidden")

    @property
    def selected(self) -> Assistant | None:
        index = self.query_one("#assistants-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self.assistants):
            return None
        return self.assistants[index]

    def action_close(self) -> None:
        self.dismiss(None)

    def action_create(self) -> None:
        self._work(self._edit(None), "Create an assistant")

    def action_edit(self) -> None:
        if self.selected is not None:
            self._work(self._edit(self.selected), "Edit the assistant")

    @on(OptionList.OptionSelected, "#assistants-list")
    def _chosen(self) -> None:
        self.action_edit()

    async def _edit(self, assistant: Assistant | None) -> None:
        taken = [other.name for other in self.assistants]
        saved = await self.app.push_screen_wait(
            AssistantFormScreen(self.core, assistant, taken=taken)
        )
        if saved is not None:
            self.note(None)
            await self.reload(select=saved.name)

    def action_delete(self) -> None:
        if self.selected is not None:
            self._work(self._delete(self.selected.name), "Delete the assistant")

    async def _delete(self, name: str) -> None:
        if name == DEFAULT_ASSISTANT:
            self.note("The default assistant cannot be deleted; edit its settings instead.")
            return
        question = (
            f"Delete the assistant {name!r}? Chats of your documents that use it will use "
            "the default assistant instead."
        )
        if not await self.app.push_screen_wait(ConfirmScreen("Delete this assistant?", question)):
            return
        moved = await self.core.assistants.delete(name)
        chats = "1 chat uses" if moved == 1 else f"{moved} chats use"
        self.note(f"Deleted {name!r}." + (f" {chats} the default one now." if moved else ""))
        await self.reload()
