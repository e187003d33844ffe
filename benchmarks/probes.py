"""In-app instruments: a clock on every painted frame, an event-loop lag probe, a profiler.

`PaintClock` wraps the app instance's `_display` (the one place a composited frame goes to
the terminal): it notes when each frame was written and resolves waiters whose condition
held when the frame was composed, so "until X shows" means "until a frame showing X was
written", not "until X was set".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from textual.app import App

Condition = Callable[[], bool]


class PaintClock:
    """Times the frames an app paints; `await clock.shows(condition)` → time of that frame."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.frames = 0
        self.last_frame = 0.0
        self._waiters: list[tuple[Condition, asyncio.Future[float]]] = []
        self._listeners: list[Callable[[float], None]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            painting = renderable is not None and not app._batch_count
            shown = [] if not painting else [(c, f) for c, f in self._waiters if _holds(c)]
            original(screen, renderable)
            if not painting:
                return
            now = time.monotonic()
            self.frames += 1
            self.last_frame = now
            for waiter in shown:
                self._waiters.remove(waiter)
                if not waiter[1].done():
                    waiter[1].set_result(now)
            for listener in self._listeners:
                listener(now)

        app._display = display  # type: ignore[method-assign]

    def on_frame(self, listener: Callable[[float], None]) -> None:
        """Call `listener(time)` after every painted frame."""
        self._listeners.append(listener)

    async def shows(self, condition: Condition, *, timeout: float = 30.0) -> float:
        """The time the first frame composed while `condition()` held was written."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        waiter = (condition, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)


def _holds(condition: Condition) -> bool:
    try:
        return bool(condition())
    except Exception:
        return False


class LagProbe:
    """A task that sleeps `interval` again and again and records how late it wakes up."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self.times: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.lags.clear()
        self.times.clear()
        self._task = asyncio.create_task(self._run(), name="lag probe")

    async def _run(self) -> None:
        interval = self.interval
        while True:
            started = time.monotonic()
            await asyncio.sleep(interval)
            now = time.monotonic()
            self.times.append(now)
            self.lags.append(max(0.0, now - started - interval))

    def between(self, start: float, end: float) -> list[float]:
        """The lags of the wake-ups between `start` and `end`."""
        return [lag for at, lag in zip(self.times, self.lags, strict=True) if start <= at <= end]

    async def stop(self) -> list[float]:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        return list(self.lags)


async def until(condition: Condition, *, timeout: float = 30.0, poll: float = 0.005) -> None:
    """Let the loop run until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not _holds(condition):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {condition}")
        await asyncio.sleep(poll)


@contextmanager
def profiled(path: Path | None, *, interval: float = 0.001) -> Iterator[None]:
    """Sample the thread with pyinstrument while inside, and write the report to `path`."""
    if path is None:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=interval, async_mode="disabled")
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
