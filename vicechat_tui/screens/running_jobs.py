"""Which sections have a chat job running, for the tree's ⟳ marker, kept live.

Two sources, merged: this process's jobs come from the engine's event feed the moment they
start or end; jobs of other processes on the same database (a `vicechat ask` in another
terminal) come from a small query every `POLL_SECONDS` (`jobs.unfinished_jobs`: one
indexed lookup of pending/running rows). A poll rather than SQLite's `data_version`: that
pragma is per connection and SQLite-only, while the query reads the same on PostgreSQL,
costs about a millisecond off the event loop (aiosqlite's thread, asyncpg), and a second's
delay for another process's job is well within what a person notices as "at once".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from vicechat_tui.core.errors import DatabaseError

if TYPE_CHECKING:
    from vicechat_tui.core.jobs.engine import JobEngine

LIVE = ("pending", "running")
POLL_SECONDS = 1.0
"""How often the database is asked about jobs other processes run."""

log = logging.getLogger(__name__)


class RunningJobs:
    """Job ids → section ids of live jobs, from the event feed and the database poll."""

    def __init__(
        self,
        engine: JobEngine,
        show: Callable[[frozenset[int]], None],
        *,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.engine = engine
        self.show = show
        """Called with the sections to mark whenever the set may have changed."""
        self.poll_seconds = poll_seconds
        self._live: dict[int, int] = {}
        """This process's live jobs, from its events."""
        self._ended: set[int] = set()
        """Jobs this process saw end (the database may say "running" a moment longer)."""
        self._stored: dict[int, int] = {}
        """Pending/running jobs as the last poll found them (any process)."""

    def sections(self) -> frozenset[int]:
        stored = (section for job, section in self._stored.items() if job not in self._ended)
        return frozenset(self._live.values()) | frozenset(stored)

    async def follow_events(self) -> None:
        """Mark and unmark this process's jobs as their events arrive."""
        from vicechat_tui.core.events import JobFinished, JobSnapshot, JobStarted

        async for event in self.engine.subscribe_all():
            if isinstance(event, JobStarted):  # noqa: SIM114 (a union loses section_id)
                self._live[event.job_id] = event.section_id
            elif isinstance(event, JobSnapshot) and event.status in LIVE:
                self._live[event.job_id] = event.section_id
            elif isinstance(event, JobSnapshot | JobFinished):
                self._live.pop(event.job_id, None)
                self._ended.add(event.job_id)
            else:
                continue
            self.show(self.sections())

    async def poll(self) -> None:
        """Ask the database every `poll_seconds` which jobs are unfinished, until cancelled."""
        while True:
            await self.poll_once()
            await asyncio.sleep(self.poll_seconds)

    async def poll_once(self) -> None:
        try:
            stored = await self.engine.unfinished_jobs()
        except DatabaseError as error:  # locked or busy for a moment: the next poll retries
            log.info("could not read the running jobs: %s", error)
            return
        if stored != self._stored:
            self._stored = stored
            self.show(self.sections())
