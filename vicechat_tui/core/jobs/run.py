"""One running chat job: builds the request (or researches first), streams, persists."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vicechat_tui.core.chat_config import ChatConfig
from vicechat_tui.core.events import StepRecord, TokenDelta
from vicechat_tui.core.jobs.context import SectionContext, build_context, usable_history
from vicechat_tui.core.jobs.host import JobHost
from vicechat_tui.core.jobs.knowledge import (
    CONTEXT_SHARE,
    RETRIEVED_PASSAGES,
    SEARCHING_LABEL,
    file_sources,
    found_label,
    passages_tokens,
    passages_within,
    with_passages,
)
from vicechat_tui.core.jobs.reporter import JobReporter
from vicechat_tui.core.jobs.state import JobState
from vicechat_tui.core.models import ChatMessage, MessageState
from vicechat_tui.core.providers.base import (
    ChatProvider,
    CompletionRequest,
    PromptMessage,
    StreamFinished,
    TextDelta,
)
from vicechat_tui.core.providers.redacting import redacting

if TYPE_CHECKING:
    from vicechat_tui.core.knowledge.retrieval import PassageHit

PROGRESS_EVERY_SECONDS = 0.1
RESEARCH_HISTORY_TURNS = 10


class JobRun:
    """Executes one job; everything outside the job goes through its `JobHost`."""

    def __init__(
        self,
        host: JobHost,
        state: JobState,
        config: ChatConfig,
        provider: ChatProvider,
        model: str,
        question: str,
        *,
        retrieval: bool = True,
    ) -> None:
        self.host = host
        self.state = state
        self.config = config
        self.provider = redacting(provider, host.settings.redactor)
        self.model = model
        self.question = question
        self.retrieval = retrieval
        """False: no knowledge collection is searched, not even the document's attached ones."""
        self.reporter = JobReporter(state, host.publish, self._mark_dirty)
        self.usage: dict[str, Any] | None = None
        self.write_failure: Exception | None = None
        """Why the reply could not be stored (a full disk…): the job stops with it."""
        self._dirty = False
        self._flusher: asyncio.Task[None] | None = None
        self._last_progress = 0.0

    def _mark_dirty(self) -> None:
        self._dirty = True

    # -- the job ----------------------------------------------------------------------------

    async def execute(self) -> None:
        self._flusher = asyncio.create_task(self._flush_periodically())
        passages = await self._retrieve()
        if self.config.web_search:
            messages = await self._research()
        else:
            messages = await self._chat_messages(passages_tokens(passages))
        await self._stream_answer(self._with_passages(messages, passages))
        self._stop_if_unstored()

    # -- knowledge ----------------------------------------------------------------------------

    async def _retrieve(self) -> list[PassageHit]:
        """The retrieval step: passages of the person's files for the question (see
        jobs/knowledge.py); nothing, and no step, when the chat draws on no collection or
        the job was started without retrieval."""
        if not self.retrieval:
            return []
        choice = await self.host.knowledge_for(self.state.document_id, self.config.knowledge)
        for name in choice.missing:
            step = self.reporter.step_started(
                f"left out knowledge {name!r}: not one of your collections",
                payload={"collection": name},
            )
            self.reporter.step_finished(step, status="failed")
        if not choice.names:
            return []
        step = self.reporter.step_started(
            SEARCHING_LABEL, payload={"collections": list(choice.names)}
        )
        self.state.label = SEARCHING_LABEL
        self.reporter.publish_progress()
        found = await self.host.retrieve(choice.names, self.question, RETRIEVED_PASSAGES)
        window = self.provider.context_window
        room = window - min(self.config.max_tokens, window // 2)
        kept = passages_within(found.hits, room // CONTEXT_SHARE)
        files = len({hit.path for hit in kept})
        how = {"mode": found.mode, **({"note": found.note} if found.note else {})}
        self.reporter.step_finished(step, payload={"passages": len(kept), "files": files, **how})
        self.state.label = found_label(file_sources(kept, 1))
        self.reporter.publish_progress()
        return kept

    def _with_passages(
        self, messages: list[PromptMessage], passages: Sequence[PassageHit]
    ) -> list[PromptMessage]:
        """The passages as sources numbered after the web ones, quoted into `messages`."""
        if not passages:
            return messages
        from vicechat_tui.core.research.prompts import new_fence

        web = [source for source in self.state.sources if not source.is_file]
        found = file_sources(passages, len(web) + 1)
        self.reporter.sources_found([*web, *found])
        return with_passages(messages, found, new_fence())

    async def _section_context(self) -> SectionContext:
        return await self.host.section_context(
            self.state.section_id, include_outline=self.config.include_outline
        )

    async def _history(self) -> Sequence[ChatMessage]:
        return await self.host.history_before(self.state.session_id, self.state.user_message_id)

    async def _chat_messages(self, reserved_tokens: int = 0) -> list[PromptMessage]:
        """The request; `reserved_tokens` of the context window are kept for passages."""
        built = build_context(
            self.config,
            await self._section_context(),
            await self._history(),
            self.question,
            context_window=self.provider.context_window - reserved_tokens,
        )
        if built.trimmed_messages:
            step = self.reporter.step_started(
                f"left out {built.trimmed_messages} older messages to fit the model's context",
                payload={"trimmed_messages": built.trimmed_messages},
            )
            self.reporter.step_finished(step)
        self._report_shortened(built.section_chars_left_out)
        return built.messages

    def _report_shortened(self, left_out: int) -> None:
        """A step saying the section's text was shortened to fit (nothing if it went whole)."""
        if left_out:
            step = self.reporter.step_started(
                f"left out {left_out:,} characters of the section to fit the model's context",
                payload={"section_chars_left_out": left_out},
            )
            self.reporter.step_finished(step)

    async def _research(self) -> list[PromptMessage]:
        from vicechat_tui.core.research.fetch import PageFetcher
        from vicechat_tui.core.research.loop import run_research
        from vicechat_tui.core.research.prompts import build_answer_messages
        from vicechat_tui.core.research.search import create_search_provider

        settings = self.host.settings
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
                reporter=self.reporter,
                temperature=self.config.temperature,
                results_per_query=settings.web_search.results_per_query,
                limits=settings.research,
            )
        finally:
            await search.aclose()
            aclose = getattr(fetcher, "aclose", None)
            if aclose is not None:
                await aclose()
        history = usable_history(await self._history())[-RESEARCH_HISTORY_TURNS:]
        system_prompt = self.config.system_prompt
        if self.config.include_section or self.config.include_outline:
            from vicechat_tui.core.jobs.context import research_system_text

            system_prompt, left_out = research_system_text(
                self.config,
                await self._section_context(),
                context_window=self.provider.context_window,
            )
            self._report_shortened(left_out)
        return build_answer_messages(
            self.question, outcome.sources, outcome.notes, system_prompt, history
        )

    async def _stream_answer(self, messages: Sequence[PromptMessage]) -> None:
        self.state.label = "writing answer"
        if self.state.kind == "web_research":
            self.state.fraction = max(self.state.fraction, 0.9)
        step = self.reporter.step_started("writing answer")
        self.reporter.publish_progress()
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
                if item.usage.completion_tokens is not None:
                    self.state.report_tokens(item.usage.completion_tokens)
        self.state.fraction = 1.0
        self.reporter.step_finished(step, payload={"tokens": self.state.tokens})
        self.reporter.publish_progress()  # the final count, the provider's own when it sent one

    def _on_delta(self, text: str) -> None:
        if self.write_failure is not None:
            raise self.write_failure
        state = self.state
        state.append_text(text)
        self._dirty = True
        self.host.publish(TokenDelta(state.job_id, text))
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_EVERY_SECONDS:
            self._last_progress = now
            self.reporter.publish_progress()

    def keep_cited_sources(self) -> None:
        """At the end: the reply's sources become the ones its text cites (see citing.py)."""
        from vicechat_tui.core.jobs.citing import cited_sources

        cited = cited_sources(self.state.text, self.state.sources)
        if cited != self.state.sources:
            self.reporter.sources_found(cited)

    def close_open_steps(self, status: str) -> None:
        """Mark steps still running (the job was cancelled or failed) with `status`."""
        self.reporter.close_open_steps(status)

    # -- persistence ------------------------------------------------------------------------

    async def _flush_periodically(self) -> None:
        interval = self.host.settings.flush_interval
        while True:
            await asyncio.sleep(interval)
            if self._dirty:
                try:
                    await self.flush()
                except Exception as error:  # the reply cannot be kept: streaming on is pointless
                    self.write_failure = error
                    return

    def _stop_if_unstored(self) -> None:
        """End the job with the write failure, if the reply could not be stored."""
        if self.write_failure is not None:
            raise self.write_failure

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
        await self.host.update_message(message_id, **values)


def _step_json(step: StepRecord) -> dict[str, Any]:
    return {
        "id": step.step_id,
        "parent": step.parent_id,
        "label": step.label,
        "status": step.status,
        "payload": step.payload,
    }
