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
from vicechat_tui.core.models import ChatJob
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
    assert document.id is not None
    section = await core.sections.create(document.id, title, content="The Moon is far.")
    assert section.id is not None
    return document.id, section.id


async def a_session(core: VicechatCore, document_id: int, section_id: int) -> int:
    session = await core.chats.open_session(document_id, section_id)
    assert session.id is not None
    return session.id


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

    history = await core.chats.history(await a_session(core, document_id, section_id))
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
    assert await core.chats.history(await a_session(core, document_id, section_id)) == []


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
    history = await core.chats.history(await a_session(core, document_id, section_id))
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
    assert (await core.chats.get_message(state.assistant_message_id or 0)).state == "streaming"
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
        *[Reply(tokens=[f"{n}-{i} " for i in range(10)], delay_per_token=0.05) for n in range(3)]
    )
    document_id, first = await a_section(core, "A")
    sections = [first]
    for title in ("B", "C"):
        section = await core.sections.create(document_id, title)
        assert section.id is not None
        sections.append(section.id)
    order: list[str] = []

    async def watch() -> None:
        async for event in core.jobs.subscribe_all():
            if isinstance(event, JobStarted | JobFinished):
                order.append(type(event).__name__)
            if order.count("JobFinished") == len(sections):
                return

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0)
    jobs = [await core.jobs.send(document_id, s, f"q{s}") for s in sections]
    await asyncio.wait_for(watcher, 10)
    assert order[:3] == ["JobStarted"] * 3, "all three started before any finished"
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
        session_id = await a_session(core, document_id, section_id)
        await core.chats.update_config(session_id, {"max_tokens": 100})
        for index in range(30):
            await core.chats.add_message(session_id, "user", f"old question {index} " * 10)
            await core.chats.add_message(session_id, "assistant", f"old answer {index} " * 10)
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


async def follow(core: VicechatCore, job_id: int) -> list[Any]:
    """Every event of a subscription; one that never ends fails the test (TimeoutError)."""
    return await asyncio.wait_for(collect(core, job_id), timeout=10)


async def gone_from_memory(core: VicechatCore, job_id: int) -> None:
    while job_id in {state.job_id for state in core.jobs.jobs()}:
        await asyncio.sleep(0.01)


async def test_subscribing_after_the_job_finished_ends_at_once(
    core: VicechatCore, server: OpenAIServer
) -> None:
    server.add_replies(Reply(tokens=("Done ", "already.")), Reply.error(401, "Bad key"))
    document_id, section_id = await a_section(core)
    done = await core.jobs.send(document_id, section_id, "Quick one")
    await core.jobs.wait(done)  # one after the other: the server answers in order of arrival
    failed = await core.jobs.send(document_id, section_id, "Another")
    await core.jobs.wait(failed)

    snapshot, finished = await follow(core, done)
    assert isinstance(snapshot, JobSnapshot) and isinstance(finished, JobFinished)
    assert (snapshot.status, snapshot.text) == ("completed", "Done already.")
    assert (finished.status, finished.message_id) == ("completed", snapshot.assistant_message_id)
    assert await follow(core, done) == [snapshot, finished], "and again, the same"

    snapshot, finished = await follow(core, failed)
    assert isinstance(snapshot, JobSnapshot) and snapshot.status == "failed"
    assert isinstance(finished, JobFinished) and finished.status == "failed"
    assert finished.error_title == "Access refused" and "401" in (finished.error or "")


async def test_subscribing_to_a_job_that_left_memory_replays_it_from_the_database(
    server: OpenAIServer, database_url: str
) -> None:
    core = await open_with(server, database_url, keep_finished_seconds=0)
    try:
        server.add_replies(Reply(tokens=("Hello", " there", "!")), Reply.error(500, "Broken"))
        document_id, section_id = await a_section(core)
        done = await core.jobs.send(document_id, section_id, "hi")
        await core.jobs.wait(done)
        await asyncio.wait_for(gone_from_memory(core, done), timeout=10)

        snapshot, finished = await follow(core, done)
        assert isinstance(snapshot, JobSnapshot) and isinstance(finished, JobFinished)
        assert (snapshot.status, snapshot.text) == ("completed", "Hello there!")
        assert (snapshot.tokens, snapshot.tokens_estimated) == (3, False)  # the server's usage
        assert finished == JobFinished(done, "completed", snapshot.assistant_message_id)

        failed = await core.jobs.send(document_id, section_id, "again")
        await core.jobs.wait(failed)
        await asyncio.wait_for(gone_from_memory(core, failed), timeout=10)
        snapshot, finished = await follow(core, failed)
        assert isinstance(finished, JobFinished) and finished.status == "failed"
        assert "Broken" in (finished.error or "") and finished.error_detail

        with pytest.raises(JobNotFoundError, match="987654"):
            await follow(core, 987654)
    finally:
        await core.aclose()


async def test_a_job_another_process_runs_gives_its_stored_state_and_ends(
    core: VicechatCore,
) -> None:
    document_id, section_id = await a_section(core)
    session_id = await a_session(core, document_id, section_id)
    async with core.database.session() as db:
        job = ChatJob(
            session_id=session_id,
            section_id=section_id,
            status="running",
            step_label="writing answer",
            runner="another-host:4242",
        )
        db.add(job)
        await db.commit()
        await db.refresh(job)
    assert job.id is not None
    (snapshot,) = await follow(core, job.id)
    assert isinstance(snapshot, JobSnapshot)
    assert (snapshot.status, snapshot.label) == ("running", "writing answer")


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
