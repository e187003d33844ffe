"""Chatting with a real local OpenAI-compatible server: streaming, cancel, switching sections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    GatedServer,
    OpenAIServer,
    Reply,
    frozen_spinner,
    gated_fixture,
    last_reply,
    open_section,
    provider_config,
    reply_finished,
    seed_document,
    server_fixture,
    type_text,
    wait_for,
)
from vicechat_tui.core.runtime import VicechatCore


async def test_reply_streams_then_renders_in_full(
    build_app: Callable[..., Any], store: VicechatCore, server: OpenAIServer
) -> None:
    server.add_replies(Reply(tokens=("Hello", " from", " the", " model"), delay_per_token=0.25))
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(**provider_config(server))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "hi there")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: pane.running, what="the job to start")
        assert pane.chat_input.text == ""
        user = pane.chat_log.last("user")
        assert user is not None and user.content == "hi there"
        await wait_for(
            pilot,
            lambda: (view := last_reply(pane)) is not None and "Hello" in view.content,
            what="the first tokens",
        )
        partial = last_reply(pane)
        assert partial is not None
        assert partial.state == "streaming"
        assert partial.content != "Hello from the model"
        assert pane.progress.active
        await wait_for(pilot, lambda: reply_finished(pane), what="the end of the reply")
        final = last_reply(pane)
        assert final is not None and final.state == "complete"
        assert final.content == "Hello from the model"
        assert final.body.source == "Hello from the model"
        assert not pane.progress.active


async def test_cancel_keeps_the_partial_reply(
    build_app: Callable[..., Any], store: VicechatCore, server: OpenAIServer
) -> None:
    server.add_replies(Reply(tokens=("Partial", " answer", " never", " ends"), stall_after=2))
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(**provider_config(server))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "go")
        await pilot.press("ctrl+j")
        await wait_for(
            pilot,
            lambda: (view := last_reply(pane)) is not None and view.content == "Partial answer",
            what="the partial reply",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: reply_finished(pane), what="the cancellation")
        view = last_reply(pane)
        assert view is not None
        assert view.state == "cancelled"
        assert view.content == "Partial answer"
        assert "[cancelled]" in str(view.query_one(".message-header").render())
        session = await store.chats.session_for_section(section_id)
        assert session is not None and session.id is not None
        stored = (await store.chats.history(session.id))[-1]
        assert (stored.state, stored.content) == ("cancelled", "Partial answer")


async def test_switching_away_keeps_the_job_and_coming_back_resumes_the_stream(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    gated.replies.append(["one ", "two ", "three ", "four ", "five"])
    document_id, (first, second) = await seed_document(store, "Doc", ["One", "Two"])
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, first)
        await type_text(pilot, "count")
        await pilot.press("ctrl+j")
        gated.release(1)
        await wait_for(pilot, lambda: (v := last_reply(pane)) is not None and v.content == "one ")
        await open_section(pilot, document_id, second)
        assert pane.chat_log.views() == []
        core = app.core
        assert core is not None
        job = core.jobs.active_job_for_section(first)
        assert job is not None, "the job stopped when the section changed"
        gated.release(2)  # the job goes on while nobody watches it
        await wait_for(pilot, lambda: job.text == "one two three ", what="the job to go on")
        await open_section(pilot, document_id, first)
        view = last_reply(pane)
        assert view is not None and view.state == "streaming"
        assert view.content == "one two three "
        assert pane.running and pane.progress.active
        gated.release(1)
        await wait_for(pilot, lambda: view.content == "one two three four ", what="live deltas")
        gated.release(1)
        await wait_for(pilot, lambda: reply_finished(pane), what="the end of the reply")
        final = last_reply(pane)
        assert final is not None and final.state == "complete"
        assert final.content == "one two three four five"


async def test_two_sections_stream_at_once(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    gated.replies.extend([["first ", "reply"], ["second ", "reply"]])
    document_id, (first, second) = await seed_document(store, "Doc", ["One", "Two"])
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, first)
        await type_text(pilot, "first")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: pane.running, what="the first job")
        await open_section(pilot, document_id, second)
        await type_text(pilot, "second")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: pane.running, what="the second job")
        core = app.core
        assert core is not None
        jobs = [core.jobs.active_job_for_section(first), core.jobs.active_job_for_section(second)]
        await wait_for(pilot, lambda: all(j and j.status == "running" for j in jobs))
        gated.release(4)
        await wait_for(pilot, lambda: reply_finished(pane), what="the second reply")
        assert (v := last_reply(pane)) is not None and v.content == "second reply"
        await wait_for(pilot, lambda: all(j and j.is_finished for j in jobs), what="both jobs")
        await open_section(pilot, document_id, first)
        view = last_reply(pane)
        assert view is not None and view.state == "complete"
        assert view.content == "first reply"
