"""Keys as the person has them: declared bindings with the config's remapping applied."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode


def class_bindings(node_types: Iterable[type[DOMNode]]) -> list[Binding]:
    """Bindings with an id declared on these classes and their bases (each id once)."""
    found: dict[str, Binding] = {}
    for node_type in node_types:
        for cls in reversed(node_type.__mro__):
            declared: list[BindingType] = list(cls.__dict__.get("BINDINGS", []))
            merged: dict[str, Binding] = {}  # "escape,enter" comes back as two bindings
            for binding in Binding.make_bindings(declared):
                if binding.id and binding.id in merged:
                    earlier = merged[binding.id]
                    merged[binding.id] = replace(earlier, key=f"{earlier.key},{binding.key}")
                elif binding.id:
                    merged[binding.id] = binding
            for binding_id, binding in merged.items():
                found.setdefault(binding_id, binding)
    return list(found.values())


def key_display(app: App[object], binding: Binding, keymap: Mapping[str, str]) -> str:
    """The key shown for `binding` now: the remapped one when `keymap` has its id."""
    keys = keymap.get(binding.id or "", binding.key)
    return app.get_key_display(replace(binding, key=keys.split(",")[0].strip()))


def all_keys_display(app: App[object], binding: Binding, keymap: Mapping[str, str]) -> str:
    """Every key bound to `binding` now, as shown ("alt+↑ / K"), for the help screen."""
    keys = keymap.get(binding.id or "", binding.key)
    shown = [app.get_key_display(replace(binding, key=key.strip())) for key in keys.split(",")]
    return " / ".join(key for key in shown if key)


def live_keymap(app: App[object]) -> Mapping[str, str]:
    """The remapping the app applies to its bindings right now (Textual's own, so a hint
    can never disagree with what the key does)."""
    return getattr(app, "_keymap", {})


def key_for_id(app: App[object], node_type: type[DOMNode], binding_id: str) -> str:
    """The key shown for binding `binding_id` of `node_type`, as the app has it remapped."""
    for binding in class_bindings([node_type]):
        if binding.id == binding_id:
            return key_display(app, binding, live_keymap(app))
    return binding_id


def key_for_action(
    app: App[object], node_type: type[DOMNode], action: str, keymap: Mapping[str, str]
) -> str:
    """The key shown for `action` among `node_type`'s bindings (the action's name if none)."""
    for binding in class_bindings([node_type]):
        if binding.action == action:
            return key_display(app, binding, keymap)
    return action
