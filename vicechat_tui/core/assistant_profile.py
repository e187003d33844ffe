"""What an assistant is made of: its chat settings, its name rules, the starters, and how a
section's own settings sit on top of it.

An assistant is a named profile of chat settings (`PROFILE_FIELDS`). A section's chat starts
from its assistant's settings — the default assistant's when none is chosen — and the
section's own settings override them field by field: the section stores only the fields in
which it differs from its assistant (`section_overrides`), so changing an assistant changes
every chat that did not set that field itself.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vicechat_tui.core.chat_config import (
    MAX_ASSISTANT_NAME_CHARS,
    ChatConfig,
    validate_chat_config,
)
from vicechat_tui.core.errors import InvalidAssistantError, InvalidConfigError

if TYPE_CHECKING:
    from vicechat_tui.core.models import Assistant

DEFAULT_ASSISTANT = "default"
"""The assistant a section's chat uses when none is chosen; it cannot be deleted."""
PROFILE_FIELDS: tuple[str, ...] = (
    "provider",
    "model",
    "temperature",
    "max_tokens",
    "system_prompt",
    "web_search",
    "search_cycles",
    "knowledge",
)
"""The chat settings an assistant holds (the others come from the section, or the defaults)."""
MAX_DESCRIPTION_CHARS = 500


@dataclass(frozen=True)
class Starter:
    """An assistant everybody gets the first time they use assistants."""

    name: str
    description: str
    settings: Mapping[str, Any] = field(default_factory=dict)


STARTERS: tuple[Starter, ...] = (
    Starter(
        DEFAULT_ASSISTANT,
        "Plain chat settings: what a section's chat uses when no assistant is chosen.",
    ),
    Starter(
        "editor",
        "Tightens prose: shorter sentences, no filler, the meaning and the voice kept.",
        {
            "temperature": 0.3,
            "system_prompt": (
                "You are a careful line editor. When asked to improve text, tighten it: cut "
                "filler and repetition, prefer short sentences and concrete words, keep the "
                "author's meaning, facts, voice and Markdown structure. Reply with the edited "
                "text first; after it, at most three short notes on what you changed and why."
            ),
        },
    ),
    Starter(
        "researcher",
        "Researches the web before answering and cites every claim it takes from a source.",
        {
            "temperature": 0.4,
            "web_search": True,
            "search_cycles": 2,
            "system_prompt": (
                "You are a research assistant. Answer from the sources you are given, cite "
                "them as [n] after each claim that depends on them, say plainly when the "
                "sources disagree or do not answer the question, and never invent a source."
            ),
        },
    ),
    Starter(
        "critic",
        "Reads the section as a demanding reviewer: weak arguments, gaps, unclear claims.",
        {
            "temperature": 0.5,
            "system_prompt": (
                "You are a demanding but fair reviewer. Read the section as its toughest "
                "reader would: point out weak or unsupported arguments, gaps, contradictions, "
                "unclear sentences and missing evidence, most important first, each with a "
                "concrete suggestion. Do not rewrite the whole text."
            ),
        },
    ),
)


def name_problem(name: str) -> str | None:
    """Why `name` cannot name an assistant (None: it can)."""
    if not name.strip():
        return "must not be empty"
    if name != name.strip():
        return "must not start or end with a space"
    if len(name) > MAX_ASSISTANT_NAME_CHARS:
        return f"has at most {MAX_ASSISTANT_NAME_CHARS} characters"
    if any(char != " " and unicodedata.category(char)[0] in "CZ" for char in name):
        return "cannot hold control characters, tabs or line breaks"
    return None


def name_taken_reason(name: str) -> str:
    """What the name field says when the person already has an assistant of that name."""
    return f"you already have an assistant named {name!r}"


def default_profile() -> dict[str, Any]:
    """The chat defaults for every field an assistant holds."""
    return ChatConfig().model_dump(mode="json", include=set(PROFILE_FIELDS))


def profile_values(assistant: Assistant) -> dict[str, Any]:
    """The assistant's chat settings, by field (`knowledge` as a list of names)."""
    return {name: getattr(assistant, name) for name in PROFILE_FIELDS}


def base_config(assistant: Assistant | None) -> ChatConfig:
    """The chat settings a section starts from with `assistant` (None: the plain defaults)."""
    if assistant is None:
        return ChatConfig()
    values = {**profile_values(assistant), "assistant": assistant.name}
    try:
        return ChatConfig.model_validate(values)
    except ValueError:  # a row written by hand past the checks: its name, the defaults
        return ChatConfig(assistant=assistant.name)


def stored_overrides(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A section's stored settings that are still valid (keys a later version dropped, or
    values that no longer pass, are left out rather than fatal)."""
    known = {key: value for key, value in raw.items() if key in ChatConfig.model_fields}
    try:
        validate_chat_config(known)
    except InvalidConfigError as error:
        known = {key: value for key, value in known.items() if key not in error.field_errors}
    return known


def section_overrides(effective: ChatConfig, base: ChatConfig) -> dict[str, Any]:
    """What a section stores: the fields where it differs from its assistant's settings,
    and the assistant's name unless it is the default one."""
    mine = effective.model_dump(mode="json")
    theirs = base.model_dump(mode="json")
    changed = {
        name: value for name, value in mine.items() if name != "assistant" and value != theirs[name]
    }
    if effective.assistant not in (None, DEFAULT_ASSISTANT):
        changed["assistant"] = effective.assistant
    return changed


def validate_profile(
    values: Mapping[str, Any],
    *,
    known_providers: Iterable[str] | None = None,
    known_collections: Iterable[str] | None = None,
    taken_names: Iterable[str] = (),
) -> dict[str, Any]:
    """An assistant's name, description and settings, checked; InvalidAssistantError
    naming every bad field (the settings by the same rules as a chat's, the name also
    against the person's other assistants, `taken_names`)."""
    errors: dict[str, str] = {}
    unknown = set(values) - {"name", "description", *PROFILE_FIELDS}
    errors.update(dict.fromkeys(sorted(unknown), "unknown setting"))
    name = values.get("name")
    if not isinstance(name, str):
        errors["name"] = "must be text"
    elif (problem := name_problem(name)) is not None:
        errors["name"] = problem
    elif name in set(taken_names):
        errors["name"] = name_taken_reason(name)
    description = values.get("description", "")
    if not isinstance(description, str):
        errors["description"] = "must be text"
    elif len(description) > MAX_DESCRIPTION_CHARS:
        errors["description"] = f"has at most {MAX_DESCRIPTION_CHARS} characters"
    settings = {key: values[key] for key in PROFILE_FIELDS if key in values}
    config = None
    try:
        config = validate_chat_config(
            settings, known_providers=known_providers, known_collections=known_collections
        )
    except InvalidConfigError as error:
        errors.update(error.field_errors)
    if errors or config is None:
        raise InvalidAssistantError(errors)
    return {
        "name": name,
        "description": description,
        **config.model_dump(mode="json", include=set(settings)),
    }
