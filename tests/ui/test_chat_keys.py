"""Message actions from where the focus is, a selection moved through the messages, and
sending while a reply streams in the same section (refused with a note; esc still cancels)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    OpenAIServer,
    Reply,
    frozen_spinner,
    last_reply,
    open_section,
    provider_config,
    reply_finished,
    seed_chat,
    seed_document,
    server_fixture,
    settle,
    type_text,
    wait_for,
)
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


async def test_sending_while_a_reply_streams_is_refused_and_esc_still_cancels(
    build_app: Callable[..., Any], store: VicechatCore, server: OpenAIServer
) -> None:
    server.add_replies(Reply(tokens=tuple(f"w{n} " for n in range(200)), delay_per_token=0.05))
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(**provider_config(server))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "first")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: pane.running, what="the job to start")
        job_id = pane.job_id
        await wait_for(pilot, lambda: (v := last_reply(pane)) is not None and "w1" in v.content)
        await type_text(pilot, "second")
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert pane.chat_input.text == "second", "nothing typed is lost"
        assert pane.job_id == job_id, "the pane still follows the first reply"
        note = str(pane.query_one("#chat-note").render())
        assert "still being written" in note and "esc" in note
        streamed = last_reply(pane)
        assert streamed is not None
        before = len(streamed.content)
        await wait_for(pilot, lambda: len(streamed.content) > before, what="it keeps streaming")
        await pilot.press("escape")
        await wait_for(pilot, lambda: reply_finished(pane), what="the reply to stop")
        final = last_reply(pane)
        assert final is not None and final.state == "cancelled"
        assert len(server.requests) == 1
