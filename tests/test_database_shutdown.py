"""A SQLite connection dropped while the task using it is cancelled closes at once.

SQLAlchemy's own terminate left a "graceful" close waiting forever for aiosqlite's stopped
thread, so the event loop could not shut down (the app hung on quit; CI hung at a test's end).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from vicechat_tui.core.database import create_engine_for


async def test_a_connection_terminated_by_a_cancelled_task_leaves_nothing_waiting(
    tmp_path: Path,
) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'v.db'}")
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            adapted = raw.dbapi_connection
            assert adapted is not None

            def terminate(_: Any) -> None:
                adapted.terminate()  # as the pool does when it invalidates a connection

            task = asyncio.create_task(connection.run_sync(terminate))
            await asyncio.sleep(0)
            await asyncio.sleep(0)  # the terminate has begun
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            left = [job for job in asyncio.all_tasks() if job is not asyncio.current_task()]
            if left:
                _, pending = await asyncio.wait(left, timeout=2)
                assert not pending, f"still waiting: {pending}"
    finally:
        with contextlib.suppress(Exception):
            await engine.dispose()


async def test_a_terminated_connection_has_stopped_its_thread_when_terminate_returns(
    tmp_path: Path,
) -> None:
    """A thread still running after terminate reports to a loop that a failing CLI command has
    already closed, and its traceback lands in the user's terminal (it did, in CI)."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'v.db'}")
    try:
        connection = await engine.connect()
        raw = await connection.get_raw_connection()
        adapted = raw.dbapi_connection
        assert adapted is not None
        thread = adapted._connection._thread
        assert thread.is_alive()
        adapted.terminate()
        assert not thread.is_alive()
        with contextlib.suppress(Exception):
            await connection.invalidate()
            await connection.close()
    finally:
        with contextlib.suppress(Exception):
            await engine.dispose()
