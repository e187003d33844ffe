"""Small UI state: the theme remembered between runs, and a fast preview of `[ui]`.

The preview reads the theme and key remapping straight from the TOML file (tomllib only),
so the first frame does not wait for pydantic to validate the whole configuration; the
full settings are loaded, and any error reported, right after that frame.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vicechat_tui.core import locations


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
    """Store the theme choice; written atomically so a crash never leaves half a file."""
    path = _state_path()
    state = load_ui_state()
    state["theme"] = theme
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # remembering the theme is a nicety; never fail the app over it


@dataclass(frozen=True)
class UiPreview:
    """What the first frame needs from the config file."""

    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)


def read_ui_preview(path: Path | None = None) -> UiPreview:
    """`[ui] theme` and `[ui] keys` from the config file; empty if it is missing or bad."""
    try:
        data = tomllib.loads((path or locations.config_file()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UiPreview()
    ui = data.get("ui")
    if not isinstance(ui, dict):
        return UiPreview()
    theme = ui.get("theme")
    keys = ui.get("keys")
    return UiPreview(
        theme if isinstance(theme, str) else None,
        {str(k): str(v) for k, v in keys.items()} if isinstance(keys, dict) else {},
    )
