"""The chat job engine: runs each reply as an asyncio task, streams events, persists as it goes.

See API.md beside this file for the contract the UI and the CLI rely on. The engine is
made of parts: a chat's queue (`chat_queue`) and the jobs as stored (`job_rows`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlmodel import col

from vicechat_tui.core.chat_config import ChatConfig
from vicechat_tui.core.errors import (
    EmptyMessageError,
    InvalidInputError,
    JobNotFoundError,
    ProviderError,
)
from vicechat_tui.core.events import JobEvent, JobFinished, JobStarted
from vicechat_tui.core.jobs.chat_queue import ChatQueue
from vicechat_tui.core.jobs.host import CoreJobHost
from vicechat_tui.core.jobs.hub import EventHub
from vicechat_tui.core.jobs.job_rows import RUNNER, JobRows
from vicechat_tui.core.jobs.run import JobRun
from vicechat_tui.core.jobs.state import JobState
from vicechat_tui.core.jobs.stored import load_job_state, stored_job_events
from vicechat_tui.core.models import (
    ChatJob,
    ChatMessage,
    JobKind,
    JobStatus,
    MessageRole,
    MessageState,
    utc_now,
)

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore

log = logging.getLogger(__name__)


class JobEngine(ChatQueue, JobRows):
    """Starts, tracks, streams and cancels chat jobs for one VicechatCore.

    Visibility: the jobs in memory are this engine's own, started for its user through the
    services' checks; `status`, `subscribe` (a job that left memory), `recent_jobs` and
    `recover_interrupted` read the database through `services.access`.
    """

    def __init__(self, core: VicechatCore) -> None:
        self.core = core
        self._settings = core.settings.jobs
        self._states: dict[int, JobState] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._runs: dict[int, JobRun] = {}
        self._failures: dict[int, Exception] = {}
        self._hub = EventHub()
        self._host = CoreJobHost(core, self._hub.publish)
        self._slots = asyncio.Semaphore(self._settings.max_concurrent)
        self._queue_lock = asyncio.Lock()
        """Taken to look at and change a chat's queue, so a reply ending at that moment
        cannot miss a message being queued (nor send one being taken back)."""
        self._closed = False

    # -- starting ---------------------------------------------------------------------------

    async def send(
        self,
        document_id: int,
        section_id: int,
        text: str,
        *,
        overrides: Mapping[str, Any] | None = None,
        retrieval: bool = True,
    ) -> int:
        """Store the user's message, start a job for the reply, return the job id at once.
        `retrieval=False`: the reply searches no knowledge collection, neither its settings'
        nor the document's attached ones (an AI edit rewrites only the text it is given)."""
        if not text.strip():
            raise EmptyMessageError()
        chats = self.core.chats
        session = await chats.open_session(document_id, section_id)
        assert session.id is not None
        config = await chats.config_for_reply(session.id, overrides)
        self.core.providers.get(config.provider)  # refuse before storing when none is set up
        user_message = await chats.add_message(session.id, MessageRole.USER.value, text)
        return await self._start(
            document_id, section_id, session.id, config, user_message, retrieval=retrieval
        )

    async def retry(self, document_id: int, section_id: int, user_message_id: int) -> int:
        """Answer an already stored user message again (after a failure), as a new job."""
        chats = self.core.chats
        session = await chats.open_session(document_id, section_id)
        assert session.id is not None
        message = await chats.get_message(user_message_id)
        if message.session_id != session.id or message.role != MessageRole.USER.value:
            raise InvalidInputError("That message is not a question in this section's chat.")
        if message.state == MessageState.QUEUED.value:
            raise InvalidInputError("That message is still waiting in the queue.")
        config = await chats.config_for_reply(session.id)
        self.core.providers.get(config.provider)  # refuse early when none is configured
        return await self._start(document_id, section_id, session.id, config, message)

    async def _start(
        self,
        document_id: int,
        section_id: int,
        session_id: int,
        config: ChatConfig,
        user_message: ChatMessage,
        *,
        retrieval: bool = True,
    ) -> int:
        """Create the reply's message and job rows and start the job's task."""
        chats = self.core.chats
        provider = self.core.providers.get(config.provider)
        model = config.model or provider.default_model or ""
        text = user_message.content
        reply = await chats.add_message(
            session_id,
            MessageRole.ASSISTANT.value,
            "",
            state=MessageState.STREAMING,
            model=model or None,
            assistant=config.assistant,
        )
        kind = JobKind.WEB_RESEARCH if config.web_search else JobKind.CHAT
        job = ChatJob(
            session_id=session_id,
            section_id=section_id,
            kind=kind.value,
            cycles=config.search_cycles if config.web_search else 0,
            user_message_id=user_message.id,
            result_message_id=reply.id,
            assistant=config.assistant,
            runner=RUNNER,
        )
        async with self.core.database.session() as db:
            db.add(job)
            await db.commit()
            await db.refresh(job)
        assert job.id is not None and user_message.id is not None
        state = JobState(
            job_id=job.id,
            session_id=session_id,
            document_id=document_id,
            section_id=section_id,
            kind=kind.value,
            user_message_id=user_message.id,
            assistant_message_id=reply.id,
            cycles=job.cycles,
            model=model or None,
            assistant=config.assistant,
        )
        self._states[job.id] = state
        run = JobRun(self._host, state, config, provider, model, text, retrieval=retrieval)
        self._runs[job.id] = run
        self._tasks[job.id] = asyncio.create_task(self._run(run), name=f"chat-job-{job.id}")
        return job.id

    async def _run(self, run: JobRun) -> None:
        state = run.state
        try:
            async with self._slots:
                state.status = JobStatus.RUNNING.value
                state.started_at = time.monotonic()
                state.label = "starting"
                await self._update_job_row(state, started_at=utc_now())
                self._hub.publish(
                    JobStarted(
                        state.job_id,
                        state.session_id,
                        state.section_id,
                        state.kind,
                        state.user_message_id,
                        state.assistant_message_id or 0,
                        state.model,
                        state.assistant,
                    )
                )
                await run.execute()
            await self._finish(run, JobStatus.COMPLETED)
        except asyncio.CancelledError:
            await self._finish(run, JobStatus.CANCELLED)
        except ProviderError as error:
            await self._finish(run, JobStatus.FAILED, error)
        except Exception as error:  # any other failure must still end the job cleanly
            from vicechat_tui.core.errors import VicechatError

            if not isinstance(error, VicechatError):
                log.exception("chat job %s failed", state.job_id)
                error = VicechatError(f"The reply failed unexpectedly: {error}", detail=repr(error))
            await self._finish(run, JobStatus.FAILED, error)
        finally:
            self._tasks.pop(state.job_id, None)
            self._runs.pop(state.job_id, None)

    async def _finish(self, run: JobRun, status: JobStatus, error: Exception | None = None) -> None:
        state = run.state
        await run.stop_flushing()
        if status is not JobStatus.COMPLETED:
            run.close_open_steps("cancelled" if status is JobStatus.CANCELLED else "failed")
        run.keep_cited_sources()
        state.finished_at = time.monotonic()
        message_state = {
            JobStatus.COMPLETED: MessageState.COMPLETE,
            JobStatus.CANCELLED: MessageState.CANCELLED,
        }.get(status, MessageState.FAILED)
        self._record_end(state, status, error)
        reply_stored = True
        try:
            await run.flush(final_state=message_state)
        except Exception as write_error:  # the reply is kept as far as its last write went
            status, error, reply_stored = JobStatus.FAILED, write_error, False
            self._record_end(state, status, error)
        await self._store_end(state, reply_stored=reply_stored)
        if status is JobStatus.COMPLETED:  # before JobFinished: a follower finds the next job
            await self._send_next(state)
        self._hub.publish(
            JobFinished(
                state.job_id,
                status.value,
                state.assistant_message_id,
                state.error,
                state.error_title,
                state.error_detail,
            )
        )
        loop = asyncio.get_running_loop()
        loop.call_later(self._settings.keep_finished_seconds, self._forget, state.job_id)

    def _record_end(self, state: JobState, status: JobStatus, error: Exception | None) -> None:
        state.status = status.value
        if error is not None:
            secret_free = self._host.settings.redactor.redact_message
            state.error = secret_free(getattr(error, "message", str(error)))
            state.error_title = secret_free(getattr(error, "title", "Error"))
            state.error_detail = secret_free(getattr(error, "detail", None))
            self._failures[state.job_id] = error
        state.label = {"completed": "done", "cancelled": "cancelled"}.get(status.value, "failed")

    async def _store_end(self, state: JobState, *, reply_stored: bool) -> None:
        """The job row's end and, when the reply's last write failed, the reply's state and
        error without its text; each as far as the database lets it (a full disk or a broken
        database must not hide the outcome from the follower)."""
        writes = [
            self._update_job_row(
                state, finished_at=utc_now(), error=state.error, error_detail=state.error_detail
            )
        ]
        if not reply_stored and state.assistant_message_id is not None:
            writes.append(
                self._host.update_message(
                    state.assistant_message_id, state=MessageState.FAILED.value, error=state.error
                )
            )
        for write in writes:
            try:
                await write
            except Exception:
                log.debug("could not store the end of job %s", state.job_id, exc_info=True)

    def failure(self, job_id: int) -> Exception | None:
        """The exception a failed job ended with, while it is in memory (the CLI exits with
        the database's code when a reply could not be stored)."""
        return self._failures.get(job_id)

    def _forget(self, job_id: int) -> None:
        state = self._states.get(job_id)
        if state is not None and state.is_finished:
            del self._states[job_id]
            self._failures.pop(job_id, None)
            self._hub.forget(job_id)

    async def _update_job_row(self, state: JobState, **extra: Any) -> None:
        values = {
            "status": state.status,
            "progress": state.fraction,
            "cycle": state.cycle,
            "cycles": state.cycles,
            "step_label": state.label[:500],
            **extra,
        }
        async with self.core.database.session() as db:
            await db.execute(
                update(ChatJob).where(col(ChatJob.id) == state.job_id).values(**values)
            )
            await db.commit()

    # -- events -----------------------------------------------------------------------------

    def subscribe(self, job_id: int) -> AsyncIterator[JobEvent]:
        """A snapshot, then the job's events until its JobFinished (see API.md).

        A job that left memory is rebuilt from the database: its snapshot and JobFinished.
        """
        state = self._states.get(job_id)
        if state is None:
            return stored_job_events(self.core, job_id)
        return self._hub.job_events(job_id, state.snapshot)

    def subscribe_all(self) -> AsyncIterator[JobEvent]:
        return self._hub.all_events(
            lambda: [s.snapshot() for s in self._states.values() if not s.is_finished]
        )

    # -- looking up and controlling ---------------------------------------------------------

    def get(self, job_id: int) -> JobState:
        try:
            return self._states[job_id]
        except KeyError:
            raise JobNotFoundError(job_id) from None

    async def status(self, job_id: int) -> JobState:
        """The job's state from memory, or rebuilt from the database once it left memory."""
        if job_id in self._states:
            return self._states[job_id]
        return await load_job_state(self.core, job_id)

    def jobs(self) -> list[JobState]:
        return sorted(self._states.values(), key=lambda s: s.job_id)

    def active_job_for_section(self, section_id: int) -> JobState | None:
        for state in self._states.values():
            if state.section_id == section_id and not state.is_finished:
                return state
        return None

    async def cancel(self, job_id: int) -> None:
        """Cancel a pending or running job; its partial reply is kept."""
        state = self.get(job_id)
        task = self._tasks.get(job_id)
        if task is None or state.is_finished:
            return
        run = self._runs.get(job_id)
        task.cancel()
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.done():
                raise
        if not state.is_finished and run is not None:
            # Cancelled before its coroutine ever ran: finish it here.
            await self._finish(run, JobStatus.CANCELLED)
            self._runs.pop(job_id, None)

    async def wait(self, job_id: int) -> JobState:
        state = self.get(job_id)
        task = self._tasks.get(job_id)
        if task is not None:
            await asyncio.shield(task)
        return state

    async def aclose(self) -> None:
        """Cancel running jobs (their partial replies are kept) and stop subscriptions."""
        if self._closed:
            return
        self._closed = True
        tasks = list(self._tasks.values())
        runs = list(self._runs.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for run in runs:
            if not run.state.is_finished:  # cancelled before it ever ran
                await self._finish(run, JobStatus.CANCELLED)
        self._hub.close()
