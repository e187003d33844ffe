"""Start-up: the tree's first page comes before the core; keys on it still do what they say.

On a SQLite file that is ready, the app shows the tree from `core.tree_preview` — and the
section remembered for it, at its cursor and scroll (`core.place_preview`) — and opens the
core only when the person acts. A key that needs the core waits for it (it never says "try
again"); typing into the previewed section is kept (its save waits for the core); the quit
key leaves without opening it; a config file that is not TOML is said with the first frame.
With no file yet the core opens at once (it has to create the schema).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import (
    SIZE,
    fixed_clock,
    seed_document,
    settle,
    type_text,
    wait_for,
    workspace,
)
from vicechat_tui.app import VicechatApp, make_app
from vicechat_tui.core import runtime
from vicechat_tui.core.locations import resolve_database_url
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.error import ErrorScreen
from vicechat_tui.screens.new_item import NewItemScreen
from vicechat_tui.ui_state import Place, place_key, remember_place

LINES = "\n".join(f"line {n} of a long section" for n in range(120))


async def test_the_tree_shows_before_the_core_and_a_key_that_needs_it_waits(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, _ = await seed_document(store, "Field notes", ["Moon"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = workspace(app)
        await wait_for(pilot, lambda: screen.document_tree.loaded, what="the preview")
        await pilot.pause(0.3)
        assert app.core is None  # nothing asked for it yet
        titles = [node.data.title for node in screen.document_tree.root.children if node.data]
        assert titles == ["Field notes"]
        assert "you: alice" in str(screen.document_tree.border_title)

        await pilot.press("n")  # a new section: needs the core, which is not open
        await wait_for(pilot, lambda: isinstance(app.screen, NewItemScreen), what="the dialog")
        await type_text(pilot, "Tides")
        await pilot.press("enter")
        await settle(pilot)
        assert app.core is not None
        titles = [section.title for section in await store.sections.children(document_id)]
        assert titles == ["Moon", "Tides"]
        assert screen.document_tree.find_section(2) is not None  # shown, and selected
        assert "Tides" in str(screen.editor.title_bar.render())


async def test_without_a_database_file_the_core_opens_at_once(
    build_app: Callable[..., VicechatApp],
) -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.core is not None, what="the core, with no key")
        screen = workspace(app)
        await wait_for(pilot, lambda: screen.document_tree.loaded, what="the tree")
        assert screen.document_tree.document_total == 0


async def remember_body(store: VicechatCore, database_url: str) -> tuple[int, int]:
    """A book whose second section is long; the place left there: line 80, column 5."""
    document_id, (_, body) = await seed_document(store, "Book", ["Intro", "Body"])
    await store.sections.save_content(body, LINES, based_on_version=1)
    key = place_key(resolve_database_url(database_url), "alice")
    remember_place(key, Place(document_id, body, (80, 5), (0, 60)))
    return document_id, body


@pytest.fixture
def slow_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """The core takes half a second to open (as the first import of SQLAlchemy does in a
    fresh process; this test process has it imported already)."""
    opening = runtime.open_core

    async def open_slowly(*args: Any, **options: Any) -> VicechatCore:
        await asyncio.sleep(0.5)
        return await opening(*args, **options)

    monkeypatch.setattr(runtime, "open_core", open_slowly)


async def left_with_xy_saved(app: VicechatApp, store: VicechatCore, section_id: int) -> None:
    """The app quit normally, and "XY" typed at line 80, column 5 is stored."""
    assert app.return_code == 0
    stored = await store.sections.get(section_id)
    assert stored.content.splitlines()[80] == "line XY80 of a long section"


@pytest.mark.usefixtures("slow_core")
async def test_a_remembered_section_shows_before_the_core_and_typing_at_once_is_kept(
    build_app: Callable[..., VicechatApp], store: VicechatCore, ui_database_url: str
) -> None:
    _, body = await remember_body(store, ui_database_url)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = workspace(app)
        editor = screen.editor
        await wait_for(pilot, lambda: editor.section_id == body, what="the section left")
        assert not app.startup.core_requested  # read with the preview
        assert editor.text_area.cursor_location == (80, 5)
        await wait_for(pilot, lambda: editor.text_area.scroll_y > 40, what="the scroll")
        item = screen.document_tree.selected_item
        assert item is not None and item.section_id == body
        assert "Body" in str(editor.title_bar.render())
        await wait_for(pilot, lambda: not app.startup.holding_keys, what="the start's end")

        # at once: to the editor, two letters (the core starts opening), quit
        await pilot.press("f6", "X", "Y")
        assert app.core is None and app.startup.core_requested
        assert editor.text_area.document.get_line(80) == "line XY80 of a long section"
        await pilot.press("ctrl+q")  # the save waits for the core
    await left_with_xy_saved(app, store, body)


@pytest.mark.usefixtures("slow_core")
async def test_keys_typed_the_moment_the_app_starts_are_kept(
    build_app: Callable[..., VicechatApp], store: VicechatCore, ui_database_url: str
) -> None:
    _, body = await remember_body(store, ui_database_url)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        # no wait for anything: the app holds the keys until the section shows
        await pilot.press("f6", "X", "Y", "ctrl+q")
        for _ in range(200):  # the held keys are replayed once the section shows
            if app.return_code is not None:
                break
            await asyncio.sleep(0.05)
    await left_with_xy_saved(app, store, body)


async def test_the_chat_of_the_previewed_section_fills_when_the_core_opens(
    build_app: Callable[..., VicechatApp], store: VicechatCore, ui_database_url: str
) -> None:
    document_id, body = await remember_body(store, ui_database_url)
    session = await store.chats.open_session(document_id, body)
    assert session.id is not None
    await store.chats.add_message(session.id, "user", "What rhymes with moon?")
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = workspace(app)
        await wait_for(pilot, lambda: screen.editor.section_id == body, what="the section")
        assert screen.chat_pane.session_id is None and app.core is None
        await pilot.press("f6")  # a key: the core opens, the chat fills
        await wait_for(pilot, lambda: screen.chat_pane.session_id == session.id, what="chat")
        await settle(pilot)
        assert [v.content for v in screen.chat_pane.chat_log.views()] == ["What rhymes with moon?"]
        assert screen.editor.section_id == body and len(app.screen_stack) == 1


@pytest.mark.parametrize("keys", [{}, {"app.quit": "ctrl+w"}])
async def test_quitting_right_after_start_does_not_open_the_core(
    build_app: Callable[..., VicechatApp],
    store: VicechatCore,
    ui_database_url: str,
    keys: dict[str, str],
) -> None:
    await remember_body(store, ui_database_url)
    app = build_app(ui={"keys": keys})
    async with app.run_test(size=SIZE) as pilot:
        screen = workspace(app)
        await wait_for(pilot, lambda: screen.editor.section_id is not None, what="the section")
        await pilot.press(keys.get("app.quit", "ctrl+q"))
        await pilot.pause()
    assert app.return_code == 0
    assert not app.startup.core_requested and app.core is None


async def test_a_config_file_that_is_not_toml_is_said_with_the_first_frame(
    store: VicechatCore, ui_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_document(store, "Field notes", ["Moon"])
    (tmp_path / "config.toml").write_text('[ui\ntheme = "nord"\n', encoding="utf-8")
    monkeypatch.setenv("VICECHAT_USER", "alice")
    app = make_app(None, database_url=ui_database_url, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), what="the error")
        assert isinstance(app.screen, ErrorScreen)
        assert "not valid TOML" in app.screen.message
        assert app.core is None  # said before the core (and pydantic) opened
        await pilot.press("escape")  # a key: the core opens on the defaults, saying it once
        await wait_for(pilot, lambda: app.core is not None, what="the core")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        titles = [n.data.title for n in workspace(app).document_tree.root.children if n.data]
        assert titles == ["Field notes"]
