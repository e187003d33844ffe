"""Pilot tests for the workspace's main flows, pressing real keys."""

from __future__ import annotations

from collections.abc import Callable

from tests.ui.conftest import (
    SIZE,
    open_new_document_dialog,
    seed_document,
    settle,
    type_text,
    wait_for,
    wait_ready,
)
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.new_item import NewItemScreen


async def test_create_document_and_section_then_type_and_autosave(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewItemScreen))
        await type_text(pilot, "My thesis")
        await pilot.press("enter")
        await settle(pilot)
        documents = await store.documents.list()
        assert [document.title for document in documents] == ["My thesis"]
        assert screen.document_tree.selected_item is not None
        assert screen.document_tree.selected_item.title == "My thesis"

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewItemScreen))
        await type_text(pilot, "Introduction")
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: screen.editor.text_area.has_focus, what="editor focus")
        section_id = screen.editor.section_id
        assert section_id is not None

        await type_text(pilot, "Hello world")
        assert screen.editor.save_state == "unsaved"
        await wait_for(pilot, lambda: screen.editor.save_state == "saved", what="autosave")
        saved = await store.sections.get(section_id)
        assert saved.content == "Hello world"
        assert saved.version >= 2
        assert "2 words" in str(screen.editor.status_bar.render())


async def test_empty_title_shows_a_message_and_escape_cancels(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_new_document_dialog(pilot)
        await type_text(pilot, "   ")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NewItemScreen)
        assert "Give it a name" in str(app.screen.problem.render())
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, NewItemScreen)
        assert await store.documents.count() == 0


async def test_switching_section_saves_the_one_left(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (first, second) = await seed_document(store, "Doc", ["First", "Second"])
    app = build_app(ui={"autosave_seconds": 60})
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")  # expand the document, onto "First"
        await wait_for(pilot, lambda: screen.editor.section_id == first)
        await pilot.press("f6")
        assert screen.editor.text_area.has_focus
        await type_text(pilot, "typed")
        await pilot.press("shift+f6")
        assert screen.document_tree.has_focus
        await pilot.press("down")
        await wait_for(pilot, lambda: screen.editor.section_id == second)
        assert (await store.sections.get(first)).content == "typed"


async def test_quit_saves_what_was_typed(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (first,) = await seed_document(store, "Doc", ["First"])
    app = build_app(ui={"autosave_seconds": 60})
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == first)
        await pilot.press("f6")
        await type_text(pilot, "last words")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.return_code is not None, what="the app to exit")
    assert (await store.sections.get(first)).content == "last words"
