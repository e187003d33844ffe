"""The chat job engine against a real OpenAI-compatible server on 127.0.0.1 (SQLite + PG)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.servers.providers import OpenAIServer, Reply
from vicechat_tui.core.errors import (
    EmptyMessageError,
    InvalidConfigError,
    JobNotFoundError,
    ProviderNotConfiguredError,
)
from vicechat_tui.core.events import (
    JobFinished,
    JobSnapshot,
    JobStarted,
    ProgressChanged,
    StepStarted,
    TokenDelta,
)
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.settings import JobSettings


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(delay_per_token=0.0) as running:
        yield running


async def open_with(server: OpenAIServer, database_url: str, **jobs: Any) -> VicechatCore:
    settings = make_settings(
        providers={"local": server.provider_settings()},
        default_provider="local",
        jobs=JobSettings(**{"flush_interval": 0.05, **jobs}),
    )
    return await open_core(settings, database_url=database_url)


@pytest.fixture
async def core(server: OpenAIServer, database_url: str) -> AsyncIterator[VicechatCore]:
    opened = await open_with(server, database_url)
    yield opened
    await opened.aclose()


async def a_section(core: VicechatCore, title: str = "Intro") -> tuple[int, int]:
    document = await core.documents.create("Moon book")
    section = await core.sections.create(document.id, title, content="The Moon is far.")
    assert document.id is not None and section.id is not None
    return document.id, section.id


async def collect(core: VicechatCore, job_id: int) -> list[Any]:
    return [event async for event in core.jobs.subscribe(job_id)]


async def test_a_reply_streams_and_is_stored(core: VicechatCore, server: OpenAIServer) -> None:
    server.add_replies(Reply(tokens=("The ", "Moon ", "is ", "384,400 km ", "away.")))
    document_id, section_id = await a_section(core)
    job_id = await core.jobs.send(document_id, section_id, "How far is the Moon?")
    events = await collect(core, job_id)

    assert isinstance(events[0], JobSnapshot)
    assert any(isinstance(event, JobStarted) for event in events)
    deltas = [event.text for event in events if isinstance(event, TokenDelta)]
    assert "".join(deltas) == "The Moon is 384,400 km away."
    finished = events[-1]
    assert isinstance(finished, JobFinished) and finished.status == "completed"

    session = await core.chats.open_session(document_id, section_id)
    history = await core.chats.history(session.id)
    assert [(m.role, m.content, m.state) for m in history] == [
        ("user", "How far is the Moon?", "complete"),
        ("assistant", "The Moon is 384,400 km away.", "complete"),
    ]
    assert history[1].usage is not None and history[1].model == "test-model"
    assert finished.message_id == history[1].id

    body = server.chat_bodies[-1]
    system = body["messages"][0]
    assert system["role"] == "system"
    assert "The Moon is far." in system["content"]  # the section's text
    assert "- Intro" in system["content"]  # the outline
    assert body["messages"][-1] == {"role": "user", "content": "How far is the Moon?"}


async def test_empty_message_is_refused_and_nothing_stored(core: VicechatCore) -> None:
    document_id, section_id = await a_section(core)
    with pytest.raises(EmptyMessageError):
        await core.jobs.send(document_id, section_id, "  \n\t ")
    session = await core.chats.open_session(document_id, section_id)
    assert await core.chats.history(session.id) == []


async def test_bad_overrides_are_refused_field_by_field(core: VicechatCore) -> None:
    document_id, section_id = await a_section(core)
    with pytest.raises(InvalidConfigError) as caught:
        await core.jobs.send(
            document_id, section_id, "hi", overrides={"temperature": 9, "max_tokens": 0}
        )
    assert set(caught.value.field_errors) == {"temperature", "max_tokens"}


async def test_no_provider_configured_says_how_to_configure(database_url: str) -> None:
    core = await open_core(make_settings(), database_url=database_url)
    try:
        document_id, section_id = await a_section(core)
        with pytest.raises(ProviderNotConfiguredError, match="providers"):
            await core.jobs.send(document_id, section_id, "hello?")
    finally:
        await core.aclose()


async def test_late_subscriber_gets_the_text_so_far(
    core: VicechatCore, server: OpenAIServer
) -> None:
    server.add_replies(Reply(tokens=[f"w{i} " for i in range(40)], delay_per_token=0.02))
    document_id, section_id = await a_section(core)
    job_id = await core.jobs.send(document_id, section_id, "Tell me a lot")
    while len(core.jobs.get(job_id).text) < 20:
        await asyncio.sleep(0.01)
    events = await collect(core, job_id)
    snapshot = events[0]
    assert isinstance(snapshot, JobSnapshot) and snapshot.status == "running"
    rest = "".join(e.text for e in events if isinstance(e, TokenDelta))
    assert snapshot.text + rest == "".join(f"w{i} " for i in range(40))


async def test_cancel_keeps_the_partial_reply(core: VicechatCore, server: OpenAIServer) -> None:
    server.add_replies(Reply(tokens=[f"t{i} " for i in range(200)], delay_per_token=0.02))
    document_id, section_id = await a_section(core)
    job_id = await core.jobs.send(document_id, section_id, "Go on")
    while core.jobs.get(job_id).tokens < 5:
        await asyncio.sleep(0.01)
    await core.jobs.cancel(job_id)
    state = core.jobs.get(job_id)
    assert state.status == "cancelled"
    assert 5 <= state.tokens < 200
    message = await core.chats.get_message(state.assistant_message_id or 0)
    assert message is not None and message.state == "cancelled"
    assert message.content == state.text and message.content.startswith("t0 t1 t2 t3 t4")


async def test_provider_failure_fails_the_job_and_keeps_the_users_message(
    core: VicechatCore, server: OpenAIServer
) -> None:
    server.add_replies(Reply.error(401, "Incorrect API key provided"))
    document_id, section_id = await a_section(core)
    job_id = await core.jobs.send(document_id, section_id, "Keep this question")
    state = await core.jobs.wait(job_id)
    assert state.status == "failed"
    assert state.error_title == "Access refused"
    assert state.error and "401" in state.error
    session = await core.chats.open_session(document_id, section_id)
    history = await core.chats.history(session.id)
    assert history[0].content == "Keep this question"
    assert history[1].state == "failed" and history[1].error == state.error


async def test_disconnect_mid_reply_keeps_the_partial_text(
    core: VicechatCore, server: OpenAIServer
) -> None:
    server.add_replies(Reply(tokens=("Half ", "a ", "reply ", "never"), disconnect_after=3))
    document_id, section_id = await a_section(core)
    job_id = await core.jobs.send(document_id, section_id, "Talk")
    state = await core.jobs.wait(job_id)
    assert state.status == "failed"
    message = await core.chats.get_message(state.assistant_message_id or 0)
    assert message is not None and message.content == "Half a reply "
    assert message.state == "failed"


async def test_reply_is_written_while_it_streams(core: VicechatCore, server: OpenAIServer) -> None:
    server.add_replies(Reply(tokens=[f"x{i} " for i in range(60)], delay_per_token=0.02))
    document_id, section_id = await a_section(core)
    job_id = await core.jobs.send(document_id, section_id, "Slowly")
    state = core.jobs.get(job_id)
    stored = ""
    while not stored and not state.is_finished:
        await asyncio.sleep(0.05)
        message = await core.chats.get_message(state.assistant_message_id or 0)
        stored = message.content if message else ""
    assert stored and not state.is_finished
    assert (await core.chats.get_message(state.assistant_message_id or 0)).state == "streaming"  # type: ignore[union-attr]
    await core.jobs.wait(job_id)


async def test_jobs_beyond_the_limit_wait_as_pending(
    server: OpenAIServer, database_url: str
) -> None:
    core = await open_with(server, database_url, max_concurrent=1)
    try:
        server.add_replies(
            Reply(tokens=[f"a{i}" for i in range(15)], delay_per_token=0.02),
            Reply(tokens=("b",)),
        )
        document_id, first = await a_section(core, "One")
        second = (await core.sections.create(document_id, "Two")).id
        assert second is not None
        job_a = await core.jobs.send(document_id, first, "first")
        job_b = await core.jobs.send(document_id, second, "second")
        await asyncio.sleep(0.1)
        assert core.jobs.get(job_a).status == "running"
        assert core.jobs.get(job_b).status == "pending"
        assert core.jobs.active_job_for_section(second) is not None
        await core.jobs.wait(job_b)
        assert core.jobs.get(job_a).status == "completed"
        assert core.jobs.get(job_b).status == "completed"
    finally:
        await core.aclose()


async def test_a_pending_job_can_be_cancelled(server: OpenAIServer, database_url: str) -> None:
    core = await open_with(server, database_url, max_concurrent=1)
    try:
        server.add_replies(Reply(tokens=[f"a{i}" for i in range(30)], delay_per_token=0.02))
        document_id, first = await a_section(core, "One")
        second = (await core.sections.create(document_id, "Two")).id
        assert second is not None
        running = await core.jobs.send(document_id, first, "first")
        waiting = await core.jobs.send(document_id, second, "second")
        await core.jobs.cancel(waiting)
        state = core.jobs.get(waiting)
        assert state.status == "cancelled"
        message = await core.chats.get_message(state.assistant_message_id or 0)
        assert message is not None and message.state == "cancelled"
        assert (await core.jobs.wait(running)).status == "completed"
        assert len(server.chat_bodies) == 1, "the cancelled job never called the model"
    finally:
        await core.aclose()


async def test_several_sections_stream_at_once(core: VicechatCore, server: OpenAIServer) -> None:
    server.add_replies(
        *[Reply(tokens=[f"{n}-{i} " for i in range(10)], delay_per_token=0.01) for n in range(3)]
    )
    document_id, first = await a_section(core, "A")
    sections = [first] + [
        (await core.sections.create(document_id, title)).id for title in ("B", "C")
    ]
    jobs = [await core.jobs.send(document_id, s, f"q{s}") for s in sections]  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    assert sum(core.jobs.get(j).status == "running" for j in jobs) >= 2
    for job in jobs:
        assert (await core.jobs.wait(job)).status == "completed"


async def test_history_is_trimmed_to_the_context_window(
    server: OpenAIServer, database_url: str
) -> None:
    settings = make_settings(
        providers={"local": server.provider_settings(context_window=600)},
        default_provider="local",
    )
    core = await open_core(settings, database_url=database_url)
    try:
        document_id, section_id = await a_section(core)
        session = await core.chats.open_session(document_id, section_id)
        await core.chats.update_config(session.id, {"max_tokens": 100})
        for index in range(30):
            await core.chats.add_message(session.id, "user", f"old question {index} " * 10)
            await core.chats.add_message(session.id, "assistant", f"old answer {index} " * 10)
        job_id = await core.jobs.send(document_id, section_id, "newest question")
        events = await collect(core, job_id)
        trimmed = [e for e in events if isinstance(e, StepStarted) and "left out" in e.label]
        assert trimmed, "the job reports that it trimmed the history"
        sent = server.chat_bodies[-1]["messages"]
        assert sent[-1]["content"] == "newest question"
        assert "old answer 29" in sent[-2]["content"]  # the newest history is kept
        assert not any("old question 0 " in m["content"] for m in sent)
    finally:
        await core.aclose()


async def test_finished_jobs_leave_memory_but_stay_in_the_database(
    server: OpenAIServer, database_url: str
) -> None:
    core = await open_with(server, database_url, keep_finished_seconds=0.05)
    try:
        document_id, section_id = await a_section(core)
        job_id = await core.jobs.send(document_id, section_id, "hi")
        await core.jobs.wait(job_id)
        await asyncio.sleep(0.2)
        with pytest.raises(JobNotFoundError):
            core.jobs.get(job_id)
        status = await core.jobs.status(job_id)
        assert status.status == "completed" and status.text == "Hello there!"
        with pytest.raises(JobNotFoundError, match="987654"):
            await core.jobs.status(987654)
    finally:
        await core.aclose()


async def test_progress_events_report_tokens(core: VicechatCore, server: OpenAIServer) -> None:
    server.add_replies(Reply(tokens=[f"p{i}" for i in range(30)], delay_per_token=0.01))
    document_id, section_id = await a_section(core)
    job_id = await core.jobs.send(document_id, section_id, "count")
    events = await collect(core, job_id)
    progress = [e for e in events if isinstance(e, ProgressChanged)]
    assert progress and progress[0].label == "writing answer"
    assert max(p.tokens for p in progress) > 0
    assert len(progress) < 30, "progress is coalesced, not one per token"


async def test_subscribe_all_sees_every_job(core: VicechatCore, server: OpenAIServer) -> None:
    document_id, section_id = await a_section(core)
    seen: list[Any] = []

    async def watch() -> None:
        async for event in core.jobs.subscribe_all():
            seen.append(event)
            if isinstance(event, JobFinished):
                return

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0)
    job_id = await core.jobs.send(document_id, section_id, "hi")
    await asyncio.wait_for(watcher, 5)
    assert isinstance(seen[0], JobStarted) and seen[0].job_id == job_id
    assert isinstance(seen[-1], JobFinished)
