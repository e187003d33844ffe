"""Chat messages typed and not sent, kept on disk per (database, person) and section, so
that closing the terminal, a kill or a crash does not lose them (`chat-drafts.json`, beside
the place memory `ui-state.json`, keyed the same way: `ui_state.place_key`).

The file is written whole or not at all (`core.files.replace_file`). A damaged file is moved
aside (`chat-drafts.json.damaged`) and the app starts without it; one that cannot be written
raises `DraftsNotKept`, and the caller says so once and keeps the drafts in memory.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path

from vicechat_tui.core import locations

MAX_DRAFT_CHARS = 200_000
"""A draft longer than this is kept up to here (a chat message is far shorter)."""
MAX_DRAFTS = 200
"""Sections with a draft kept per (database, person): the most recently typed ones."""
MAX_KEYS = 50
"""Databases whose drafts are kept (the oldest is forgotten first)."""


class DraftsNotKept(Exception):
    """The drafts file could not be read or written; the message says why, in plain words."""


def drafts_file() -> Path:
    return locations.ui_state_file().with_name("chat-drafts.json")


def _read_all(path: Path) -> dict[str, object]:
    """Every key's drafts; a missing file is empty; a damaged one is moved aside and raises
    `DraftsNotKept` (after which the file is missing, so the next write starts afresh)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise DraftsNotKept(f"{path} cannot be read ({error.strerror or error})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("drafts"), dict):
        return dict(data["drafts"])
    with contextlib.suppress(OSError):  # left in place: the next write replaces it
        path.replace(path.with_name(path.name + ".damaged"))
    raise DraftsNotKept(f"{path} was damaged; it was moved aside to {path.name}.damaged")


def read_drafts(key: str, path: Path | None = None) -> dict[int, str]:
    """The drafts kept for `key`, by section id (entries not well formed are skipped)."""
    entry = _read_all(path or drafts_file()).get(key)
    if not isinstance(entry, dict):
        return {}
    drafts: dict[int, str] = {}
    for section, text in entry.items():
        if isinstance(section, str) and section.isdigit() and isinstance(text, str) and text:
            drafts[int(section)] = text[:MAX_DRAFT_CHARS]
    return drafts


def write_drafts(key: str, drafts: Mapping[int, str], path: Path | None = None) -> None:
    """Keep `drafts` (section id: text; empty texts are dropped) as `key`'s, bounded."""
    from vicechat_tui.core.errors import VicechatError
    from vicechat_tui.core.files import replace_file

    path = path or drafts_file()
    try:
        every = _read_all(path)
    except DraftsNotKept:
        every = {}  # moved aside: start afresh with what is in memory
    every.pop(key, None)
    kept = [(section, text) for section, text in drafts.items() if text.strip()]
    if kept:
        every[key] = {str(s): text[:MAX_DRAFT_CHARS] for s, text in kept[-MAX_DRAFTS:]}
    data = {"version": 1, "drafts": dict(list(every.items())[-MAX_KEYS:])}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    except (OSError, VicechatError) as error:
        raise DraftsNotKept(str(error)) from None
