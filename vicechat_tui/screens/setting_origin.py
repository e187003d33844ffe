"""Where each of a section's chat settings comes from: its assistant, or the section itself.

A section stores only the fields in which it differs from its assistant
(`core/assistant_profile.py::section_overrides`), so a field the form shows with a value other
than the assistant's is the section's own, and putting the assistant's value back drops it.
The chat settings form marks such fields with a line saying so (`origin_text`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vicechat_tui.core.chat_config import ChatConfig

PREVIEW_CHARS = 24
"""How much of the assistant's system prompt the line under an own field quotes."""


def own_fields(shown: Mapping[str, Any], base: ChatConfig, names: Iterable[str]) -> set[str]:
    """The fields among `names` whose shown value differs from the assistant's (`base`)."""
    return {name for name in names if name in shown and shown[name] != getattr(base, name)}


def setting_text(name: str, value: Any, default_provider: str | None) -> str:
    """A setting's value in a few words (a system prompt by its start)."""
    if name == "provider":
        return value or f"the default ({default_provider or 'none'})"
    if name == "model":
        return value or "the provider's default"
    if isinstance(value, bool):
        return "on" if value else "off"
    if name == "system_prompt":
        first = " ".join(str(value).split())
        if not first:
            return "none"
        if len(first) > PREVIEW_CHARS:
            first = first[:PREVIEW_CHARS].rstrip() + "…"
        return f"“{first}”"
    return str(value)


def origin_text(assistant: str, value: str, key: str) -> str:
    """The line under a field the section set itself: what its assistant has, and the key
    that puts it back."""
    return f"this section's own · {assistant}: {value} — {key} puts it back"


def legend_text(assistant: str, key: str) -> str:
    """The line under the form's title: where the settings come from."""
    return (
        f"Settings follow the assistant {assistant}, except the fields marked as this "
        f"section's own ({key} on one puts {assistant}'s value back)."
    )
