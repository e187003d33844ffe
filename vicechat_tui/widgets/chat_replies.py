"""Sending messages and following the shown section's reply, for the chat pane.

Policy: at most one followed job per pane (the shown section's); following another one or
switching section cancels the subscription worker (group "chat-follow"), never the job.
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from vicechat_tui.core.errors import ProviderNotConfiguredError, VicechatError
from vicechat_tui.core.events import (
    JobFinished,
    JobSnapshot,
    JobStarted,
    SourcesFound,
    StepStarted,
)
from vicechat_tui.widgets.chat_message import ChatMessageView
from vicechat_tui.widgets.job_events import (
    JobEventReceived,
    JobProgressed,
    JobTextAppended,
    follow_job,
)

if TYPE_CHECKING:
    from vicechat_tui.widgets.chat_pane import ChatPane

FOLLOW_GROUP = "chat-follow"
RETRYABLE_STATES = ("failed", "interrupted", "cancelled")
FINAL_STATES = {"completed": "complete"}


class ReplyFollower:
    """The pane's link to the chat job engine: send, follow, cancel, retry."""

    def __init__(self, pane: ChatPane) -> None:
        self.pane = pane
        self.job_id: int | None = None
        self.view: ChatMessageView | None = None

    @property
    def running(self) -> bool:
        return self.job_id is not None

    def can_retry(self) -> bool:
        """After a failed, cancelled or interrupted reply (or a message left unanswered)."""
        views = self.pane.chat_log.views()
        if self.running or not views or self.pane.chat_log.last("user") is None:
            return False
        last = views[-1]
        return last.role == "user" or last.state in RETRYABLE_STATES

    def stop(self) -> None:
        """Stop following (the job goes on in the core)."""
        self.pane.workers.cancel_group(self.pane, FOLLOW_GROUP)
        self.job_id = None
        self.view = None

    def resume(self, section_id: int) -> None:
        """Follow the section's running job, if it has one."""
        core = self.pane.core
        job = core.jobs.active_job_for_section(section_id) if core is not None else None
        if job is not None:
            self.follow(job.job_id, job.started_at)

    def follow(self, job_id: int, started_at: float | None) -> None:
        core = self.pane.core
        if core is None:
            return
        self.stop()
        self.job_id = job_id
        self.pane.progress.start(started_at)
        follow_job(self.pane, core, job_id, group=FOLLOW_GROUP)
        self.pane.refresh_bindings()

    async def send(self, text: str, *, retry_of: int | None = None) -> int | None:
        """Start a job for `text` (or answer stored message `retry_of` again).

        None, with a note and the draft untouched, when the core refuses.
        """
        pane, core = self.pane, self.pane.core
        if core is None or pane.document_id is None or pane.section_id is None:
            return None
        generation = pane.generation
        try:
            if retry_of is None:
                job_id = await core.jobs.send(pane.document_id, pane.section_id, text)
            else:
                job_id = await core.jobs.retry(pane.document_id, pane.section_id, retry_of)
        except ProviderNotConfiguredError as error:
            pane.set_notice(error.message)
            pane.set_note(f"{error.title}: {error.message}")
            return None
        except VicechatError as error:
            pane.set_note(f"{error.title}: {error.message}")
            return None
        except Exception as error:  # the one error path shows it; the draft stays
            pane.report(error)
            return None
        if generation != pane.generation:
            return job_id
        state = core.jobs.get(job_id)
        pane.set_note(None)
        if retry_of is None:
            await pane.chat_log.add(
                ChatMessageView(message_id=state.user_message_id, role="user", content=text)
            )
        pane.chat_log.scroll_end(animate=False)
        pane.chat_log.anchor()
        self.follow(job_id, state.started_at)
        return job_id

    async def retry(self) -> None:
        """Answer the last user message again (it is not stored a second time)."""
        last = self.pane.chat_log.last("user")
        if last is None or self.running:
            return
        if last.message_id is None:
            await self.send(last.content)
        else:
            await self.send(last.content, retry_of=last.message_id)

    async def cancel(self) -> None:
        core = self.pane.core
        if core is None or self.job_id is None:
            return
        try:
            await core.jobs.cancel(self.job_id)
        except VicechatError as error:
            self.pane.set_note(f"{error.title}: {error.message}")

    async def _assistant_view(self, message_id: int | None) -> ChatMessageView:
        """The view the followed reply streams into, mounted when missing."""
        view = self.view
        if view is None or (message_id is not None and view.message_id not in (None, message_id)):
            view = self.pane.chat_log.view_for(message_id)
            if view is None:
                view = ChatMessageView(message_id=message_id, role="assistant", state="streaming")
                await self.pane.chat_log.add(view)
            self.view = view
        if view.message_id is None:
            view.message_id = message_id
        return view

    async def on_event(self, message: JobEventReceived) -> None:
        event = message.event
        if event.job_id != self.job_id:
            return
        if isinstance(event, JobSnapshot):
            view = await self._assistant_view(event.assistant_message_id)
            await view.begin_stream(event.text)
            view.set_sources(event.sources)
            progress = self.pane.progress
            progress.label, progress.cycle, progress.cycles = event.label, event.cycle, event.cycles
            progress.tokens, progress.fraction = event.tokens, event.fraction
        elif isinstance(event, JobStarted):
            await self._assistant_view(event.assistant_message_id)
        elif isinstance(event, SourcesFound):
            (await self._assistant_view(None)).set_sources(event.sources)
        elif isinstance(event, StepStarted):
            self.pane.progress.label = event.label
        elif isinstance(event, JobFinished):
            await self._finish(event)

    async def on_text(self, message: JobTextAppended) -> None:
        if message.job_id != self.job_id:
            return
        await (await self._assistant_view(None)).append(message.text)
        core = self.pane.core
        if core is not None:  # the engine sends progress a few times a second; count live
            with suppress(VicechatError):
                self.pane.progress.tokens = core.jobs.get(message.job_id).tokens

    def on_progress(self, message: JobProgressed) -> None:
        if message.job_id != self.job_id:
            return
        progress = self.pane.progress
        progress.label, progress.cycle, progress.cycles = (
            message.label,
            message.cycle,
            message.cycles,
        )
        progress.tokens, progress.fraction = message.tokens, message.fraction

    async def _finish(self, event: JobFinished) -> None:
        """One final full render from the stored message, with the error if it failed."""
        core = self.pane.core
        view = await self._assistant_view(event.message_id)
        stored = None
        if core is not None and event.message_id is not None:
            stored = await core.chats.get_message(event.message_id)
        if self.job_id != event.job_id:
            return  # the section changed meanwhile
        error = None
        if event.error or event.status in RETRYABLE_STATES[:2]:
            error = f"{event.error_title or 'The reply failed'}: {event.error or event.status}"
            error += f" — press {self.pane.key_hint('chat_retry')} to retry."
        view.tooltip = event.error_detail
        await view.finish(
            content=stored.content if stored is not None else view.content,
            state=stored.state
            if stored is not None
            else FINAL_STATES.get(event.status, event.status),
            sources=stored.sources if stored is not None else view.sources,
            error=error,
            model=stored.model if stored is not None else None,
        )
        self.job_id, self.view = None, None
        self.pane.progress.stop()
        self.pane.refresh_bindings()
