"""One running chat job: builds the request (or researches first), streams, persists."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from vicechat_tui.core.chat_config import ChatConfig
from vicechat_tui.core.events import Source, SourcesFound, StepFinished, StepRecord, StepStarted
from vicechat_tui.core.jobs.context import SectionContext, build_context, usable_history
from vicechat_tui.core.jobs.state import JobState
from vicechat_tui.core.models import MessageState
from vicechat_tui.core.providers.base import (
    ChatProvider,
    CompletionRequest,
    PromptMessage,
    StreamFinished,
    TextDelta,
)

if TYPE_CHECKING:
    from vicechat_tui.core.jobs.engine import JobEngine

PROGRESS_EVERY_SECONDS = 0.1
RESEARCH_HISTORY_TURNS = 10


class JobRun:
    """Executes one job for the engine; implements the research loop's reporter too."""

    def __init__(
        self,
        engine: JobEngine,
        state: JobState,
        config: ChatConfig,
        provider: ChatProvider,
        model: str,
        question: str,
    ) -> None:
        self.engine = engine
        self.state = state
        self.config = config
        self.provider = provider
        self.model = model
        self.question = question
        self.usage: dict[str, Any] | None = None
        self._step_counter = 0
        self._dirty = False
        self._flusher: asyncio.Task[None] | None = None
        self._last_progress = 0.0

    # -- the job ----------------------------------------------------------------------------

    async def execute(self) -> None:
        self._flusher = asyncio.create_task(self._flush_periodically())
        if self.config.web_search:
            messages = await self._research()
        else:
            messages = await self._chat_messages()
        await self._stream_answer(messages)

    async def _section_context(self) -> SectionContext:
        core = self.engine.core
        section = await core.sections.get(self.state.section_id)
        document = await core.documents.get(section.document_id)
        outline = (
            await core.sections.outline(section.document_id) if self.config.include_outline else []
        )
        return SectionContext(document.title, outline, section.title, section.content)

    async def _history(self) -> list[Any]:
        history = await self.engine.core.chats.history(
            self.state.session_id, before_id=self.state.user_message_id
        )
        return history

    async def _chat_messages(self) -> list[PromptMessage]:
        built = build_context(
            self.config,
            await self._section_context(),
            await self._history(),
            self.question,
            context_window=self.provider.context_window,
        )
        if built.trimmed_messages:
            step = self.step_started(
                f"left out {built.trimmed_messages} older messages to fit the model's context",
                payload={"trimmed_messages": built.trimmed_messages},
            )
            self.step_finished(step)
        return built.messages

    async def _research(self) -> list[PromptMessage]:
        from vicechat_tui.core.research.fetch import PageFetcher
        from vicechat_tui.core.research.loop import run_research
        from vicechat_tui.core.research.prompts import build_answer_messages
        from vicechat_tui.core.research.search import create_search_provider

        settings = self.engine.core.settings
        search = create_search_provider(settings.web_search)
        assert settings.web_search is not None  # create_search_provider refused otherwise
        fetcher = PageFetcher(settings.web_fetch)
        try:
            outcome = await run_research(
                self.question,
                model=self.provider,
                model_name=self.model,
                search=search,
                fetcher=fetcher,
                cycles=self.config.search_cycles,
                max_sources=self.config.max_sources,
                reporter=self,
                temperature=self.config.temperature,
                results_per_query=settings.web_search.results_per_query,
            )
        finally:
            await search.aclose()
            aclose = getattr(fetcher, "aclose", None)
            if aclose is not None:
                await aclose()
        history = usable_history(await self._history())[-RESEARCH_HISTORY_TURNS:]
        system_prompt = self.config.system_prompt
        if self.config.include_section or self.config.include_outline:
            from vicechat_tui.core.jobs.context import system_text

            system_prompt = system_text(self.config, await self._section_context())
        return build_answer_messages(
            self.question, outcome.sources, outcome.notes, system_prompt, history
        )

    async def _stream_answer(self, messages: Sequence[PromptMessage]) -> None:
        self.state.label = "writing answer"
        if self.state.kind == "web_research":
            self.state.fraction = max(self.state.fraction, 0.9)
        step = self.step_started("writing answer")
        self.engine.publish_progress(self.state)
        request = CompletionRequest(
            model=self.model,
            messages=list(messages),
            temperature=self.config.temperature,
            top_p=self.config.top_p,
            max_tokens=self.config.max_tokens,
        )
        async for item in self.provider.stream(request):
            if isinstance(item, TextDelta):
                self._on_delta(item.text)
            elif isinstance(item, StreamFinished) and item.usage is not None:
                self.usage = {
                    "prompt_tokens": item.usage.prompt_tokens,
                    "completion_tokens": item.usage.completion_tokens,
                }
        self.state.fraction = 1.0
        self.step_finished(step, payload={"tokens": self.state.tokens})

    def _on_delta(self, text: str) -> None:
        state = self.state
        state.append_text(text)
        state.tokens += 1
        self._dirty = True
        self.engine.publish_delta(state, text)
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_EVERY_SECONDS:
            self._last_progress = now
            self.engine.publish_progress(state)

    def close_open_steps(self, status: str) -> None:
        """Mark steps still running (the job was cancelled or failed) with `status`."""
        for step in list(self.state.steps):
            if step.status == "running":
                self.step_finished(step.step_id, status=status)

    # -- persistence ------------------------------------------------------------------------

    async def _flush_periodically(self) -> None:
        interval = self.engine.core.settings.jobs.flush_interval
        while True:
            await asyncio.sleep(interval)
            if self._dirty:
                await self.flush()

    async def stop_flushing(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._flusher
            self._flusher = None

    async def flush(self, final_state: MessageState | None = None) -> None:
        """Write the reply so far (and, at the end, its state and metadata)."""
        message_id = self.state.assistant_message_id
        if message_id is None:
            return
        self._dirty = False
        values: dict[str, Any] = {
            "content": self.state.text,
            "sources": [source.to_json() for source in self.state.sources],
            "steps": [_step_json(step) for step in self.state.steps],
        }
        if final_state is not None:
            values["state"] = final_state.value
            values["usage"] = self.usage
            values["error"] = self.state.error
        await self.engine.core.chats.update_message(message_id, **values)

    # -- reporter for steps, progress and sources ------------------------------------------

    def step_started(
        self, label: str, *, parent: str | None = None, payload: dict[str, Any] | None = None
    ) -> str:
        self._step_counter += 1
        step_id = f"s{self._step_counter}"
        record = StepRecord(step_id, parent, label, "running", dict(payload or {}))
        self.state.steps.append(record)
        self.engine.publish(StepStarted(self.state.job_id, step_id, parent, label, record.payload))
        self._dirty = True
        return step_id

    def step_finished(
        self, step_id: str, *, status: str = "ok", payload: dict[str, Any] | None = None
    ) -> None:
        for record in self.state.steps:
            if record.step_id == step_id:
                merged = {**record.payload, **(payload or {})}
                self.state.replace_step(replace(record, status=status, payload=merged))
                break
        self.engine.publish(StepFinished(self.state.job_id, step_id, status, dict(payload or {})))
        self._dirty = True

    def progress(self, fraction: float, *, cycle: int, cycles: int, label: str) -> None:
        state = self.state
        state.fraction = max(state.fraction, min(fraction, 1.0))
        state.cycle, state.cycles, state.label = cycle, cycles, label
        self.engine.publish_progress(state)

    def sources_found(self, sources: Sequence[Source]) -> None:
        self.state.sources = list(sources)
        self.engine.publish(SourcesFound(self.state.job_id, tuple(sources)))
        self._dirty = True


def _step_json(step: StepRecord) -> dict[str, Any]:
    return {
        "id": step.step_id,
        "parent": step.parent_id,
        "label": step.label,
        "status": step.status,
        "payload": step.payload,
    }
