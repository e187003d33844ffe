"""Reading the config file's TOML: one function for the settings and the first screen.

The app's first screen parses the file with `tomllib` alone (pydantic is too heavy to wait
for); a file that is not TOML, or cannot be read, is reported there, in the same words the
full settings use (`settings.load_settings`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from vicechat_tui.core.errors import SettingsError


def read_config_file(path: Path) -> dict[str, Any] | None:
    """The file's TOML as a table; None when there is no file; SettingsError when it cannot
    be read or is not valid TOML."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot be read: {error}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML: {error}") from None
