"""Fixtures for UI tests: a real app on a fresh SQLite file, a fixed clock, seeding helpers.

Build an app with `build_app()` (same factory as the CLI), run it with
`async with app.run_test(size=SIZE) as pilot`, then `await wait_ready(pilot)` before pressing
keys: it waits (without blind sleeps) until the core is open and the tree's first page shows.
Seed data before starting the app through the `store` fixture: a second core on the same
database file, the same way another process would change it.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen

from tests.conftest import make_settings
from vicechat_tui.app import VicechatApp, make_app
from vicechat_tui.core.runtime import VicechatCore, open_core

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from vicechat_tui.screens.new_item import NewItemScreen
    from vicechat_tui.screens.workspace import WorkspaceScreen

SIZE = (100, 32)

LOCAL_PROVIDER: dict[str, Any] = {
    "providers": {
        "local": {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "default_model": "m"}
    },
    "default_provider": "local",
}
"""A provider (never called) so the chat shows no "no provider" notice (whose config path
differs from run to run, which a snapshot must not show)."""
SMALL = (80, 24)
FIXED_NOW = datetime(2025, 3, 14, 9, 26, tzinfo=UTC)
"""What the app's clock says in every UI test (ages shown as "3 min ago" depend on it)."""
LONG_RUNNING_GROUPS = frozenset({"job-feed", "chat-follow", "jobs-screen"})
"""Worker groups that run for the app's lifetime; `settle` does not wait for them."""
DIALOG_GROUPS = frozenset({"tree-edit", "save", "chat", "knowledge-ask", "assistants"})
"""Worker groups that await a dialog; `settle` skips them while a dialog is open."""


THEMES = ("textual-dark", "textual-light")
"""Every snapshot is taken in each of these themes (see the `theme` fixture)."""


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture(params=THEMES)
def theme(request: pytest.FixtureRequest) -> str:
    """The theme a snapshot test builds its app in (`build_app(ui={"theme": theme})`): a test
    taking it runs once per theme, its snapshots named `…[textual-dark]` and `…[textual-light]`."""
    param = request.param
    assert isinstance(param, str)
    return param


TestFunction = Callable[..., Any]


def shows(*screens: type[Screen[Any]]) -> Callable[[TestFunction], TestFunction]:
    """Mark a snapshot test with the screens its picture shows (the top one and any under it).

    `tests/ui/test_snapshot_coverage.py` reads these marks: every screen and modal of the app
    needs a snapshot in both themes. `snap_compare` checks the mark against the live app.
    """

    def mark(test: TestFunction) -> TestFunction:
        test.shown_screens = screens  # type: ignore[attr-defined]
        return test

    return mark


RunBefore = Callable[[Any], Awaitable[None] | None]


@pytest.fixture
def snap_compare(snap_compare: Any, request: pytest.FixtureRequest) -> Callable[..., bool]:
    """The plugin's `snap_compare`, checking before the picture is taken that the app is in
    the test's theme and that the top screen is one the test says (`@shows`) it shows.

    A snapshot test that takes no `theme` or names no screen fails here, so a new one cannot
    leave the light theme out or escape the coverage test.
    """
    screens: tuple[type[Screen[Any]], ...] = getattr(request.function, "shown_screens", ())
    assert screens, f"{request.function.__name__} needs @shows(TheScreen, ...)"
    assert "theme" in request.fixturenames, f"{request.function.__name__} takes no `theme`"
    theme = request.getfixturevalue("theme")

    def compare(app: Any, *, run_before: RunBefore | None = None, **options: Any) -> bool:
        async def run_then_check(pilot: Pilot[Any]) -> None:
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            assert pilot.app.theme == theme, f"the app is in {pilot.app.theme}, not {theme}"
            top = type(pilot.app.screen)
            assert top in screens, f"{top.__name__} is on top, not one of {screens}"

        return bool(snap_compare(app, run_before=run_then_check, **options))

    return compare


@pytest.fixture
def ui_database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'v.db'}"


@pytest.fixture
def build_app(ui_database_url: str) -> Callable[..., VicechatApp]:
    """`build_app(**settings)`: the app on the test database, with a short autosave pause."""

    def build(**values: Any) -> VicechatApp:
        ui = dict(values.pop("ui", {}))
        ui.setdefault("autosave_seconds", 0.2)
        settings = make_settings(ui=ui, **values)
        return make_app(settings, database_url=ui_database_url, clock=fixed_clock)

    return build


