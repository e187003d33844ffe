"""Typing in a long section: the per-key work that grows with the text is deferred to a pause.

The speed itself is measured in `benchmarks/bench_long_section.py`; these tests check that
the text area is the fast one (the Textual internals it relies on are still there), that the
colours and the word count catch up after the pause, and that what is typed is stored.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.ui.conftest import SIZE, seed_document, type_text, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.widgets.editor_text_area import (
    LONG_TEXT_LINES,
    LazyParseDocument,
    QuickHeight,
)

LINE = "plain words in a long section of prose."


def long_text(lines: int) -> str:
    return "\n".join([LINE] * lines)


def heading_on(highlights: dict[int, list[tuple[int, int | None, str]]], row: int) -> bool:
    return any(name.startswith("heading") for _, _, name in highlights.get(row, []))


async def test_a_long_section_catches_up_after_a_pause_and_is_saved(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (section_id,) = await seed_document(store, "Book", ["Long"])
    lines = LONG_TEXT_LINES + 100
    section = await store.sections.get(section_id)
    await store.sections.save_content(
        section_id, long_text(lines), based_on_version=section.version
    )
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")
        editor = screen.editor
        await wait_for(pilot, lambda: editor.section_id == section_id, what="the section")
        text_area = editor.text_area
        assert isinstance(text_area.document, LazyParseDocument)
        assert isinstance(text_area.wrapped_document, QuickHeight)
        wrapped = text_area.wrapped_document
        assert wrapped.height == sum(len(offsets) + 1 for offsets in wrapped._wrap_offsets)
        words = editor.word_count
        assert words == lines * len(LINE.split())

        await pilot.press("f6")
        assert text_area.has_focus
        await pilot.press("ctrl+end", "enter", "enter")
        await type_text(pilot, "# Ending")
        highlights = text_area._highlights
        assert not heading_on(highlights, lines + 1)  # not yet: the typing goes on
        assert editor.word_count == words
        await wait_for(pilot, lambda: heading_on(text_area._highlights, lines + 1), what="colour")
        await wait_for(pilot, lambda: editor.word_count == words + 2, what="the word count")
        await wait_for(pilot, lambda: not editor.dirty, what="the autosave")
        stored = await store.sections.get(section_id)
        assert stored.content == long_text(lines) + "\n\n# Ending"
        assert wrapped.height == sum(len(offsets) + 1 for offsets in wrapped._wrap_offsets)


async def test_a_short_section_keeps_its_colours_live(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (section_id,) = await seed_document(store, "Notes", ["Short"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == section_id)
        await pilot.press("f6")
        await type_text(pilot, "# Title")
        assert heading_on(screen.editor.text_area._highlights, 0)
        assert screen.editor.word_count == 2
