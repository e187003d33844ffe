"""Where vicechat keeps its files; the one module that knows the paths."""

from __future__ import annotations

import os
from pathlib import Path

from vicechat_tui.core.files import user_path

APP_NAME = "vicechat"


def config_file() -> Path:
    """The TOML config file: `VICECHAT_CONFIG` if set, else the platform config dir."""
    override = os.environ.get("VICECHAT_CONFIG")
    if override:
        return user_path(override)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME) / "config.toml"


def data_dir() -> Path:
    override = os.environ.get("VICECHAT_DATA_DIR")
    if override:
        return user_path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME)


def default_database_path() -> Path:
    return data_dir() / "vicechat.db"


def default_database_url() -> str:
    return f"sqlite:///{default_database_path()}"


def resolve_database_url(explicit: str | None) -> str:
    """The URL to use: `--db`/settings if given, else the default SQLite file."""
    url = explicit or default_database_url()
    if "://" not in url:  # a bare path is taken as a SQLite file
        url = f"sqlite:///{user_path(url).resolve()}"
    return url


def ui_state_file() -> Path:
    """Small UI state remembered between runs (the chosen theme)."""
    return data_dir() / "ui-state.json"