@pytest.fixture
async def store(ui_database_url: str) -> AsyncIterator[VicechatCore]:
    """A core of its own on the test database, for seeding and for checking what was saved."""
    core = await open_core(make_settings(), database_url=ui_database_url)
    yield core
    await core.aclose()


async def wait_for(
    pilot: Pilot[Any], predicate: Callable[[], object], *, timeout: float = 5.0, what: str = ""
) -> None:
    """Let the app run until `predicate()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for every short-lived worker (saves, loads) to finish, then for the screen."""
    app = pilot.app
    for _ in range(50):
        skip = LONG_RUNNING_GROUPS
        if isinstance(app.screen, ModalScreen):
            skip = skip | DIALOG_GROUPS
        busy = [
            worker for worker in app.workers if worker.group not in skip and not worker.is_finished
        ]
        if not busy:
            break
        await asyncio.wait_for(app.workers.wait_for_complete(busy), timeout=10)
        await pilot.pause()
    await pilot.pause()


def workspace(app: VicechatApp) -> WorkspaceScreen:
    from vicechat_tui.screens.workspace import WorkspaceScreen

    for screen in app.screen_stack:
        if isinstance(screen, WorkspaceScreen):
            return screen
    raise AssertionError("the workspace screen is not open")


async def wait_ready(pilot: Pilot[Any]) -> WorkspaceScreen:
    """Wait until the core is open and the document tree shows its first page.

    On a database that is ready the tree's first page comes from a preview and the core
    opens on the first key; this asks for it as the first key would.
    """
    app = pilot.app
    assert isinstance(app, VicechatApp)
    screen = workspace(app)

    def tree_loaded() -> bool:
        try:
            return screen.document_tree.loaded
        except NoMatches:  # not composed yet
            return False

    await wait_for(pilot, tree_loaded, what="the tree to load")
    if app.workbench.request_core is not None:
        app.workbench.request_core()
    await wait_for(pilot, lambda: app.core is not None, what="the core to open")
    await wait_for(pilot, lambda: screen.document_tree.loaded, what="the tree to load")
    await settle(pilot)
    return screen


async def seed_document(
    core: VicechatCore, title: str, sections: list[str] | None = None
) -> tuple[int, list[int]]:
    """Create a document with top-level sections; returns (document id, section ids)."""
    document = await core.documents.create(title)
    assert document.id is not None
    ids: list[int] = []
    for section_title in sections or []:
        section = await core.sections.create(document.id, section_title)
        assert section.id is not None
        ids.append(section.id)
    return document.id, ids


KEY_NAMES = {" ": "space", "\n": "enter", ">": "greater_than_sign", "<": "less_than_sign"}


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type `text` key by key, as a person would."""
    await pilot.press(*(KEY_NAMES.get(char, char) for char in text))


TERMINAL_BYTES = {"alt+a": "\x1ba", "alt+e": "\x1be", "alt+c": "\x1bc", "alt+r": "\x1br"}
"""What a terminal writes for a key (xterm: alt+letter is ESC and the letter)."""


async def press_in_terminal(pilot: Pilot[Any], *keys: str) -> None:
    """Press `keys` as a terminal sends them, read by Textual's own terminal parser.

    `pilot.press("alt+e")` makes a key without a character, but from a terminal alt+e
    arrives as ESC e: the key "alt+e" carrying the printable "e", which a text field types
    unless the app stops it. Tests of alt keys over text fields press them this way.
    """
    from textual._xterm_parser import XTermParser

    for key in keys:
        parser = XTermParser()
        for event in [*parser.feed(TERMINAL_BYTES[key]), *parser.feed("")]:
            pilot.app.post_message(event)
        await pilot.pause()


async def open_new_document_dialog(pilot: Pilot[Any]) -> NewItemScreen:
    """From a ready workspace, press ctrl+n and return the title dialog it opens."""
    from vicechat_tui.screens.new_item import NewItemScreen

    app = pilot.app
    await wait_ready(pilot)
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: isinstance(app.screen, NewItemScreen), what="the dialog")
    dialog = app.screen
    assert isinstance(dialog, NewItemScreen)
    return dialog


async def run_palette(pilot: Pilot[Any], command: str) -> None:
    """Run a command of the palette with keys: ctrl+p, its words, then enter on the first hit."""
    from textual.command import CommandList, CommandPalette

    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    await type_text(pilot, command)
    await wait_for(pilot, lambda: app.screen.query_one(CommandList).option_count, what="hits")
    await pilot.press("enter")
