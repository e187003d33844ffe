"""Every key, grouped by area, built from the live bindings so it stays true after remapping.

The keys listed are those of every class in `screens/` and `widgets/` that declares
bindings (found by importing the packages, not from a list a new screen could miss), with
every key of a binding that has several ("alt+↑ / K").
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from vicechat_tui.widgets.key_hints import all_keys_display, class_bindings, key_display

if TYPE_CHECKING:
    from textual.app import App

GROUPS = {
    "app": "Anywhere",
    "view": "View",
    "tree": "Document tree",
    "editor": "Section editor",
    "chat": "Chat",
    "jobs": "Jobs",
}
DIALOG_GROUP = "Dialogs"

KeyRow = tuple[str, str, str]
"""(key as shown, what it does, binding id)."""


def binding_classes() -> list[type[DOMNode]]:
    """Every screen and widget class of vicechat that declares its own bindings."""
    import vicechat_tui.screens
    import vicechat_tui.widgets

    found: dict[type[DOMNode], None] = {}
    for package in (vicechat_tui.screens, vicechat_tui.widgets):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            for _, value in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(value, DOMNode)
                    and value.__module__ == module.__name__
                    and "BINDINGS" in value.__dict__
                ):
                    found[value] = None
    return list(found)


def key_groups(
    app: App[object], keymap: Mapping[str, str], extra_types: Iterable[type[DOMNode]] = ()
) -> dict[str, list[KeyRow]]:
    """Every key of the running app, grouped by area, in display order."""
    types: dict[type[DOMNode], None] = {type(app): None}
    for screen in app.screen_stack[:1]:
        for node in screen.walk_children(with_self=True):
            types[type(node)] = None
    for extra in [*extra_types, *binding_classes()]:
        types[extra] = None
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for binding in class_bindings(types):
        assert binding.id is not None
        prefix = binding.id.split(".")[0]
        group = GROUPS.get(prefix, DIALOG_GROUP)
        description = binding.tooltip or binding.description or binding.action
        groups.setdefault(group, []).append(
            (all_keys_display(app, binding, keymap), description, binding.id)
        )
    groups.setdefault("Anywhere", []).append(("ctrl+p", "Command palette", "(Textual)"))
    order = [*GROUPS.values(), DIALOG_GROUP]
    names = sorted(groups, key=lambda name: order.index(name) if name in order else 99)
    return {name: groups[name] for name in names}


def key_table(groups: dict[str, list[KeyRow]]) -> Table:
    """The groups as a three-column table: key, description, binding id."""
    table = Table.grid(padding=(0, 2))
    table.add_column(min_width=12)
    table.add_column(min_width=24)
    table.add_column(style="dim")
    for group in groups:
        table.add_row(Text(group, style="bold underline"), "", "")
        for key, description, binding_id in groups[group]:
            table.add_row(Text(key, style="bold"), Text(description), Text(binding_id))
        table.add_row("", "", "")
    return table


class HelpScreen(ModalScreen[None]):
    """All keys; Escape or F1 closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        #dialog {
            width: 84; max-width: 95%; height: 90%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #dialog-title { text-style: bold; padding: 0 1; }
        #intro { color: $text-muted; padding: 0 1 1 1; }
        #keys { height: 1fr; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Keys", id="dialog-title")
            yield Static(self._intro(), id="intro", markup=False)
            with VerticalScroll(id="keys"):
                self.groups = key_groups(self.app, self.keymap)
                yield Static(key_table(self.groups), id="key-table")

    def _intro(self) -> str:
        keys = {
            binding.id: key_display(self.app, binding, self.keymap)
            for binding in class_bindings([type(self.app)])
        }
        following = keys.get("app.focus_next_pane", "f6")
        back = keys.get("app.focus_previous_pane", "shift+f6")
        return (
            f"{following} moves between the tree, the editor and the chat ({back} goes back). "
            'Remap any key in the config file: [ui] keys = { "tree.rename" = "f2" }.'
        )

    def action_close(self) -> None:
        self.dismiss(None)
