"""Pilot tests for the document tree: rename, delete, move, indent, status, lazy loading."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from tests.ui.conftest import SIZE, seed_document, settle, type_text, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.models import Document
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.new_item import NewItemScreen


async def titles(store: VicechatCore, document_id: int, parent_id: int | None = None) -> list[str]:
    return [row.title for row in await store.sections.children(document_id, parent_id)]


async def test_rename_a_section_and_a_document(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(store, "Old doc", ["Old section"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, NewItemScreen))
        await pilot.press("ctrl+a", "ctrl+k")  # select all is on focus; clear the line
        await type_text(pilot, "New doc")
        await pilot.press("enter")
        await settle(pilot)
        assert (await store.documents.get(document_id)).title == "New doc"

        await pilot.press("space", "down", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, NewItemScreen))
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "New section")
        await pilot.press("enter")
        await settle(pilot)
        assert (await store.sections.get(section_id)).title == "New section"
        node = screen.document_tree.find_section(section_id)
        assert node is not None and str(node.label) == "New section"
        assert "New section" in str(screen.editor.title_bar.render())


async def test_delete_asks_first_and_cancel_keeps_it(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (parent_id, _) = await seed_document(store, "Doc", ["Parent", "Other"])
    for title in ("A", "B", "C"):
        await store.sections.create(document_id, title, parent_id=parent_id)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await pilot.press("space", "down", "delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Delete section “Parent” with its 3 subsections and chats?"
        await pilot.press("escape")
        await settle(pilot)
        assert await titles(store, document_id) == ["Parent", "Other"]

        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        assert await titles(store, document_id) == ["Other"]


async def test_delete_a_document(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    await seed_document(store, "Doomed", ["One", "Two"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert isinstance(app.screen, ConfirmScreen)
        assert "2 sections" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert await store.documents.count() == 0
        assert not screen.document_tree.root.children


async def test_move_indent_outdent_and_status(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (first, second, third) = await seed_document(store, "Doc", ["1", "2", "3"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")  # on "1"
        tree = screen.document_tree
        assert tree.check_action("edit", ("move_up",)) is False  # first: cannot move up
        await pilot.press("alt+down")
        await settle(pilot)
        assert await titles(store, document_id) == ["2", "1", "3"]
        assert screen.document_tree.selected_item is not None
        assert screen.document_tree.selected_item.section_id == first

        await pilot.press("greater_than_sign")  # "1" goes under "2"
        await settle(pilot)
        assert await titles(store, document_id) == ["2", "3"]
        assert await titles(store, document_id, second) == ["1"]
        assert screen.document_tree.selected_item.section_id == first

        await pilot.press("less_than_sign")
        await settle(pilot)
        assert await titles(store, document_id) == ["2", "1", "3"]

        await pilot.press("alt+up")
        await settle(pilot)
        assert await titles(store, document_id) == ["1", "2", "3"]

        await pilot.press("s")
        await settle(pilot)
        assert (await store.sections.get(first)).status == "review"
        await pilot.press("s", "s")
        await settle(pilot)
        assert (await store.sections.get(first)).status == "draft"
        assert third


async def test_thousands_of_documents_open_with_the_first_page(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    async with store.database.session() as db:
        db.add_all(Document(title=f"Document {n:04}", owner="alice") for n in range(2000))
        await db.commit()
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        tree = screen.document_tree
        assert tree.document_total == 2000
        assert len(tree.root.children) == tree.PAGE_SIZE + 1
        more = tree.root.children[-1]
        assert more.data is not None and more.data.kind == "more"
        assert "1,800 more" in str(more.label)
        tree.move_to(more)
        await pilot.press("enter")
        await settle(pilot)
        assert len(tree.root.children) == 2 * tree.PAGE_SIZE + 1


async def test_markup_in_titles_is_shown_as_text(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    await seed_document(store, "[bold red]loud[/] \x1b[31mred", ["[link=x]y[/link]"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        document = screen.document_tree.root.children[0]
        label = document.label
        assert isinstance(label, Text)
        assert label.plain == "[bold red]loud[/] ␛[31mred"
        assert not label.spans
        await pilot.press("space")
        await settle(pilot)
        assert str(document.children[0].label) == "[link=x]y[/link]"
