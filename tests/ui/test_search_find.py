"""Find and replace in the section editor, with real keys: ctrl+f, typing, enter, F3,
shift+F3, replace one, replace all (one undo step), escape; replacements are saved."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets.text_area import Selection

from tests.ui.conftest import (
    SIZE,
    press_in_terminal,
    seed_document,
    settle,
    type_text,
    wait_for,
    wait_ready,
)
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.workspace import WorkspaceScreen
from vicechat_tui.widgets.find_bar import FindBar, find_all, index_of, location_of, step

TEXT = "The cat sat.\nA Cat napped.\nCATALOGUE of cats.\n"


def test_matching_helpers() -> None:
    assert find_all(TEXT, "cat") == [(4, 7), (15, 18), (27, 30), (40, 43)]
    assert find_all(TEXT, "") == [] and find_all("a.b", ".") == [(1, 2)]
    matches = find_all(TEXT, "cat")
    assert step(matches, 8, forward=True) == (15, 18)
    assert step(matches, 43, forward=True) == (4, 7)  # wraps around
    assert step(matches, 15, forward=False) == (4, 7)
    assert step(matches, 2, forward=False) == (40, 43)
    assert location_of(TEXT, 15) == (1, 2) and index_of(TEXT, (1, 2)) == 15
    assert location_of("a\r\nb", 3) == (1, 0) and index_of("a\r\nb", (1, 0)) == 3


async def open_section(pilot: Pilot[Any], section_id: int) -> WorkspaceScreen:
    screen = await wait_ready(pilot)
    await pilot.press("space", "down")
    await wait_for(
        pilot, lambda: screen.editor.section_id == section_id, timeout=20, what="the section"
    )
    await pilot.press("f6")
    assert screen.editor.text_area.has_focus
    return screen


async def test_find_next_previous_and_replace(build_app: Any, store: VicechatCore) -> None:
    document_id, (section_id,) = await seed_document(store, "Pets", ["Cats"])
    await store.sections.save_content(section_id, TEXT, based_on_version=1)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_section(pilot, section_id)
        editor, text_area = screen.editor, screen.editor.text_area
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: editor.query(FindBar), what="the find bar")
        bar = editor.query_one(FindBar)
        await wait_for(pilot, lambda: app.focused is bar.find_input)
        await type_text(pilot, "cat")
        await pilot.pause()
        assert bar.find_input.content_region.height == 1, "what is typed shows"
        assert text_area.selection == ((0, 4), (0, 7))
        assert str(bar.query_one("#find-count").render()) == "1 of 4"
        await pilot.press("enter")
        assert text_area.selection == ((1, 2), (1, 5))
        await pilot.press("f3")
        assert text_area.selection == ((2, 0), (2, 3))
        await pilot.press("shift+f3")
        assert text_area.selection == ((1, 2), (1, 5))
        await pilot.press("tab")  # to Replace
        await type_text(pilot, "dog")
        assert bar.replace_input.content_region.height == 1
        await pilot.press("enter")  # replaces the selected "Cat", goes to the next
        assert text_area.text.splitlines()[1] == "A dog napped."
        assert text_area.selection == ((2, 0), (2, 3))
        assert str(bar.query_one("#find-count").render()) == "2 of 3"
        await press_in_terminal(pilot, "alt+a")  # typed nothing into the field
        assert text_area.text == "The dog sat.\nA dog napped.\ndogALOGUE of dogs.\n"
        await pilot.press("escape")
        assert bar.has_class("-hidden") and app.focused is text_area
        text_area.undo()  # replace all was one step
        assert text_area.text == "The cat sat.\nA dog napped.\nCATALOGUE of cats.\n"
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = await store.sections.get(section_id)
    assert saved.content == "The cat sat.\nA dog napped.\nCATALOGUE of cats.\n"
    assert document_id


async def test_find_needs_a_section_and_starts_from_the_selection(
    build_app: Any, store: VicechatCore
) -> None:
    _, (section_id,) = await seed_document(store, "Pets", ["Cats"])
    await store.sections.save_content(section_id, TEXT, based_on_version=1)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        editor = screen.editor
        assert editor.check_action("find", ()) is False  # no section shown yet
        await open_section(pilot, section_id)
        text_area = editor.text_area
        text_area.selection = Selection((2, 13), (2, 17))  # "cats"
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: editor.query(FindBar))
        bar = editor.query_one(FindBar)
        await wait_for(pilot, lambda: bar.find_input.value == "cats")
        await pilot.press("f3")
        assert text_area.selection == ((2, 13), (2, 17))  # the only "cats": wraps to itself
        bar.find_input.value = "zebra"
        await pilot.pause()
        assert str(bar.query_one("#find-count").render()) == "not found"
        assert bar.has_class("-none")
