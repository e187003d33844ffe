"""The search screen on the real app: F2 and the palette open it, results come while typing,
stale results never replace newer ones, enter jumps to a section with the cursor on the match
or to an old chat message (older pages loaded) highlighted; and a snapshot."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import make_settings, saved_id
from tests.ui.conftest import SIZE, seed_document, settle, shows, type_text, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.services.search import SearchHit, SearchResults
from vicechat_tui.screens.chat_controller import HISTORY_PAGE
from vicechat_tui.screens.search import SearchScreen

OLD_MESSAGES = 2 * HISTORY_PAGE + 30
"""Enough that the oldest message is two pages of history away."""


async def seed(core: VicechatCore) -> dict[str, int]:
    document, (intro, methods) = await seed_document(core, "Thesis", ["Introduction", "Methods"])
    text = "First line.\nSecond line.\nWe measured the albedo of the crater rim twice.\n"
    await core.sections.save_content(methods, text, based_on_version=1)
    session = saved_id(await core.chats.open_session(document, intro))
    oldest = saved_id(
        await core.chats.add_message(session, "user", "Where is the heliostat reading?")
    )
    for number in range(OLD_MESSAGES):
        await core.chats.add_message(session, "assistant", f"Filler reply {number}.")
    return {"document": document, "intro": intro, "methods": methods, "oldest": oldest}


async def open_search(pilot: Pilot[Any]) -> SearchScreen:
    await pilot.press("f2")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SearchScreen), what="search")
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen)
    return screen


async def search_for(pilot: Pilot[Any], text: str) -> SearchScreen:
    screen = await open_search(pilot)
    await type_text(pilot, text)
    await wait_for(
        pilot,
        lambda: screen.shown_generation == screen.wanted_generation and not screen._searching,
        what="the results",
    )
    return screen


def result_lines(screen: SearchScreen) -> list[str]:
    return [
        str(screen.results_list.get_option_at_index(i).prompt).splitlines()[0]
        for i in range(screen.results_list.option_count)
    ]


async def test_typing_shows_ranked_results_with_snippets(
    build_app: Any, store: VicechatCore
) -> None:
    await seed(store)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        screen = await search_for(pilot, "albedo")
        assert result_lines(screen) == ["section  Methods · Thesis"]
        snippet = str(screen.results_list.get_option_at_index(0).prompt).splitlines()[1]
        assert "We measured the albedo of the crater rim twice." in snippet
        assert "1 result" in str(screen.status.render())
        await wait_for(pilot, lambda: "albedo" in str(screen.preview.render()), what="preview")
        await type_text(pilot, " -crater")
        await wait_for(pilot, lambda: screen.shown_generation == screen.wanted_generation)
        await wait_for(pilot, lambda: not screen._searching)
        assert result_lines(screen) == []
        await pilot.press("escape")
        assert not isinstance(app.screen, SearchScreen)


async def test_hostile_and_broken_queries_show_hints(build_app: Any, store: VicechatCore) -> None:
    await seed(store)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        screen = await search_for(pilot, 'status:done NEAR( "albedo')
        typed = screen.wanted_generation
        screen.search_input.value += " \x1b[2J"  # pasted: no key is pressed for it
        await wait_for(
            pilot,
            lambda: (
                screen.shown_generation == screen.wanted_generation > typed
                and not screen._searching
            ),
        )
        status = str(screen.status.render())
        assert "A quote was not closed" in status and "status: takes draft" in status
        assert result_lines(screen) == []


async def test_hostile_titles_and_text_show_as_symbols(build_app: Any, store: VicechatCore) -> None:
    document, (section,) = await seed_document(store, "Doc \x1b]0;pwned\x07", ["Evil \x1b[2J"])
    await store.sections.save_content(section, "albatross \x1b[31m red", based_on_version=1)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        screen = await search_for(pilot, "albatross")
        prompt = str(screen.results_list.get_option_at_index(0).prompt)
        assert "\x1b" not in prompt and "\x07" not in prompt
        assert "Evil ␛[2J · Doc ␛]0;pwned␇" in prompt and "albatross ␛[31m red" in prompt
        await wait_for(pilot, lambda: "albatross" in str(screen.preview.render()))
        assert "\x1b" not in str(screen.preview.render())
        assert document


async def test_stale_results_never_replace_newer_ones(build_app: Any, store: VicechatCore) -> None:
    await seed(store)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        screen = await search_for(pilot, "albedo")
        newer = screen.shown_generation
        stale = await screen.core.search.search("heliostat")
        screen.show_results(newer - 1, stale)  # an older query answering late
        assert result_lines(screen) == ["section  Methods · Thesis"]
        screen.show_results(newer + 1, SearchResults(stale.query, stale.hits))
        assert result_lines(screen) == ["chat · user  Introduction · Thesis"]


async def test_fast_typing_ends_on_the_last_query(build_app: Any, store: VicechatCore) -> None:
    await seed(store)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        screen = await open_search(pilot)
        for text in ("helio", "heliostat", "albedo"):
            screen.search_input.value = text  # as fast as a paste: no pause between
        await wait_for(
            pilot,
            lambda: (
                screen.shown_generation == screen.wanted_generation == 3 and not screen._searching
            ),
        )
        assert result_lines(screen) == ["section  Methods · Thesis"]


async def test_typing_during_a_search_searches_again_for_the_latest_text(
    build_app: Any, store: VicechatCore
) -> None:
    await seed(store)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        screen = await open_search(pilot)
        real_search, gate, asked = screen.core.search.search, asyncio.Event(), []

        async def held_search(text: str, **options: Any) -> SearchResults:
            """The real search, held until the test lets the first one finish."""
            asked.append(text)
            if len(asked) == 1:
                await gate.wait()
            return await real_search(text, **options)

        screen.core.search.search = held_search  # type: ignore[method-assign]
        try:
            screen.search_input.value = "heliostat"
            await wait_for(pilot, lambda: asked == ["heliostat"], what="the first search")
            screen.search_input.value = "albedo"  # typed while the first search runs
            await wait_for(pilot, lambda: screen.wanted_generation == 2)
            await wait_for(pilot, lambda: screen._pause is None, what="the pause to run out")
            assert asked == ["heliostat"]
            gate.set()
            await wait_for(
                pilot,
                lambda: screen.shown_generation == 2 and not screen._searching,
                what="the second search",
            )
        finally:
            screen.core.search.search = real_search  # type: ignore[method-assign]
        assert asked == ["heliostat", "albedo"]
        assert result_lines(screen) == ["section  Methods · Thesis"]


async def test_the_first_page_of_results_is_drawn_first_and_the_rest_after(
    build_app: Any, store: VicechatCore
) -> None:
    document, sections = await seed_document(store, "Atlas", [f"Map {n}" for n in range(40)])
    for section in sections:
        await store.sections.save_content(section, "a tidal chart", based_on_version=1)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        screen = await search_for(pilot, "tidal")
        await settle(pilot)
        options = screen.results_list
        assert options.option_count == len(screen.hits) == 40
        results = await screen.core.search.search("chart")
        screen.show_results(screen.shown_generation + 1, results)
        page = options.option_count
        assert 1 <= page <= options.size.height // 2 + 1 < 40  # what fits the list
        await settle(pilot)
        assert options.option_count == 40  # the rest, once that frame was drawn
        stale = screen.shown_generation
        screen.show_results(stale + 1, results)
        screen.show_results(stale + 2, SearchResults(results.query))  # nothing found
        await settle(pilot)
        assert options.option_count == 0  # the first results' rest did not come back
        assert document


async def test_the_preview_is_read_once_for_a_result_and_kept_for_the_same_query(
    build_app: Any, store: VicechatCore
) -> None:
    await seed(store)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        screen = await open_search(pilot)
        read: list[int | None] = []
        full_text = screen._full_text

        async def counted(hit: SearchHit) -> str:
            read.append(hit.section_id)
            return await full_text(hit)

        screen._full_text = counted  # type: ignore[method-assign]
        for text in ("albedo", "albedo -heliostat", "albedo crater"):
            screen.search_input.value = text
            await wait_for(pilot, lambda: screen.shown_generation == screen.wanted_generation)
            await wait_for(pilot, lambda: not screen._searching)
            await wait_for(pilot, lambda: "albedo" in str(screen.preview.render()))

        def marked() -> set[str]:
            preview = screen.preview.render()
            assert isinstance(preview, Content)
            return {preview.plain[span.start : span.end] for span in preview.spans}

        await wait_for(pilot, lambda: "crater" in marked(), what="the preview restyled")
        assert "albedo" in marked()
        assert len(read) == 1  # one result: read once, restyled for the third query


async def test_enter_jumps_to_the_section_with_the_cursor_on_the_match(
    build_app: Any, store: VicechatCore
) -> None:
    ids = await seed(store)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        workspace = await wait_ready(pilot)
        await search_for(pilot, '"crater rim"')
        await pilot.press("enter")
        editor = workspace.editor
        await wait_for(
            pilot, lambda: editor.section_id == ids["methods"], timeout=20, what="the section"
        )
        await settle(pilot)
        assert editor.text_area.selected_text == "crater rim"
        line = "We measured the albedo of the crater rim twice."
        assert editor.text_area.selection.end == (2, line.index("crater rim") + 10)
        assert app.focused is editor.text_area


async def test_enter_on_an_old_message_loads_its_page_and_highlights_it(
    build_app: Any, store: VicechatCore
) -> None:
    ids = await seed(store)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        workspace = await wait_ready(pilot)
        await search_for(pilot, "heliostat in:chats")
        await pilot.press("enter")
        chat_log = workspace.chat_pane.chat_log
        await wait_for(
            pilot,
            lambda: chat_log.view_for(ids["oldest"]) is not None,
            timeout=30,  # two pages of messages to mount, on a busy machine
            what="the old message",
        )
        await settle(pilot)
        view = chat_log.view_for(ids["oldest"])
        assert view is not None and view.has_class("-found") and chat_log.selected is view
        assert chat_log.remaining == 0
        assert len(chat_log.views()) == OLD_MESSAGES + 1
        assert view.region.y >= chat_log.region.y  # scrolled into view
        assert view.region.y < chat_log.region.bottom


async def test_palette_opens_the_search(build_app: Any, store: VicechatCore) -> None:
    await seed(store)
    app: VicechatApp = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "search: everything")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="search")
        assert isinstance(app.focused, Input)


@shows(SearchScreen)
def test_search_screen_snapshot(snap_compare: Any, tmp_path: Any, theme: str) -> None:
    url = f"sqlite:///{tmp_path / 'snap.db'}"

    async def prepare() -> None:
        core = await open_core(make_settings(), database_url=url)
        try:
            await seed(core)
        finally:
            await core.aclose()

    asyncio.run(prepare())
    from tests.ui.conftest import fixed_clock
    from vicechat_tui.app import make_app

    settings = make_settings(ui={"autosave_seconds": 0.2, "theme": theme})
    app = make_app(settings, database_url=url, clock=fixed_clock)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_ready(pilot)
        screen = await search_for(pilot, 'line "crater rim" -x')
        await settle(pilot)
        screen.search_input.cursor_blink = False

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_a_match_found_from_a_narrow_terminal_shows_the_editor_to_land_in(
    build_app: Any, store: VicechatCore
) -> None:
    ids = await seed(store)
    app: VicechatApp = build_app()
    async with app.run_test(size=(60, 24)) as pilot:  # one pane at a time: the tree
        workspace = await wait_ready(pilot)
        assert not workspace.editor.display
        await search_for(pilot, '"crater rim"')
        await pilot.press("enter")
        editor = workspace.editor
        await wait_for(pilot, lambda: editor.section_id == ids["methods"], timeout=20)
        await wait_for(pilot, lambda: app.focused is editor.text_area, what="the editor")
        assert editor.display and editor.text_area.selected_text == "crater rim"
