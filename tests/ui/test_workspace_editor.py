"""Pilot tests for the section editor: versions, restore, edit conflicts, applying replies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import SIZE, seed_document, settle, type_text, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.review import ReviewScreen
from vicechat_tui.screens.versions import VersionsScreen
from vicechat_tui.screens.workspace import WorkspaceScreen
from vicechat_tui.widgets.chat_pane import ChatPane


async def open_first_section(pilot: Pilot[Any], section_id: int) -> WorkspaceScreen:
    screen = await wait_ready(pilot)
    await pilot.press("space", "down")
    await wait_for(pilot, lambda: screen.editor.section_id == section_id)
    await pilot.press("f6")
    assert screen.editor.text_area.has_focus
    return screen


async def test_versions_list_preview_and_restore(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    section = await store.sections.save_content(section_id, "first text", based_on_version=1)
    await store.sections.save_content(section_id, "second text", based_on_version=section.version)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_section(pilot, section_id)
        assert screen.editor.text_area.text == "second text"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, VersionsScreen))
        versions = app.screen
        assert isinstance(versions, VersionsScreen)
        await wait_for(pilot, lambda: versions.version_list.option_count == 3)
        assert versions.preview.text == "second text"
        await pilot.press("down")
        assert versions.preview.text == "first text"
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the review")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, (VersionsScreen, ReviewScreen))
        assert screen.editor.text_area.text == "first text"
        restored = await store.sections.get(section_id)
        assert (restored.content, restored.version) == ("first text", 4)
        assert (await store.sections.versions(section_id))[0].source == "restore"


async def make_conflict(pilot: Pilot[Any], store: VicechatCore, section_id: int) -> None:
    screen = await open_first_section(pilot, section_id)
    await store.sections.save_content(section_id, "theirs", based_on_version=1)
    await type_text(pilot, "mine")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen), what="conflict")
    assert screen.editor.save_state == "conflict"


@pytest.mark.parametrize("choice", ["a", "t", "escape"])
async def test_edit_conflict_offers_each_choice(
    build_app: Callable[..., VicechatApp], store: VicechatCore, choice: str
) -> None:
    _, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await make_conflict(pilot, store, section_id)
        screen = app.screen_stack[0]
        assert isinstance(screen, WorkspaceScreen)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        (conflict,) = review.plan.diff.changes
        assert (conflict.old, conflict.new, conflict.theirs) == ("", "mine", "theirs")
        await pilot.press("ctrl+s")  # refused: the conflict needs a choice first
        await settle(pilot)
        assert app.screen is review
        await pilot.press(choice)
        if choice != "escape":
            await pilot.press("ctrl+s")
        if choice == "a":
            await wait_for(pilot, lambda: screen.editor.save_state == "saved", what="the save")
        elif choice == "t":
            await wait_for(pilot, lambda: screen.editor.text_area.text == "theirs")
        await settle(pilot)
        stored = await store.sections.get(section_id)
        if choice == "a":
            assert (stored.content, stored.version) == ("mine", 3)
            assert screen.editor.save_state == "saved"
            newest = (await store.sections.versions(section_id))[0]
            assert (newest.source, newest.changes_kept, newest.changes_total) == ("merge", 1, 1)
        elif choice == "t":
            assert (stored.content, stored.version) == ("theirs", 2)
            assert screen.editor.text_area.text == "theirs"
            assert not screen.editor.dirty
        else:
            assert stored.content == "theirs"
            assert screen.editor.text_area.text == "mine"  # kept, never dropped
            assert screen.editor.dirty


async def test_applied_reply_is_saved_as_a_version(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_section(pilot, section_id)
        await type_text(pilot, "Start. ")
        screen.chat_pane.post_message(ChatPane.ApplyRequested("Reply text.", "insert"))
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the review")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.editor.text_area.text == "Start. Reply text.")
        await settle(pilot)
        await wait_for(pilot, lambda: screen.editor.save_state == "saved")
        assert (await store.sections.get(section_id)).content == "Start. Reply text."
        sources = [version.source for version in await store.sections.versions(section_id)]
        assert sources[0] == "applied_reply"

        screen.chat_pane.post_message(ChatPane.ApplyRequested("Only this.", "replace"))
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the review")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.editor.text_area.text == "Only this.")
        await settle(pilot)
        await wait_for(pilot, lambda: screen.editor.save_state == "saved")
        assert (await store.sections.get(section_id)).content == "Only this."
