"""Jobs that left the engine's memory, rebuilt from the database (where every job stays)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from vicechat_tui.core.events import JobEvent, JobFinished
from vicechat_tui.core.jobs.state import JobState
from vicechat_tui.core.models import ChatJob, ChatMessage
from vicechat_tui.core.services.access import checked

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore


async def load_job_state(core: VicechatCore, job_id: int) -> JobState:
    """The stored job as a `JobState`; JobNotFoundError when there is none (or not yours)."""
    async with core.database.session() as db:
        job, access = await checked(db, core.user, ChatJob, job_id)
        message = (
            await db.get(ChatMessage, job.result_message_id) if job.result_message_id else None
        )
    reported = (message.usage or {}).get("completion_tokens") if message else None
    return JobState(
        job_id=job_id,
        session_id=job.session_id,
        document_id=access.document.id or 0,
        section_id=job.section_id,
        kind=job.kind,
        user_message_id=job.user_message_id or 0,
        assistant_message_id=job.result_message_id,
        status=job.status,
        text_so_far=message.content if message else "",
        fraction=job.progress,
        cycle=job.cycle,
        cycles=job.cycles,
        label=job.step_label,
        tokens=reported if isinstance(reported, int) else 0,
        tokens_estimated=not isinstance(reported, int),
        model=message.model if message else None,
        assistant=job.assistant,
        error=job.error,
        error_detail=job.error_detail,
    )


async def stored_job_events(core: VicechatCore, job_id: int) -> AsyncIterator[JobEvent]:
    """A snapshot of the stored job, then its JobFinished when it has finished; then the end.

    A job still pending or running in the database belongs to another process, whose events
    this one cannot see: its subscription ends after the snapshot.
    """
    state = await load_job_state(core, job_id)
    yield state.snapshot()
    if state.is_finished:
        yield JobFinished(
            job_id, state.status, state.assistant_message_id, state.error, None, state.error_detail
        )
