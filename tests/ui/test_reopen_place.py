"""Pilot tests: the workspace reopens where it was left — document, section, cursor, scroll —
per database, falling back sensibly when the section is gone or the state file is damaged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import make_settings
from tests.ui.conftest import SIZE, fixed_clock, seed_document, wait_for, wait_ready
from vicechat_tui.app import VicechatApp, make_app
from vicechat_tui.core import locations
from vicechat_tui.core.runtime import VicechatCore

LINES = "\n".join(f"line {n} of a long section" for n in range(120))


async def seed(store: VicechatCore) -> tuple[int, int, int]:
    document_id, (first, second) = await seed_document(store, "Book", ["Intro", "Body"])
    await store.sections.save_content(second, LINES, based_on_version=1)
    return document_id, first, second


async def leave_in_the_middle_of(build_app: Callable[..., VicechatApp], section_id: int) -> None:
    """Open the second section, go down 80 lines and 5 columns in, quit with ctrl+q."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == section_id, what="Body")
        await pilot.press("f6")
        await pilot.press(*["down"] * 80, *["right"] * 5)
        assert screen.editor.text_area.cursor_location == (80, 5)
        assert screen.editor.text_area.scroll_y > 0
        await pilot.press("ctrl+q")


async def test_it_reopens_the_section_with_its_cursor_and_scroll(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, _, second = await seed(store)
    await leave_in_the_middle_of(build_app, second)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        editor = screen.editor
        await wait_for(pilot, lambda: editor.section_id == second, what="the section left")
        await wait_for(pilot, lambda: editor.text_area.cursor_location == (80, 5), what="cursor")
        await wait_for(pilot, lambda: editor.text_area.scroll_y > 40, what="the scroll")
        cursor_row = editor.text_area.cursor_screen_offset.y - editor.text_area.region.y
        assert 0 <= cursor_row < editor.text_area.size.height  # the cursor is in view
        item = screen.document_tree.selected_item
        assert item is not None and item.section_id == second


async def test_a_deleted_section_falls_back_to_its_document(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, _, second = await seed(store)
    await leave_in_the_middle_of(build_app, second)
    await store.sections.delete(second)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        item = screen.document_tree.selected_item
        assert item is not None and (item.kind, item.document_id) == ("document", document_id)
        assert screen.editor.section_id is None
        assert len(app.screen_stack) == 1  # no error dialog


async def test_another_database_and_a_damaged_state_file_start_at_the_top(
    build_app: Callable[..., VicechatApp], store: VicechatCore, tmp_path: Path
) -> None:
    _, _, second = await seed(store)
    await leave_in_the_middle_of(build_app, second)

    other = make_app(
        make_settings(ui={"autosave_seconds": 0.2}),
        database_url=f"sqlite:///{tmp_path / 'other.db'}",
        clock=fixed_clock,
    )
    async with other.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        assert screen.editor.section_id is None  # nothing remembered for this database

    locations.ui_state_file().write_text('{"places": {"x": [1, 2', encoding="utf-8")
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        assert screen.editor.section_id is None
        assert len(app.screen_stack) == 1
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id is not None, what="a section")
