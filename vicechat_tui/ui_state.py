"""Small UI state remembered between runs (the chosen theme), kept in a JSON file."""

from __future__ import annotations

import json
import os
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
