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
from contextlib import contextmanager, suppress
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
        self.errors: list[str] = []
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
                try:
                    listener(now)
                except Exception as error:  # an instrument must never break the app
                    self.errors.append(repr(error))

        app._display = display  # type: ignore[method-assign]

    def on_frame(self, listener: Callable[[float], None]) -> None:
        """Call `listener(time)` after every painted frame."""
        self._listeners.append(listener)

    def watch(self, condition: Condition) -> asyncio.Future[float]:
        """A future for the time of the first frame composed while `condition()` held.

        Register it before the change it waits for: a frame painted earlier does not count.
        """
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters.append((condition, future))
        return future

    async def shows(self, condition: Condition, *, timeout: float = 30.0) -> float:
        """Wait for the first frame from now on composed while `condition()` held."""
        future = self.watch(condition)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiters = [w for w in self._waiters if w[1] is not future]


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
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        return list(self.lags)


class GcWatch:
    """Notes every garbage collection (start, seconds, generation) while installed."""

    def __init__(self) -> None:
        self.collections: list[tuple[float, float, int]] = []
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._started = now
        else:
            self.collections.append((time.monotonic(), now - self._started, info["generation"]))

    def __enter__(self) -> GcWatch:
        import gc

        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        import gc

        gc.callbacks.remove(self._callback)

    def pauses_between(self, start: float, end: float) -> float:
        """Seconds of collection that ended between `start` and `end`."""
        return sum(took for at, took, _ in self.collections if start <= at <= end)

    def summary(self) -> dict[str, float]:
        full = [took for _, took, generation in self.collections if generation == 2]
        return {
            "collections": len(self.collections),
            "gen2_collections": len(full),
            "gen2_max_ms": round(max(full, default=0.0) * 1000, 1),
            "total_ms": round(sum(took for _, took, _ in self.collections) * 1000, 1),
        }


class StallWatch:
    """Where the event loop is stuck: its thread's stack, sampled while it is blocked.

    A task beats every `interval`; a watchdog thread that sees no beat for `threshold`
    takes the loop thread's stack every `interval` until the next beat, so each stall (a
    callback, a frame, a collection running too long) gets the frames it was spent in.
    `report()` lists the stalls, longest first, each with its most sampled frames.
    """

    SHOWN = ("vicechat_tui", "/textual/", "/rich/", "/sqlalchemy/", "/httpx/")

    def __init__(self, *, threshold: float = 0.03, interval: float = 0.005) -> None:
        self.threshold = threshold
        self.interval = interval
        self.stalls: dict[float, tuple[float, list[tuple[str, ...]]]] = {}
        self._beat = time.monotonic()
        self._running = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        import threading

        loop_thread = threading.get_ident()
        self._running = True
        self._task = asyncio.create_task(self._beating(), name="stall watch beat")
        threading.Thread(target=self._watch, args=(loop_thread,), daemon=True).start()

    async def stop(self) -> None:
        self._running = False
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _beating(self) -> None:
        while True:
            self._beat = time.monotonic()
            await asyncio.sleep(self.interval)

    def _watch(self, loop_thread: int) -> None:
        import sys

        while self._running:
            time.sleep(self.interval)
            beat = self._beat
            blocked = time.monotonic() - beat
            frame = sys._current_frames().get(loop_thread)
            if blocked < self.threshold or frame is None:
                continue
            _, samples = self.stalls.get(beat, (0.0, []))
            samples.append(self._where(frame))
            self.stalls[beat] = (blocked, samples)

    def _where(self, frame: Any) -> tuple[str, ...]:
        frames: list[str] = []
        while frame is not None:
            code = frame.f_code
            frames.append(f"{code.co_filename}:{frame.f_lineno}:{code.co_name}")
            frame = frame.f_back
        innermost = frames[0].rsplit("/", 1)[-1]
        shown = [f for f in frames if any(part in f for part in self.SHOWN)]
        ours = [f.rsplit("site-packages/", 1)[-1] for f in shown]
        return (innermost, *ours[:6])

    def report(self) -> str:
        from collections import Counter

        lines = []
        for blocked, samples in sorted(self.stalls.values(), key=lambda stall: -stall[0]):
            lines.append(f"stall of at least {blocked * 1000:.0f} ms, {len(samples)} samples:")
            for where, count in Counter(samples).most_common(3):
                lines.append(f"  {count} × {where[0]}")
                lines.extend(f"        {frame}" for frame in where[1:])
        return "\n".join(lines) + "\n"


async def until(condition: Condition, *, timeout: float = 30.0, poll: float = 0.005) -> None:
    """Let the loop run until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not _holds(condition):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {condition}")
        await asyncio.sleep(poll)


SHOWN_PACKAGES = r".*/(vicechat_tui|textual|markdown_it|rich|sqlalchemy|sqlmodel|aiosqlite)/.*"


class Sampler:
    """pyinstrument over chosen stretches only (`with sampler:` again and again), then a
    report: the call tree (vicechat's frames, libraries folded) and the flat self-time list
    (libraries included), so the report says which function the time goes to."""

    def __init__(self, path: Path | None, *, interval: float = 0.001) -> None:
        self.path = path
        self._profiler: Any = None
        if path is not None:
            from pyinstrument import Profiler

            self._profiler = Profiler(interval=interval, async_mode="disabled")

    def __enter__(self) -> Sampler:
        if self._profiler is not None:
            self._profiler.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._profiler is not None:
            self._profiler.stop()

    def write(self) -> None:
        if self._profiler is None or self.path is None:
            return
        profiler = self._profiler
        profiler.last_session.save(str(self.path.with_suffix(".pyisession")))
        tree = profiler.output_text(
            unicode=True,
            color=False,
            processor_options={"show_regex": SHOWN_PACKAGES, "filter_threshold": 0.01},
        )
        flat = profiler.output_text(unicode=True, color=False, flat=True, show_all=True)
        flat_lines = flat.splitlines()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            tree
            + "\n\n=== flat: self time per function (top 60) ===\n"
            + "\n".join(flat_lines[:70])
            + "\n"
        )


@contextmanager
def profiled(path: Path | None, *, interval: float = 0.001) -> Iterator[None]:
    """Sample the thread with pyinstrument while inside, and write the report to `path`."""
    sampler = Sampler(path, interval=interval)
    try:
        with sampler:
            yield
    finally:
        sampler.write()
