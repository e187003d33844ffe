"""Small UI state: the theme and the workspace's place remembered between runs, a fast
preview of `[ui]`, its checks.

The preview reads the theme and key remapping straight from the TOML file (tomllib only),
so the first frame does not wait for pydantic to validate the whole configuration; the
full settings are loaded, and any error reported, right after that frame. A theme, binding
id or key name that cannot be used is not an error (the app starts with its defaults) but is
said: `ui_config_problems` words each one, for the app's start and `vicechat config check`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vicechat_tui.core import locations
from vicechat_tui.core.config_file import read_config_file
from vicechat_tui.core.errors import SettingsError


def _state_path() -> Path:
    return locations.ui_state_file()


def load_ui_state() -> dict[str, Any]:
    """The remembered state; empty when the file is missing or unreadable."""
    try:
        data = json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remembered_theme() -> str | None:
    theme = load_ui_state().get("theme")
    return theme if isinstance(theme, str) and theme else None


def remember_theme(theme: str) -> None:
    """Store the theme choice."""
    _store("theme", theme)


def _store(key: str, value: object) -> None:
    """Set one key of the state file, written whole or not at all (a crash never leaves
    half a file); a file that cannot be written is let be: remembering is a nicety."""
    from vicechat_tui.core.errors import VicechatError
    from vicechat_tui.core.files import replace_file

    path = _state_path()
    state = load_ui_state()
    state[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, json.dumps(state, indent=2).encode("utf-8"))
    except (OSError, VicechatError):
        pass


# -- where the workspace was left, per database ------------------------------------------------

PLACES = "places"
MAX_PLACES = 50
"""Databases whose place is remembered (the oldest is forgotten first)."""


@dataclass(frozen=True)
class Place:
    """Where the workspace was: the document, its section, the editor's cursor and scroll."""

    document_id: int
    section_id: int | None = None
    cursor: tuple[int, int] = (0, 0)
    scroll: tuple[int, int] = (0, 0)


def place_key(database_url: str, user: str) -> str:
    """A name for (database, person) that holds no password: a hash of the two."""
    import hashlib

    return hashlib.sha256(f"{user}\0{database_url}".encode()).hexdigest()[:24]


def _pair(value: object) -> tuple[int, int] | None:
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in value)
    ):
        return value[0], value[1]
    return None


def remembered_place(key: str) -> Place | None:
    """The place stored for `key`; None when there is none or it is not well formed."""
    places = load_ui_state().get(PLACES)
    entry = places.get(key) if isinstance(places, dict) else None
    if not isinstance(entry, dict):
        return None
    document_id, section_id = entry.get("document"), entry.get("section")
    if not isinstance(document_id, int) or isinstance(document_id, bool):
        return None
    if section_id is not None and (not isinstance(section_id, int) or isinstance(section_id, bool)):
        section_id = None
    return Place(
        document_id,
        section_id,
        _pair(entry.get("cursor")) or (0, 0),
        _pair(entry.get("scroll")) or (0, 0),
    )


def remember_place(key: str, place: Place) -> None:
    places = load_ui_state().get(PLACES)
    kept = {k: v for k, v in places.items() if k != key} if isinstance(places, dict) else {}
    kept[key] = {
        "document": place.document_id,
        "section": place.section_id,
        "cursor": list(place.cursor),
        "scroll": list(place.scroll),
    }
    _store(PLACES, dict(list(kept.items())[-MAX_PLACES:]))


@dataclass(frozen=True)
class UiPreview:
    """What the first screen needs from the config file (and the environment)."""

    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    database_url: str | None = None
    """`VICECHAT_DATABASE_URL`, else the file's `database_url` (the settings' order)."""
    user: str | None = None
    """`VICECHAT_USER`, else the file's `user`; None: the OS login."""
    data: dict[str, Any] | None = None
    """The whole parsed file, for the full settings to validate without reading it again
    (None: missing, unreadable or not TOML)."""
    error: SettingsError | None = None
    """Why the file could not be used (unreadable, not TOML): shown with the first frame;
    the app then runs on the defaults. (Whether its values are valid is pydantic's to say,
    when the core opens: too heavy to wait for.)"""

    def current_user(self) -> str:
        """Who one is on SQLite, as `Settings.current_user` says it."""
        from vicechat_tui.core.identity import os_login

        return self.user or os_login()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def read_ui_preview(path: Path | None = None) -> UiPreview:
    """`[ui] theme` and `keys`, `database_url` and `user` from the config file (the last two
    overridden by the environment, as the settings do); defaults if it is missing or bad
    (with the error when it is bad)."""
    database_url = _text(os.environ.get("VICECHAT_DATABASE_URL"))
    user = _text(os.environ.get("VICECHAT_USER"))
    try:
        data = read_config_file(path or locations.config_file())
    except SettingsError as error:
        return UiPreview(database_url=database_url, user=user, error=error)
    if data is None:
        return UiPreview(database_url=database_url, user=user)
    ui = data.get("ui")
    ui = ui if isinstance(ui, dict) else {}
    keys = ui.get("keys")
    return UiPreview(
        _text(ui.get("theme")),
        {str(k): str(v) for k, v in keys.items()} if isinstance(keys, dict) else {},
        database_url or _text(data.get("database_url")),
        user or _text(data.get("user")),
        data,
    )


