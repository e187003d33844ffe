"""The chat pane's reply being written: it follows one job, draws the job events the
screen's subscription posts to it (text, sources, steps, progress), and renders the stored
reply once in full when the job finishes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from vicechat_tui.core.events import (
    JobFinished,
    JobSnapshot,
    JobStarted,
    SourcesFound,
    StepFinished,
    StepStarted,
)
from vicechat_tui.core.jobs.step_text import READING
from vicechat_tui.widgets.chat_log import RETRYABLE_STATES
from vicechat_tui.widgets.chat_queue import ChatQueue
from vicechat_tui.widgets.job_events import JobEventReceived, JobProgressed, JobTextAppended

if TYPE_CHECKING:
    from vicechat_tui.core.models import ChatMessage

FINAL_STATES = {"completed": "complete"}


def _page_failed(status: str, payload: Mapping[str, object]) -> bool:
    """A page research tried to read was refused or could not be read."""
    return status == "failed" and bool(payload.get("url"))


class LiveReply(ChatQueue):
    """Draws the followed job's reply as it streams; events of other jobs are dropped."""

    def follow(self, job_id: int, started_at: float | None) -> None:
        """Draw job `job_id`'s events from now on (the screen subscribes the pane to them)."""
        self.stop_following()
        self.job_id = job_id
        self.progress.start(started_at)
        self.refresh_queue_note()
        self.refresh_bindings()

    def stop_following(self) -> None:
        self.job_id = None
        self.chat_log.following = None
        self.progress.stop()
        self.research_log.clear()

    async def on_job_event_received(self, message: JobEventReceived) -> None:
        message.stop()
        event = message.event
        if event.job_id != self.job_id:
            return
        if isinstance(event, JobSnapshot):
            view = await self.chat_log.reply_view(event.assistant_message_id)
            view.show_author(event.assistant, event.model)
            await view.begin_stream(event.text)
            view.set_sources(event.sources)
            view.set_steps(event.steps)
            self.progress.show(event)
            self.research_log.show_failed(
                step.payload for step in event.steps if _page_failed(step.status, step.payload)
            )
        elif isinstance(event, JobStarted):
            view = await self.chat_log.reply_view(event.assistant_message_id)
            view.show_author(event.assistant, event.model)
        elif isinstance(event, SourcesFound):
            (await self.chat_log.reply_view(None)).set_sources(event.sources)
        elif isinstance(event, StepStarted | StepFinished):
            (await self.chat_log.reply_view(None)).follow_step(event)  # the steps under it
            if isinstance(event, StepStarted) and not event.label.startswith(READING):
                self.progress.label = event.label  # pages read: counted by the progress label
            elif isinstance(event, StepFinished) and _page_failed(event.status, event.payload):
                self.research_log.page_failed(event.payload)
        elif isinstance(event, JobFinished):
            self.post_message(self.ReplyEnded(event))

    async def on_job_text_appended(self, message: JobTextAppended) -> None:
        message.stop()
        if message.job_id == self.job_id:
            await (await self.chat_log.reply_view(None)).append(message.text)

    def on_job_progressed(self, message: JobProgressed) -> None:
        message.stop()
        if message.job_id == self.job_id:
            self.progress.show(message)

    async def finish_reply(self, event: JobFinished, stored: ChatMessage | None) -> bool:
        """One final full render of the reply (from the stored message), with its error;
        False when the pane no longer shows that job."""
        if event.job_id != self.job_id:
            return False  # the section changed meanwhile
        view = await self.chat_log.reply_view(event.message_id)
        error = None
        if event.error or event.status in RETRYABLE_STATES[:2]:
            error = f"{event.error_title or 'The reply failed'}: {event.error or event.status}"
            error += f" — press {self.key_hint('chat_retry')} to retry."
        view.tooltip = event.error_detail
        await view.finish(
            content=stored.content if stored is not None else view.content,
            state=stored.state
            if stored is not None
            else FINAL_STATES.get(event.status, event.status),
            sources=stored.sources if stored is not None else view.sources,
            error=error,
            model=stored.model if stored is not None else None,
            steps=stored.steps or () if stored is not None else None,  # None: keep the live ones
            assistant=stored.assistant if stored is not None else None,
        )
        self.stop_following()
        self.refresh_queue_note()
        self.refresh_bindings()
        return True
