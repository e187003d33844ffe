"""Undo in the tree (ctrl+z), where the cursor goes after a delete, and the trash screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.ui.conftest import (
    SIZE,
    run_palette,
    seed_document,
    settle,
    type_text,
    wait_for,
    wait_ready,
)
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.new_item import NewItemScreen
from vicechat_tui.screens.trash import TrashScreen


async def titles(store: VicechatCore, document_id: int, parent_id: int | None = None) -> list[str]:
    return [row.title for row in await store.sections.children(document_id, parent_id)]


def notifications(app: VicechatApp) -> list[str]:
    return [str(note.message) for note in app._notifications]


async def confirm_delete(pilot: Any) -> None:
    await pilot.press("delete")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
    await pilot.press("y")
    await settle(pilot)


async def test_every_tree_edit_is_undone_by_ctrl_z(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (a, b, c) = await seed_document(store, "Doc", ["A", "B", "C"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")  # on A
        await wait_for(pilot, lambda: screen.editor.section_id == a)

        await pilot.press("J")  # move down
        await settle(pilot)
        assert await titles(store, document_id) == ["B", "A", "C"]
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert await titles(store, document_id) == ["A", "B", "C"]

        await pilot.press("down", ">")  # B under A
        await settle(pilot)
        assert await titles(store, document_id, a) == ["B"]
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert await titles(store, document_id) == ["A", "B", "C"]
        assert screen.document_tree.selected_item is not None
        assert screen.document_tree.selected_item.section_id == b

        await pilot.press("s")
        await settle(pilot)
        assert (await store.sections.get(b)).status == "review"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert (await store.sections.get(b)).status == "draft"

        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, NewItemScreen))
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "Renamed")
        await pilot.press("enter")
        await settle(pilot)
        assert (await store.sections.get(b)).title == "Renamed"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert (await store.sections.get(b)).title == "B"
        await wait_for(pilot, lambda: "B" in str(screen.editor.title_bar.render()))

        await confirm_delete(pilot)
        assert await titles(store, document_id) == ["A", "C"]
        assert "Deleted “B” — ^z to undo" in notifications(app)  # the key as the footer shows it
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert await titles(store, document_id) == ["A", "B", "C"]
        await wait_for(pilot, lambda: screen.editor.section_id == b, what="B back in the editor")
        assert await store.trash.list() == []

        await pilot.press("ctrl+z")  # nothing left to undo
        await settle(pilot)
        assert "Nothing to undo in the tree." in notifications(app)
        assert c


async def test_after_a_delete_the_cursor_stays_in_the_document(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (a, b, c) = await seed_document(store, "Doc", ["A", "B", "C"])
    child = (await store.sections.create(document_id, "Only child", parent_id=c)).id
    await seed_document(store, "Other doc", ["Elsewhere"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        tree = screen.document_tree
        node = tree.find_document(document_id)
        assert node is not None
        tree.move_to(node)
        await pilot.press("space", "down", "down")  # on B
        await wait_for(pilot, lambda: screen.editor.section_id == b)

        await confirm_delete(pilot)  # the next sibling, C
        await wait_for(pilot, lambda: screen.editor.section_id == c, what="C in the editor")
        assert "C" in str(screen.editor.title_bar.render())

        await pilot.press("space", "down")  # into C's only child
        await wait_for(pilot, lambda: screen.editor.section_id == child)
        await confirm_delete(pilot)  # no sibling: its parent
        await wait_for(pilot, lambda: screen.editor.section_id == c, what="back on C")

        await confirm_delete(pilot)  # the last: the previous one, A
        await wait_for(pilot, lambda: screen.editor.section_id == a, what="A in the editor")
        assert "A" in str(screen.editor.title_bar.render())
        item = tree.selected_item
        assert item is not None and item.document_id == document_id


async def test_the_trash_screen_restores_and_deletes_for_good(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (a, b) = await seed_document(store, "Doc", ["Kept", "Gone"])
    await store.sections.delete(b)
    other_id, _ = await seed_document(store, "Old doc")
    await store.documents.delete(other_id)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await run_palette(pilot, "trash: show")
        await wait_for(pilot, lambda: isinstance(app.screen, TrashScreen))
        trash = app.screen
        assert isinstance(trash, TrashScreen)
        await wait_for(pilot, lambda: trash.loaded)
        assert [item.title for item in trash.items] == ["Old doc", "Gone"]

        await pilot.press("delete")  # the highlighted one, "Old doc": asked first
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot)
        assert len(await store.trash.list()) == 2
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: [i.title for i in trash.items] == ["Gone"])
        assert [item.title for item in await store.trash.list()] == ["Gone"]

        await pilot.press("r")
        await wait_for(pilot, lambda: not isinstance(app.screen, TrashScreen))
        await settle(pilot)
        assert await titles(store, document_id) == ["Kept", "Gone"]
        await wait_for(pilot, lambda: screen.editor.section_id == b, what="the restored one")
        assert a


async def test_ctrl_z_after_restoring_from_the_trash_undoes_the_edit_before(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """Restored from the trash screen, a delete is no step to undo any more: ctrl+z said
    "Invalid input — Section 2 is not in the trash." and undid nothing."""
    document_id, (a, b) = await seed_document(store, "Doc", ["A", "B"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")  # on A
        await wait_for(pilot, lambda: screen.editor.section_id == a)
        await pilot.press("J")  # A below B: the step ctrl+z should take back in the end
        await settle(pilot)
        await wait_for(pilot, lambda: screen.editor.section_id == a)
        await confirm_delete(pilot)  # A, to the trash
        assert await titles(store, document_id) == ["B"]
        await run_palette(pilot, "trash: show")
        await wait_for(pilot, lambda: isinstance(app.screen, TrashScreen))
        trash = app.screen
        assert isinstance(trash, TrashScreen)
        await wait_for(pilot, lambda: trash.loaded)
        await pilot.press("r")
        await wait_for(pilot, lambda: not isinstance(app.screen, TrashScreen))
        await settle(pilot)
        assert await titles(store, document_id) == ["B", "A"]
        screen.document_tree.focus()
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert await titles(store, document_id) == ["A", "B"]
        assert notifications(app)[-1] == "Undone: move down of “A”."
    assert b