# -- checking [ui] -----------------------------------------------------------------------------

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
KEY_EXAMPLES = '"ctrl+s", "f5", "alt+up", "escape"'


def key_problem(keys: str) -> str | None:
    """Why `keys` ("ctrl+s", or several: "f5,ctrl+s") cannot be bound; None when it can."""
    from textual.keys import REPLACED_KEYS, Keys, key_to_character

    names = {key.value for key in Keys if not key.value.startswith("<")}
    for key in (part.strip() for part in keys.split(",")):
        if len(key) == 1:
            continue  # any character: "a", "?", "+"
        *modifiers, base = key.split("+")
        unknown = [modifier for modifier in modifiers if modifier not in MODIFIERS]
        if not base or unknown:
            return f'"{key}" is not a key'
        if len(base) == 1 or base in names:
            continue
        if key_to_character(REPLACED_KEYS.get(base, base)) is None:
            return f'"{key}" is not a key'
    return None


def remappable_binding_ids() -> set[str]:
    """Every binding id the config may remap: the app's, its screens' and its widgets'.

    Imports every screen and widget module (~0.3 s): call it off the event loop.
    """
    import importlib
    import inspect
    import pkgutil

    from textual.dom import DOMNode

    from vicechat_tui.widgets.key_hints import class_bindings

    classes: list[type[DOMNode]] = []
    for package_name in ("vicechat_tui.screens", "vicechat_tui.widgets", "vicechat_tui"):
        package = importlib.import_module(package_name)
        names = (
            [f"{package_name}.{info.name}" for info in pkgutil.iter_modules(package.__path__)]
            if package_name != "vicechat_tui"
            else ["vicechat_tui.app"]
        )
        for module_name in names:
            module = importlib.import_module(module_name)
            classes.extend(
                value
                for value in vars(module).values()
                if inspect.isclass(value)
                and issubclass(value, DOMNode)
                and value.__module__ == module_name
            )
    return {binding.id for binding in class_bindings(classes) if binding.id}


def usable_keys(keys: dict[str, str]) -> dict[str, str]:
    """The remapping without entries whose keys cannot be bound (those keep their defaults)."""
    return {binding_id: value for binding_id, value in keys.items() if key_problem(value) is None}


def ui_config_problems(
    theme: str | None,
    keys: dict[str, str],
    *,
    themes: Iterable[str],
    binding_ids: set[str],
    fallback_theme: str,
) -> list[str]:
    """What in `[ui]` is ignored, one sentence each: unknown theme, binding id or key name."""
    import difflib

    problems: list[str] = []
    known_themes = sorted(themes)
    if theme and theme not in known_themes:
        close = difflib.get_close_matches(theme, known_themes, n=1)
        hint = f'did you mean "{close[0]}"?' if close else f"themes: {', '.join(known_themes)}"
        problems.append(
            f'[ui] theme: "{theme}" is not a theme, so "{fallback_theme}" is used ({hint}).'
        )
    for binding_id, value in keys.items():
        if binding_id not in binding_ids:
            close = difflib.get_close_matches(binding_id, sorted(binding_ids), n=1)
            hint = f'did you mean "{close[0]}"? ' if close else ""
            problems.append(
                f'[ui] keys: "{binding_id}" is not a key binding of vicechat, so it is ignored '
                f"({hint}F1 lists them with their ids)."
            )
            continue
        problem = key_problem(value)
        if problem is not None:
            problems.append(
                f'[ui] keys: "{binding_id}" = "{value}": {problem}, so "{binding_id}" keeps '
                f"its default key (keys look like {KEY_EXAMPLES})."
            )
    return problems


async def ui_settings_problems(
    theme: str | None, keys: Mapping[str, str], *, themes: Iterable[str], in_use: str
) -> list[str]:
    """`ui_config_problems` for the running app: the binding ids are gathered off the loop,
    and only when keys are remapped (gathering them imports every screen and widget)."""
    import asyncio

    binding_ids = await asyncio.to_thread(remappable_binding_ids) if keys else set()
    return ui_config_problems(
        theme, dict(keys), themes=themes, binding_ids=binding_ids, fallback_theme=in_use
    )
