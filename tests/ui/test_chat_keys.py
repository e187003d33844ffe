"""Message actions from where the focus is, and a selection moved through the messages.
(Sending while a reply streams in the same section queues the message: test_chat_queue.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    OpenAIServer,
    frozen_spinner,
    open_section,
    provider_config,
    seed_chat,
    seed_document,
    server_fixture,
    settle,
    type_text,
    wait_for,
)
from tests.ui.conftest import workspace
from vicechat_tui.core.runtime import VicechatCore

FIRST, SECOND = "First answer.", "Second answer.\n\n```sh\nls\n```"


async def two_replies(store: VicechatCore) -> tuple[int, int]:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await seed_chat(
        store,
        document_id,
        section_id,
        [
            {"role": "user", "content": "one"},
            {"role": "assistant", "content": FIRST},
            {"role": "user", "content": "two"},
            {"role": "assistant", "content": SECOND},
        ],
    )
    return document_id, section_id


async def test_alt_keys_from_the_input_act_on_the_latest_reply_not_typed(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    """A terminal sends alt+c as the key "alt+c" with the character "c"; posted as the
    driver posts it, it must copy, not type a "c" into the message."""
    document_id, section_id = await two_replies(store)
    app = build_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        assert pane.chat_input.has_focus
        await type_text(pilot, "draft")
        for key in ("alt+c", "alt+k"):
            app.post_message(events.Key(key, key[-1]))
            await pilot.pause()
        await settle(pilot)
        assert pane.chat_input.text == "draft"
        assert app.clipboard == "ls"  # alt+k: the latest reply's code block
        app.post_message(events.Key("alt+c", "c"))
        await pilot.pause()
        assert app.clipboard == SECOND


async def test_a_selection_moves_through_the_messages_and_the_actions_use_it(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    document_id, section_id = await two_replies(store)
    app = build_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        log = pane.chat_log
        await pilot.press("alt+up")  # the latest message
        assert log.selected is not None and log.selected.content == SECOND
        await pilot.press("alt+up", "alt+up")  # up two: the first reply
        assert log.selected is not None and log.selected.content == FIRST
        assert log.selected.has_class("-selected")
        assert pane.chat_input.has_focus, "the selection moves without taking the focus"
        await pilot.press("alt+c")
        assert app.clipboard == FIRST
        await pilot.press("alt+up", "alt+up", "alt+up")  # stops at the first message
        assert log.selected is log.views()[0]
        for _ in log.views():
            await pilot.press("alt+down")
        assert log.selected is None  # past the last: back to the latest reply
        await pilot.press("alt+c")
        assert app.clipboard == SECOND


async def test_the_send_key_pressed_while_the_chat_opens_sends_once_it_shows(
    build_app: Callable[..., Any], store: VicechatCore, server: OpenAIServer
) -> None:
    """Right after start-up the chat of the section shown is read only once the core is open;
    ctrl+j pressed before that did nothing at all (the message stayed, unsent, unsaid)."""
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    server.add_replies("Sure.")
    app = build_app(**provider_config(server))
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        screen = workspace(app)
        await pane.show_section(document_id, section_id)  # as at start-up: not read yet
        pane.chat_input.focus()
        await type_text(pilot, "hello")
        await pilot.press("ctrl+j")
        assert "opening" in str(pane.query_one("#chat-note").render())
        assert pane.chat_input.text == "hello"
        await screen.chat.fill_shown()
        await wait_for(pilot, lambda: pane.chat_input.text == "", what="the send")
        await wait_for(pilot, lambda: pane.job_id is None and server.chat_bodies, what="reply")
        await settle(pilot)
    session = await store.chats.session_for_section(section_id)
    assert session is not None and session.id is not None
    assert [m.content for m in await store.chats.history(session.id)] == ["hello", "Sure."]
