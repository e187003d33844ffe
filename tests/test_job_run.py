"""One job run on its own: only its `JobHost` and its provider, no engine around it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.servers.providers import OpenAIServer, Reply
from vicechat_tui.core.chat_config import ChatConfig
from vicechat_tui.core.events import (
    JobEvent,
    ProgressChanged,
    SourcesFound,
    StepFinished,
    StepRecord,
    StepStarted,
    TokenDelta,
)
from vicechat_tui.core.jobs.context import SectionContext
from vicechat_tui.core.jobs.host import CoreJobHost, JobHost, RunSettings
from vicechat_tui.core.jobs.knowledge import KnowledgeChoice
from vicechat_tui.core.jobs.reporter import JobReporter
from vicechat_tui.core.jobs.run import JobRun
from vicechat_tui.core.jobs.state import JobState
from vicechat_tui.core.knowledge.retrieval import Retrieval
from vicechat_tui.core.models import ChatMessage, MessageRole, MessageState
from vicechat_tui.core.providers.registry import create_provider
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.settings import WebFetchSettings


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as running:
        yield running


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[VicechatCore]:
    opened = await open_core(make_settings(), database_url=f"sqlite:///{tmp_path / 'run.db'}")
    yield opened
    await opened.aclose()


def a_state(**values: Any) -> JobState:
    defaults: dict[str, Any] = {
        "job_id": 7,
        "session_id": 1,
        "document_id": 1,
        "section_id": 1,
        "kind": "chat",
        "user_message_id": 2,
        "assistant_message_id": 3,
    }
    return JobState(**{**defaults, **values})


async def run_to_the_end(run: JobRun) -> None:
    """What the engine does with a run: execute it, stop its writer, write the end."""
    try:
        await run.execute()
    finally:
        await run.stop_flushing()
        await run.provider.aclose()
    await run.flush(final_state=MessageState.COMPLETE)


async def test_a_run_over_the_real_core_needs_only_its_host(
    core: VicechatCore, server: OpenAIServer
) -> None:
    document = await core.documents.create("Tides")
    assert document.id is not None
    section = await core.sections.create(document.id, "Neaps", content="Small tides.")
    assert section.id is not None
    session = await core.chats.open_session(document.id, section.id)
    assert session.id is not None
    earlier = await core.chats.add_message(session.id, "user", "What are tides?")
    await core.chats.add_message(session.id, "assistant", "The sea rising and falling.")
    question = await core.chats.add_message(session.id, "user", "And neap tides?")
    reply = await core.chats.add_message(session.id, "assistant", "", state=MessageState.STREAMING)
    assert question.id is not None and earlier.id is not None
    state = a_state(
        session_id=session.id,
        document_id=document.id,
        section_id=section.id,
        user_message_id=question.id,
        assistant_message_id=reply.id,
    )
    published: list[JobEvent] = []
    server.add_replies(Reply(tokens=("Weaker ", "ones."), completion_tokens=3))
    provider = create_provider("local", server.provider_settings())
    run = JobRun(
        CoreJobHost(core, published.append),
        state,
        ChatConfig(),
        provider,
        "test-model",
        "And neap tides?",
    )
    await run_to_the_end(run)

    sent = server.chat_bodies[-1]["messages"]
    assert "Small tides." in sent[0]["content"] and "- Neaps" in sent[0]["content"]
    assert [m["content"] for m in sent[1:]] == [
        "What are tides?",
        "The sea rising and falling.",
        "And neap tides?",
    ], "the history before the question, not the empty reply after it"
    assert "".join(e.text for e in published if isinstance(e, TokenDelta)) == "Weaker ones."
    assert isinstance(published[0], StepStarted) and published[0].label == "writing answer"
    final = [e for e in published if isinstance(e, ProgressChanged)][-1]
    assert (final.tokens, final.tokens_estimated) == (3, False)
    stored = await core.chats.get_message(reply.id or 0)
    assert stored is not None and (stored.content, stored.state) == ("Weaker ones.", "complete")
    took = stored.steps[0]["payload"].pop("seconds")
    assert isinstance(took, float) and 0 <= took < 30, "each step keeps how long it took"
    assert stored.steps == [
        {
            "id": "s1",
            "parent": None,
            "label": "writing answer",
            "status": "ok",
            "payload": {"tokens": 3},
        }
    ]


class DictHost:
    """A `JobHost` of a few dicts: what a run touches is exactly what this offers."""

    def __init__(self, history: Sequence[ChatMessage]) -> None:
        self.settings = RunSettings(
            flush_interval=60, web_search=None, web_fetch=WebFetchSettings()
        )
        self.history = history
        self.messages: dict[int, dict[str, Any]] = {}
        self.events: list[JobEvent] = []

    async def section_context(self, section_id: int, *, include_outline: bool) -> SectionContext:
        outline = [(0, "Intro"), (1, "Detail")] if include_outline else []
        return SectionContext("Atlas", outline, f"Section {section_id}", "Maps of the coast.")

    async def history_before(self, session_id: int, message_id: int) -> Sequence[ChatMessage]:
        return [message for message in self.history if (message.id or 0) < message_id]

    async def update_message(self, message_id: int, **values: Any) -> None:
        self.messages.setdefault(message_id, {}).update(values)

    def publish(self, event: JobEvent) -> None:
        self.events.append(event)

    async def knowledge_for(self, document_id: int, configured: Sequence[str]) -> KnowledgeChoice:
        return KnowledgeChoice(tuple(configured))

    async def retrieve(self, names: Sequence[str], question: str, limit: int) -> Retrieval:
        return Retrieval([], "keyword")


async def test_a_run_against_its_interface_alone(server: OpenAIServer) -> None:
    history = [
        ChatMessage(id=1, session_id=1, role=MessageRole.USER, content="Old question"),
        ChatMessage(id=5, session_id=1, role=MessageRole.USER, content="Newer, not sent"),
    ]
    host = DictHost(history)
    typed: JobHost = host  # the protocol is all a run needs
    server.add_replies(Reply(tokens=("海岸", "地图"), usage=False))
    provider = create_provider("local", server.provider_settings())
    run = JobRun(typed, a_state(section_id=9, user_message_id=4), ChatConfig(), provider, "", "Q?")
    await run_to_the_end(run)

    sent = server.chat_bodies[-1]["messages"]
    assert "Section 9" in sent[0]["content"] and "  - Detail" in sent[0]["content"]
    assert [m["content"] for m in sent[1:]] == ["Old question", "Q?"]
    assert host.messages[3]["content"] == "海岸地图" and host.messages[3]["state"] == "complete"
    final = [e for e in host.events if isinstance(e, ProgressChanged)][-1]
    assert (final.tokens, final.tokens_estimated) == (5, True)  # 4 ideographs ≈ 4.6 tokens


def test_the_reporter_numbers_records_and_publishes_steps() -> None:
    state = a_state(kind="web_research")
    events: list[JobEvent] = []
    changes: list[str] = []
    reporter = JobReporter(state, events.append, lambda: changes.append("changed"))

    cycle = reporter.step_started("cycle 1/2")
    search = reporter.step_started("searching", parent=cycle, payload={"query": "tides"})
    reporter.step_finished(search, payload={"results": 4})
    reporter.progress(0.45, cycle=1, cycles=2, label="cycle 1/2 · reading")
    reporter.progress(0.2, cycle=1, cycles=2, label="cycle 1/2 · notes")
    reporter.close_open_steps("cancelled")

    assert (cycle, search) == ("s1", "s2")
    for step in state.steps:
        assert 0 <= step.payload.pop("seconds") < 5, "each step keeps how long it took"
    assert state.steps == [
        StepRecord("s1", None, "cycle 1/2", "cancelled", {}),
        StepRecord("s2", "s1", "searching", "ok", {"query": "tides", "results": 4}),
    ]
    assert state.fraction == 0.45, "progress never goes backwards"
    assert [type(e) for e in events] == [
        StepStarted,
        StepStarted,
        StepFinished,
        ProgressChanged,
        ProgressChanged,
        StepFinished,
    ]
    assert events[4] == ProgressChanged(7, 0.45, 1, 2, "cycle 1/2 · notes", 0, True)
    assert len(changes) == 4  # started twice, finished twice: each is written to the message

    reporter.sources_found([])
    assert isinstance(events[-1], SourcesFound) and len(changes) == 5
