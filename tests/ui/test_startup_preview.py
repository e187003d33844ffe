"""Start-up: the tree's first page comes before the core; keys on it still do what they say.

On a SQLite file that is ready, the app shows the tree from `core.tree_preview` and opens
the core only when the person acts. A key that needs the core waits for it (it never says
"try again"); with no file yet the core opens at once (it has to create the schema).
"""

from __future__ import annotations

from collections.abc import Callable

from tests.ui.conftest import SIZE, seed_document, settle, type_text, wait_for, workspace
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.new_item import NewItemScreen


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
