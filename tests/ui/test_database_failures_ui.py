"""The TUI on a database that cannot be used: it says why in words and stays usable.

Real SQLite files: one of random bytes, one made read-only (as root, `chattr +i`: root ignores
file modes), one locked by another connection holding an exclusive transaction.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static

import vicechat_tui.core.database as database_module
from tests.conftest import make_settings
from tests.test_database_failures import LEAKS, read_only
from tests.ui.conftest import (
    SIZE,
    fixed_clock,
    seed_document,
    settle,
    type_text,
    wait_for,
    wait_ready,
    workspace,
)
from vicechat_tui.app import VicechatApp, make_app
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.error import ErrorScreen
from vicechat_tui.screens.workspace import WorkspaceScreen


def shown_text(widget: Static) -> str:
    return str(widget.render())


def chat_notice(screen: WorkspaceScreen) -> str:
    return shown_text(screen.chat_pane.query_one("#chat-notice", Static))


async def test_a_damaged_database_is_said_in_words_and_the_panes_say_why(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v.db"
    path.write_bytes(random.Random(3).randbytes(32 * 1024))
    app = make_app(make_settings(), database_url=f"sqlite:///{path}", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), what="the dialog")
        dialog = app.screen
        assert isinstance(dialog, ErrorScreen)
        assert dialog.heading == "Database is damaged"
        assert str(path) in dialog.message and "--db" in dialog.message
        assert not any(leak in dialog.message for leak in LEAKS)
        await pilot.press("escape")
        screen = workspace(app)
        await wait_for(pilot, lambda: "loading" not in chat_notice(screen))
        title = shown_text(screen.editor.title_bar)
        assert "No database" in title
        assert len(title) <= screen.editor.title_bar.content_region.width, "cut off"
        notice = chat_notice(screen)
        assert "damaged" in notice and str(path) in notice.replace("\n", "")
        screen.document_tree.focus()
        await pilot.press("down", "up", "home")  # the tree's cursor moving (it did, in CI)
        await pilot.pause()
        assert chat_notice(screen) == notice, "the chat pane stopped saying why"
        assert app.is_running


@pytest.fixture
def quick_lock_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database_module, "SQLITE_BUSY_TIMEOUT_MS", 200)


async def open_section_and_type(
    app: VicechatApp, pilot: object, section_id: int, text: str
) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    screen = await wait_ready(pilot)
    await pilot.press("space", "down")
    await wait_for(pilot, lambda: screen.editor.section_id == section_id, what="the section")
    await pilot.press("f6")
    await type_text(pilot, text)


async def test_a_read_only_database_keeps_the_typing_and_says_so(
    build_app: Callable[..., VicechatApp], store: VicechatCore, ui_database_url: str
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.chats.open_session(document_id, section_id)
    await store.aclose()
    path = Path(ui_database_url.removeprefix("sqlite:///"))
    with read_only(path):
        app = build_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_section_and_type(app, pilot, section_id, "typed words")
            await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), what="dialog")
            dialog = app.screen
            assert isinstance(dialog, ErrorScreen)
            assert dialog.heading == "Database is read-only"
            assert f"The database file {path} is read-only" in dialog.message
            assert not any(leak in dialog.message for leak in LEAKS)
            await pilot.press("escape")
            screen = workspace(app)
            assert screen.editor.text_area.text == "typed words"
            assert screen.editor.save_state == "failed"
            assert "loading" not in chat_notice(screen)


async def test_a_locked_database_fails_a_save_in_words_and_the_next_one_works(
    build_app: Callable[..., VicechatApp],
    store: VicechatCore,
    ui_database_url: str,
    quick_lock_timeout: None,
) -> None:
    _, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    path = Path(ui_database_url.removeprefix("sqlite:///"))
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        other.execute("UPDATE document SET description = 'theirs'")
        try:
            await open_section_and_type(app, pilot, section_id, "first")
            await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), what="dialog")
            dialog = app.screen
            assert isinstance(dialog, ErrorScreen)
            assert dialog.heading == "Database is locked"
            assert "locked by another program" in dialog.message
        finally:
            other.execute("ROLLBACK")
            other.close()
        await pilot.press("escape")
        screen = workspace(app)
        assert screen.editor.save_state == "failed"
        await type_text(pilot, " again")
        await wait_for(pilot, lambda: screen.editor.save_state == "saved", what="the save")
        await settle(pilot)
        assert (await store.sections.get(section_id)).content == "first again"
