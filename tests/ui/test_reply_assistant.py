"""Which assistant wrote each reply: the reply's header names it (while it streams, once it
has ended, and when the chat is opened again), and the jobs screen has a column for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.ui.chat_fixtures import (
    GatedServer,
    gated_fixture,
    last_reply,
    open_section,
    provider_config,
    reply_finished,
    seed_document,
    type_text,
    wait_for,
)
from tests.ui.conftest import settle
from tests.ui.test_chat_jobs import open_jobs
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.widgets.chat_message import ChatMessageView

__all__ = ["gated_fixture"]


def header(view: ChatMessageView | None) -> str:
    assert view is not None
    return str(view.query_one(".message-header").render())


async def test_each_reply_names_its_assistant(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    gated.replies.extend([["first ", "answer"], ["second"]])
    document_id, (section_id, other_id) = await seed_document(store, "Doc", ["One", "Two"])
    session = await store.chats.open_session(document_id, section_id)
    assert session.id is not None
    await store.chats.update_config(session.id, {"assistant": "critic"})
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "review")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: pane.running, what="the reply to start")
        await wait_for(
            pilot, lambda: "critic" in header(last_reply(pane)), what="the streaming header"
        )
        assert header(last_reply(pane)).startswith("Assistant (critic) · m")
        gated.release(2)
        await wait_for(pilot, lambda: reply_finished(pane), what="the reply to end")
        assert header(last_reply(pane)) == "Assistant (critic) · m"

        # another assistant for the next reply: each reply keeps the one that wrote it
        await store.chats.update_config(session.id, {"assistant": "editor"})
        await open_section(pilot, document_id, other_id)
        await open_section(pilot, document_id, section_id)
        assert header(last_reply(pane)) == "Assistant (critic) · m"  # as stored
        await type_text(pilot, "tighten")
        gated.release(1)
        await pilot.press("ctrl+j")

        def replies() -> list[ChatMessageView]:
            return [view for view in pane.chat_log.views() if view.role == "assistant"]

        await wait_for(
            pilot, lambda: len(replies()) == 2 and reply_finished(pane), what="the second reply"
        )
        assert [header(view) for view in replies()] == [
            "Assistant (critic) · m",
            "Assistant (editor) · m",
        ]

        screen = await open_jobs(pilot, rows=2)
        await settle(pilot)
        column = screen.table.get_column_index("assistant")
        assert [str(screen.table.get_row_at(row)[column]) for row in (0, 1)] == [
            "editor",
            "critic",
        ]
