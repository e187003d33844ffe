"""Sharing in the UI: the share dialog (a key in the tree, the palette), shared documents
marked with their owner, documents shared to view opening read-only, who one is shown."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from textual.widgets import Input, OptionList

from tests.conftest import make_settings
from tests.ui.conftest import SIZE, seed_document, settle, type_text, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.screens.share import ShareScreen
from vicechat_tui.screens.workspace import WorkspaceScreen


@pytest.fixture
async def bob(ui_database_url: str) -> AsyncIterator[VicechatCore]:
    """Another person on the same database (the app runs as alice)."""
    core = await open_core(make_settings(user="bob"), database_url=ui_database_url)
    yield core
    await core.aclose()


def tree_label(screen: WorkspaceScreen, document_id: int) -> str:
    node = screen.document_tree.find_document(document_id)
    assert node is not None
    return screen.document_tree.render_label(node, screen.rich_style, screen.rich_style).plain


async def test_the_owner_shares_and_unshares_with_keys(
    build_app: Callable[..., VicechatApp], store: VicechatCore, bob: VicechatCore
) -> None:
    document_id, _ = await seed_document(store, "Plans", ["Step one"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        assert str(screen.document_tree.border_title) == "you: alice"
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, ShareScreen), what="the dialog")
        dialog = app.screen
        assert isinstance(dialog, ShareScreen)
        await settle(pilot)
        assert dialog.query_one("#share-user", Input).has_focus
        await type_text(pilot, "bob")
        await pilot.press("enter")  # Enter shares to view
        await wait_for(pilot, lambda: bool(dialog.shares), what="the share")
        assert [(s.user, s.level) for s in await store.documents.shares(document_id)] == [
            ("bob", "view")
        ]
        await type_text(pilot, "carol")
        await pilot.press("tab", "tab", "enter")  # past "To view" onto "To edit"
        await wait_for(pilot, lambda: len(dialog.shares) == 2, what="the second share")
        assert [(s.user, s.level) for s in dialog.shares] == [("bob", "view"), ("carol", "edit")]
        listed = dialog.query_one("#share-list", OptionList)
        assert [str(listed.get_option_at_index(i).prompt) for i in range(2)] == [
            "bob can read it",
            "carol can read and change it",
        ]

        await type_text(pilot, "no one")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: "cannot hold spaces" in str(dialog.query_one("#share-note").render())
        )
        assert len(await store.documents.shares(document_id)) == 2

        listed.focus()
        await pilot.press("home", "delete")  # stop sharing with bob
        await wait_for(pilot, lambda: len(dialog.shares) == 1, what="the unshare")
        assert [s.user for s in await store.documents.shares(document_id)] == ["carol"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="the dialog to close")
        assert await bob.documents.list() == []


async def test_the_palette_opens_the_share_dialog(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    await seed_document(store, "Plans")
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "document: share")
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ShareScreen), what="the dialog")


async def test_a_document_shared_to_view_opens_read_only(
    build_app: Callable[..., VicechatApp], store: VicechatCore, bob: VicechatCore
) -> None:
    document_id, (section_id, quiet_id) = await seed_document(
        bob, "Bob's plans", ["Step one", "Step two"]
    )
    await bob.sections.save_content(section_id, "Bob wrote this.", based_on_version=1)
    session = await bob.chats.open_session(document_id, section_id)
    assert session.id is not None
    await bob.chats.add_message(session.id, "user", "Is step one sound?")
    await bob.documents.share(document_id, "alice", "view")
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        assert tree_label(screen, document_id).endswith("Bob's plans · bob · view")
        for key in ("n", "r", "delete", "s"):  # no tree edit of someone else's document
            assert screen.document_tree.check_action("edit", (key,)) is False
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == section_id, what="the section")
        await settle(pilot)
        editor, pane = screen.editor, screen.chat_pane
        reason = "bob shared this document with you to view only"
        assert editor.text_area.read_only
        assert f"read only: {reason}" in str(editor.status_bar.render())
        editor.text_area.focus()
        await type_text(pilot, "mine now")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert editor.text_area.text == "Bob wrote this."
        assert (await bob.sections.get(section_id)).content == "Bob wrote this."
        assert pane.chat_input.disabled and pane.chat_input.placeholder == reason
        assert [view.content for view in pane.chat_log.views()] == ["Is step one sound?"]
        for action in ("chat_send", "chat_reset", "chat_configure", "chat_apply_replace"):
            assert pane.check_action(action, ()) is False, action

        await pilot.press("ctrl+b", "down")  # a section nobody chatted about yet
        await wait_for(pilot, lambda: screen.editor.section_id == quiet_id, what="step two")
        await settle(pilot)
        assert pane.chat_input.disabled and pane.chat_input.placeholder == reason
        assert "Nobody has chatted" in str(pane.query_one("#chat-notice").render())
        assert await bob.chats.session_for_section(quiet_id) is None

        await pilot.press("S")  # in the tree: the dialog shows who has access
        await wait_for(pilot, lambda: isinstance(app.screen, ShareScreen), what="the dialog")
        dialog = app.screen
        assert isinstance(dialog, ShareScreen)
        await wait_for(pilot, lambda: dialog.access is not None, what="the shares")
        assert "bob owns it; only they can change who has access" in str(
            dialog.query_one("#share-owner").render()
        )
        assert not dialog.query_one("#share-user", Input).display


async def test_an_editor_changes_but_cannot_delete_the_document(
    build_app: Callable[..., VicechatApp], store: VicechatCore, bob: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(bob, "Bob's plans", ["Step one"])
    await bob.documents.share(document_id, "alice", "edit")
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        assert tree_label(screen, document_id).endswith("Bob's plans · bob")
        assert screen.document_tree.check_action("edit", ("delete",)) is False
        assert screen.document_tree.check_action("edit", ("rename",)) is True
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == section_id, what="the section")
        await settle(pilot)
        assert not screen.editor.text_area.read_only
        assert not screen.chat_pane.chat_input.disabled
        screen.editor.text_area.focus()
        await type_text(pilot, "Alice adds this.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (await bob.sections.get(section_id)).content == "Alice adds this."


async def test_a_document_shared_later_is_marked_when_reached_from_elsewhere(
    build_app: Callable[..., VicechatApp], store: VicechatCore, bob: VicechatCore
) -> None:
    """The jobs screen and search put a section on screen by id; a document the tree had not
    listed yet comes in marked (and read-only) like a listed one."""
    await seed_document(store, "Mine", ["Intro"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        document_id, (section_id,) = await seed_document(bob, "Bob's plans", ["Step one"])
        await bob.documents.share(document_id, "alice", "view")
        assert screen.document_tree.find_document(document_id) is None
        await screen.select_section(document_id, section_id)
        await wait_for(pilot, lambda: screen.editor.section_id == section_id, what="the section")
        await settle(pilot)
        assert tree_label(screen, document_id).endswith("Bob's plans · bob · view")
        assert screen.editor.text_area.read_only
