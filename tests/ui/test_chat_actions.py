"""Chat pane actions with real keys: apply a reply, copy, reset, drafts, empty messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Static

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    frozen_spinner,
    open_section,
    seed_chat,
    seed_document,
    settle,
    type_text,
    wait_for,
)
from tests.ui.conftest import workspace
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.review import ReviewScreen

REPLY = "Better intro.\n\n```python\nprint('hi')\n```"


async def seeded(store: VicechatCore) -> tuple[int, int]:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, "Old text.", based_on_version=1)
    await seed_chat(
        store,
        document_id,
        section_id,
        [{"role": "user", "content": "improve it"}, {"role": "assistant", "content": REPLY}],
    )
    return document_id, section_id


async def test_apply_reply_inserts_then_replaces_as_versions(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    document_id, section_id = await seeded(store)
    app = build_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_section(pilot, document_id, section_id)
        await pilot.press("alt+i")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the review")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: workspace(app).editor.version == 3, what="insert")
        section = await store.sections.get(section_id)
        assert REPLY in section.content and "Old text." in section.content
        await pilot.press("alt+r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the review")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: workspace(app).editor.version == 4, what="replace")
        await settle(pilot)
    section = await store.sections.get(section_id)
    assert section.content == REPLY
    versions = await store.sections.versions(section_id)
    by_version = {v.version: v.source for v in versions}
    assert (by_version[3], by_version[4]) == ("applied_reply", "applied_reply")


async def test_copy_reply_and_its_code_block(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    document_id, section_id = await seeded(store)
    app = build_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_section(pilot, document_id, section_id)
        await pilot.press("alt+c")
        assert app.clipboard == REPLY
        await pilot.press("alt+k")
        assert app.clipboard == "print('hi')"


async def test_reset_asks_first_and_cancel_keeps_the_chat(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    document_id, section_id = await seeded(store)
    app = build_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        session_id = pane.session_id
        assert session_id is not None
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert len(pane.chat_log.views()) == 2
        assert await store.chats.count_messages(session_id) == 2
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: pane.chat_log.views() == [], what="the reset")
        assert await store.chats.count_messages(session_id) == 0


async def test_drafts_survive_switching_sections(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    document_id, (first, second) = await seed_document(store, "Doc", ["One", "Two"])
    app = build_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, first)
        await type_text(pilot, "half a thought")
        await open_section(pilot, document_id, second)
        assert pane.chat_input.text == ""
        await type_text(pilot, "other")
        await open_section(pilot, document_id, first)
        assert pane.chat_input.text == "half a thought"
        await open_section(pilot, document_id, second)
        assert pane.chat_input.text == "other"


async def test_empty_message_is_refused_with_a_note(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["One"])
    app = build_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "   ")
        await pilot.press("ctrl+j")
        note = pane.query_one("#chat-note", Static)
        assert note.display and "empty" in str(note.render())
        assert pane.chat_log.views() == [] and not pane.running
        assert pane.session_id is not None
        assert await store.chats.count_messages(pane.session_id) == 0
