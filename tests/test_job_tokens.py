"""A job's token count: an estimate while it streams, the provider's own number once sent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.servers.providers import (
    AnthropicServer,
    FakeProviderServer,
    OllamaServer,
    OpenAIServer,
    Reply,
)
from vicechat_tui.core.events import JobFinished, JobSnapshot, ProgressChanged, StepFinished
from vicechat_tui.core.jobs.tokens import estimate_tokens
from vicechat_tui.core.runtime import VicechatCore, open_core

SERVERS: dict[str, type[FakeProviderServer]] = {
    "openai": OpenAIServer,
    "anthropic": AnthropicServer,
    "ollama": OllamaServer,
}
CHINESE_CHUNKS = ("灯塔看守人", "每天傍晚", "都会爬上", "螺旋楼梯。")


@pytest.fixture(params=list(SERVERS))
def server(request: pytest.FixtureRequest) -> Iterator[FakeProviderServer]:
    with SERVERS[request.param]() as running:
        yield running


@pytest.fixture
async def core(server: FakeProviderServer, tmp_path: Path) -> AsyncIterator[VicechatCore]:
    settings = make_settings(
        providers={"local": server.provider_settings()}, default_provider="local"
    )
    opened = await open_core(settings, database_url=f"sqlite:///{tmp_path / 'tokens.db'}")
    yield opened
    await opened.aclose()


async def run_job(core: VicechatCore) -> tuple[int, list[Any]]:
    document = await core.documents.create("Lighthouse")
    assert document.id is not None
    section = await core.sections.create(document.id, "Evenings")
    assert section.id is not None
    job_id = await core.jobs.send(document.id, section.id, "Describe her evening.")
    return job_id, [event async for event in core.jobs.subscribe(job_id)]


async def test_the_providers_reported_count_replaces_the_estimate(
    core: VicechatCore, server: FakeProviderServer
) -> None:
    server.add_replies(Reply(tokens=CHINESE_CHUNKS, completion_tokens=42))
    job_id, events = await run_job(core)

    progress = [event for event in events if isinstance(event, ProgressChanged)]
    final = progress[-1]
    assert (final.tokens, final.tokens_estimated) == (42, False)
    assert all(event.tokens_estimated for event in progress[:-1]), "estimates until the end"
    assert events.index(final) < len(events) - 1 and isinstance(events[-1], JobFinished)
    state = core.jobs.get(job_id)
    assert (state.tokens, state.tokens_estimated) == (42, False)
    snapshot = state.snapshot()
    assert (snapshot.tokens, snapshot.tokens_estimated) == (42, False)
    message = await core.chats.get_message(state.assistant_message_id or 0)
    assert message is not None and message.usage is not None
    assert message.usage["completion_tokens"] == 42


async def test_without_usage_the_count_is_an_honest_estimate(
    core: VicechatCore, server: FakeProviderServer
) -> None:
    server.add_replies(Reply(tokens=CHINESE_CHUNKS, usage=False))
    job_id, events = await run_job(core)

    text = "".join(CHINESE_CHUNKS)
    final = [event for event in events if isinstance(event, ProgressChanged)][-1]
    assert (final.tokens, final.tokens_estimated) == (estimate_tokens(text), True)
    assert final.tokens >= len(text) * 0.9, "about a token a character, not one per chunk"
    written = [e for e in events if isinstance(e, StepFinished) and "tokens" in e.payload]
    assert written and written[-1].payload["tokens"] == final.tokens
    state = core.jobs.get(job_id)
    assert (state.tokens, state.tokens_estimated) == (final.tokens, True)


async def test_a_late_subscriber_sees_the_count_and_what_it_is(
    core: VicechatCore, server: FakeProviderServer
) -> None:
    server.add_replies(Reply(tokens=CHINESE_CHUNKS, completion_tokens=7))
    job_id, _ = await run_job(core)
    first, *_ = [event async for event in core.jobs.subscribe(job_id)]
    assert isinstance(first, JobSnapshot)
    assert (first.tokens, first.tokens_estimated) == (7, False)
