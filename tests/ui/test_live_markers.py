"""Pilot tests: the tree's markers change on screen the moment the state changes.

The status marker after `s`, and the ⟳ of a running job — this app's own jobs and jobs that
another process (here a second core on the same SQLite file, as `vicechat ask` in another
terminal would be) runs on the same database.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import make_settings
from tests.ui.chat_fixtures import GatedServer, gated_fixture, provider_config, type_text
from tests.ui.conftest import SIZE, seed_document, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.widgets.document_tree import RUNNING_MARKER, STATUS_MARKERS, DocumentTree

__all__ = ["gated_fixture"]


def row_on_screen(tree: DocumentTree, section_id: int) -> str:
    """The row of `section_id` as the tree draws it now (through its line cache)."""
    node = tree.find_section(section_id)
    assert node is not None, f"section {section_id} is not in the tree"
    tree.get_node_at_line(0)  # the line numbers are current
    return tree.render_line(node.line - tree.scroll_offset.y).text


async def test_the_status_marker_changes_on_the_row_under_the_cursor(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (first, _second) = await seed_document(store, "Doc", ["Intro", "Next"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        tree = screen.document_tree
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == first)
        assert STATUS_MARKERS["draft"] in row_on_screen(tree, first)

        await pilot.press("s")  # the cursor stays on the row
        item = tree.selected_item
        assert item is not None
        await wait_for(pilot, lambda: item.status == "review", what="the status to change")
        await pilot.pause()
        assert STATUS_MARKERS["review"] in row_on_screen(tree, first)
        await pilot.press("s")
        await wait_for(
            pilot,
            lambda: STATUS_MARKERS["final"] in row_on_screen(tree, first),
            what="the final marker",
        )
        assert (await store.sections.get(first)).status == "final"


async def test_a_job_of_another_process_is_marked_while_it_runs(
    build_app: Callable[..., VicechatApp], ui_database_url: str, gated: GatedServer
) -> None:
    other = await open_core(make_settings(**provider_config(gated)), database_url=ui_database_url)
    try:
        document_id, (first, second) = await seed_document(other, "Doc", ["Intro", "Next"])
        app = build_app()
        async with app.run_test(size=SIZE) as pilot:
            screen = await wait_ready(pilot)
            tree = screen.document_tree
            await pilot.press("space")
            await wait_for(pilot, lambda: tree.find_section(second) is not None)
            assert RUNNING_MARKER not in row_on_screen(tree, second)

            job_id = await other.jobs.send(document_id, second, "Is this sound?")
            await wait_for(
                pilot,
                lambda: RUNNING_MARKER in row_on_screen(tree, second),
                what="the marker of the other process's job",
            )
            assert RUNNING_MARKER not in row_on_screen(tree, first)

            gated.release(10)
            assert (await other.jobs.wait(job_id)).status == "completed"
            await wait_for(
                pilot,
                lambda: RUNNING_MARKER not in row_on_screen(tree, second),
                what="the marker to go",
            )
    finally:
        await other.aclose()


async def test_an_own_job_is_marked_when_it_starts_and_unmarked_when_it_ends(
    build_app: Callable[..., VicechatApp], store: VicechatCore, gated: GatedServer
) -> None:
    _, (first, _second) = await seed_document(store, "Doc", ["Intro", "Next"])
    app = build_app(**provider_config(gated))
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        tree = screen.document_tree
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.chat_pane.session_id is not None, what="the chat")
        screen.chat_pane.chat_input.focus()
        await type_text(pilot, "hello")
        await pilot.press("ctrl+j")
        await wait_for(
            pilot, lambda: RUNNING_MARKER in row_on_screen(tree, first), what="the marker"
        )
        gated.release(10)
        await wait_for(
            pilot, lambda: RUNNING_MARKER not in row_on_screen(tree, first), what="it to go"
        )
