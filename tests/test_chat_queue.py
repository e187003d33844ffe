"""The chat queue (`JobEngine.queue`): a message sent while a reply is being written is
stored as "queued", sent when that reply completes, held after a failed or stopped one, and
never part of a prompt while it waits. Real SQLite/PostgreSQL and a real local server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.servers.providers import OpenAIServer, Reply
from tests.test_jobs_engine import a_section, open_with
from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.runtime import VicechatCore

SLOW = Reply(tokens=tuple(f"w{n} " for n in range(40)), delay_per_token=0.02)


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(delay_per_token=0.0) as running:
        yield running


@pytest.fixture
async def core(server: OpenAIServer, database_url: str) -> AsyncIterator[VicechatCore]:
    opened = await open_with(server, database_url)
    yield opened
    await opened.aclose()


async def states(core: VicechatCore, section_id: int) -> list[tuple[str, str, str]]:
    session = await core.chats.session_for_section(section_id)
    assert session is not None and session.id is not None
    return [(m.role, m.content, m.state) for m in await core.chats.history(session.id)]


async def settled(core: VicechatCore, count: int) -> None:
    """Until this engine has started `count` jobs (queued ones included) and all have ended,
    their replies stored (`wait` returns once a job's task is done, its end written)."""
    for _ in range(500):
        jobs = core.jobs.jobs()
        if len(jobs) >= count:
            for job in jobs:
                await core.jobs.wait(job.job_id)
            if len(core.jobs.jobs()) == len(jobs):
                return
        await asyncio.sleep(0.01)
    raise AssertionError("jobs still running")


async def test_a_message_queued_behind_a_reply_is_sent_when_it_completes(
    core: VicechatCore, server: OpenAIServer
) -> None:
    server.add_replies(SLOW, Reply(tokens=("second answer",)))
    document_id, section_id = await a_section(core)
    first = await core.jobs.send(document_id, section_id, "first")
    outcome = await core.jobs.queue(document_id, section_id, "second")
    assert outcome.job_id is None and outcome.queued_message_id is not None
    assert (await states(core, section_id))[-1] == ("user", "second", "queued")
    with pytest.raises(InvalidInputError, match="already waiting"):
        await core.jobs.queue(document_id, section_id, "third")
    await core.jobs.wait(first)
    await settled(core, 2)
    history = await states(core, section_id)
    assert [(role, state) for role, _, state in history] == [
        ("user", "complete"),
        ("assistant", "complete"),
        ("user", "complete"),
        ("assistant", "complete"),
    ]
    assert history[2][1] == "second" and history[3][1] == "second answer"
    second_prompt = server.chat_bodies[1]["messages"]
    assert [m["content"] for m in second_prompt if m["role"] == "user"][-1] == "second"
    first_prompt = server.chat_bodies[0]["messages"]
    assert all(m["content"] != "second" for m in first_prompt)


async def test_after_a_stopped_reply_the_queued_message_is_held(
    core: VicechatCore, server: OpenAIServer
) -> None:
    server.add_replies(SLOW, Reply(tokens=("answer to second",)), Reply(tokens=("third",)))
    document_id, section_id = await a_section(core)
    first = await core.jobs.send(document_id, section_id, "first")
    await core.jobs.queue(document_id, section_id, "second")
    await asyncio.sleep(0.1)
    await core.jobs.cancel(first)
    await settled(core, 1)
    await asyncio.sleep(0.1)
    assert len(server.chat_bodies) == 1, "held: not sent after a stop"
    assert (await states(core, section_id))[-1] == ("user", "second", "queued")
    # a new message with one held: the held one goes first, the new one waits for it
    outcome = await core.jobs.queue(document_id, section_id, "third")
    assert outcome.job_id is not None and outcome.queued_message_id is not None
    await settled(core, 3)
    contents = [content for _, content, _ in await states(core, section_id)]
    assert contents[-4:] == ["second", "answer to second", "third", "third"]
    assert len(server.chat_bodies) == 3


async def test_after_a_failed_reply_the_queued_message_is_held_until_sent(
    core: VicechatCore, server: OpenAIServer
) -> None:
    failing = Reply(tokens=tuple("abcdefghij"), delay_per_token=0.03, error_after=8)
    server.add_replies(failing, Reply(tokens=("fine",)))
    document_id, section_id = await a_section(core)
    await core.jobs.send(document_id, section_id, "first")
    await core.jobs.queue(document_id, section_id, "second")
    await settled(core, 1)
    assert (await states(core, section_id))[1][2] == "failed"
    assert (await states(core, section_id))[-1] == ("user", "second", "queued")
    assert await core.jobs.send_queued(document_id, section_id) is not None
    await settled(core, 2)
    assert (await states(core, section_id))[-2:] == [
        ("user", "second", "complete"),
        ("assistant", "fine", "complete"),
    ]
    assert await core.jobs.send_queued(document_id, section_id) is None  # nothing held


async def test_a_queued_message_can_be_taken_back_and_is_never_a_prompt(
    core: VicechatCore, server: OpenAIServer
) -> None:
    server.add_replies(SLOW, Reply(tokens=("after",)))
    document_id, section_id = await a_section(core)
    first = await core.jobs.send(document_id, section_id, "first")
    await core.jobs.queue(document_id, section_id, "second")
    assert await core.jobs.take_back_queued(document_id, section_id) == "second"
    assert await core.jobs.take_back_queued(document_id, section_id) is None
    await core.jobs.wait(first)
    await settled(core, 1)
    assert len(server.chat_bodies) == 1
    assert [content for _, content, _ in await states(core, section_id)] == [
        "first",
        "".join(SLOW.tokens),
    ]


async def test_nothing_running_nothing_held_queue_sends_at_once(
    core: VicechatCore, server: OpenAIServer
) -> None:
    server.add_replies(Reply(tokens=("now",)))
    document_id, section_id = await a_section(core)
    outcome = await core.jobs.queue(document_id, section_id, "hello")
    assert outcome.job_id is not None and outcome.queued_message_id is None
    await settled(core, 1)
    assert await states(core, section_id) == [
        ("user", "hello", "complete"),
        ("assistant", "now", "complete"),
    ]
