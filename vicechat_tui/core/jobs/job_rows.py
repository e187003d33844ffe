"""The engine's jobs as the database holds them, for the documents this user may see: the
recent ones, the unfinished ones (whichever process runs them), and marking the ones whose
process died as interrupted."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select, select, update
from sqlmodel import col

from vicechat_tui.core.models import (
    ChatJob,
    ChatMessage,
    ChatSession,
    Document,
    JobStatus,
    MessageState,
    Section,
    utc_now,
)
from vicechat_tui.core.services.access import editable_by, live_section, visible_to

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore

RUNNER = f"{socket.gethostname()}:{os.getpid()}"
"""This process, as a job row names the process running it."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


Joinable = TypeVar("Joinable", bound=Select[*tuple[Any, ...]])


def _runner_is_dead(runner: str | None) -> bool:
    """True when the job's process is known to be gone (same host, pid not alive)."""
    if not runner or ":" not in runner:
        return True
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname():
        return False
    if runner == RUNNER:
        return False
    return not pid.isdigit() or not _pid_alive(int(pid))


def _with_document(query: Joinable) -> Joinable:
    """`query` over jobs joined to their document, for `access.visible_to`/`editable_by`."""
    return (
        query.join(ChatSession, col(ChatSession.id) == col(ChatJob.session_id))
        .join(Section, col(Section.id) == col(ChatSession.section_id))
        .join(Document, col(Document.id) == col(Section.document_id))
    )


class JobRows:
    """The stored-jobs part of `JobEngine` (which sets `core`)."""

    core: VicechatCore

    async def recent_jobs(self, limit: int = 50) -> list[ChatJob]:
        """The newest jobs of the documents this user may see, from the database."""
        query = (
            _with_document(select(ChatJob))
            .where(visible_to(self.core.user), live_section())
            .order_by(col(ChatJob.id).desc())
            .limit(limit)
        )
        async with self.core.database.session() as db:
            return [job for job in (await db.execute(query)).scalars()]

    async def unfinished_jobs(self) -> dict[int, int]:
        """Job id → section id of the jobs the database shows pending or running, whichever
        process runs them (another `vicechat ask` on the same database included), for the
        documents this user may see. One small query on the indexed status column."""
        unfinished = (JobStatus.PENDING.value, JobStatus.RUNNING.value)
        query = (
            _with_document(select(col(ChatJob.id), col(ChatJob.section_id)))
            .where(col(ChatJob.status).in_(unfinished))
            .where(visible_to(self.core.user))
        )
        async with self.core.database.session() as db:
            rows = await db.execute(query)
            return {job_id: section_id for job_id, section_id in rows if job_id is not None}

    async def recover_interrupted(self) -> int:
        """Mark jobs whose process died as interrupted, keeping their partial replies."""
        unfinished = (JobStatus.PENDING.value, JobStatus.RUNNING.value)
        async with self.core.database.session() as db:
            query = _with_document(select(ChatJob)).where(
                col(ChatJob.status).in_(unfinished), editable_by(self.core.user)
            )
            found: list[ChatJob] = list((await db.execute(query)).scalars())
            orphans = [job for job in found if _runner_is_dead(job.runner)]
            for job in orphans:
                job.status = JobStatus.INTERRUPTED.value
                job.finished_at = utc_now()
                job.error = "The program stopped while this reply was being written."
                if job.result_message_id is not None:
                    await db.execute(
                        update(ChatMessage)
                        .where(col(ChatMessage.id) == job.result_message_id)
                        .values(state=MessageState.INTERRUPTED.value, updated_at=utc_now())
                    )
            stranded = select(col(ChatMessage.id)).where(  # its job ended before its last write
                col(ChatMessage.state) == MessageState.STREAMING.value,
                col(ChatMessage.id).in_(
                    _with_document(select(col(ChatJob.result_message_id))).where(
                        col(ChatJob.status).not_in(unfinished), editable_by(self.core.user)
                    )
                ),
            )
            # (a full disk); written only when there is one: a read-only database stays usable
            if stranded_ids := list((await db.execute(stranded)).scalars()):
                await db.execute(
                    update(ChatMessage)
                    .where(col(ChatMessage.id).in_(stranded_ids))
                    .values(state=MessageState.FAILED.value)
                )
            await db.commit()
        return len(orphans)
