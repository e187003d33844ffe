"""Fan-out of job events to any number of asynchronous subscribers, without polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from vicechat_tui.core.events import JobEvent, JobFinished, JobSnapshot

_CLOSED = object()


class EventHub:
    """Per-job and all-jobs subscriptions. Publishing never blocks the publisher."""

    def __init__(self) -> None:
        self._by_job: dict[int, set[asyncio.Queue[object]]] = {}
        self._everything: set[asyncio.Queue[object]] = set()
        self._finished: dict[int, JobFinished] = {}

    def publish(self, event: JobEvent) -> None:
        job_id = event.job_id
        if isinstance(event, JobFinished):
            self._finished[job_id] = event
        for queue in (*self._by_job.get(job_id, ()), *self._everything):
            queue.put_nowait(event)

    def forget(self, job_id: int) -> None:
        self._finished.pop(job_id, None)

    async def job_events(
        self, job_id: int, snapshot: Callable[[], JobSnapshot]
    ) -> AsyncIterator[JobEvent]:
        """A snapshot, then live events of one job, ending after its JobFinished."""
        queue: asyncio.Queue[object] = asyncio.Queue()
        self._by_job.setdefault(job_id, set()).add(queue)
        try:
            yield snapshot()
            finished = self._finished.get(job_id)
            if finished is not None:
                yield finished
                return
            while True:
                item = await queue.get()
                if item is _CLOSED:
                    return
                yield item  # type: ignore[misc]
                if isinstance(item, JobFinished):
                    return
        finally:
            subscribers = self._by_job.get(job_id)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._by_job[job_id]

    async def all_events(
        self, snapshots: Callable[[], list[JobSnapshot]]
    ) -> AsyncIterator[JobEvent]:
        """Snapshots of live jobs, then every job's events until the hub closes."""
        queue: asyncio.Queue[object] = asyncio.Queue()
        self._everything.add(queue)
        try:
            for snapshot in snapshots():
                yield snapshot
            while True:
                item = await queue.get()
                if item is _CLOSED:
                    return
                yield item  # type: ignore[misc]
        finally:
            self._everything.discard(queue)

    def close(self) -> None:
        for queue in (*self._everything, *(q for qs in self._by_job.values() for q in qs)):
            queue.put_nowait(_CLOSED)
