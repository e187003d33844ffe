"""Baselines for the streaming figures: the stock Markdown widget, and the core alone.

- `stock_app`: a bare Textual app with a stock `Markdown` fed through a stock
  `MarkdownStream`, in-process, at a given rate (0: as fast as it takes them).
- `engine_only`: the same reply through the core's job engine with no UI.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from harness import ms, summary_ms
from stream_measure import RenderLog, shown_characters, windows

LAG_INTERVAL = 0.01
"""Seconds between wake-ups of the lag probe."""


def stock_app(tokens: list[str], rate: float, profile: Path | None) -> Any:
    """A bare app: a stock Markdown widget fed by a stock MarkdownStream, in-process."""
    from probes import LagProbe, PaintClock, profiled
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll
    from textual.widgets import Footer, Markdown

    class StockApp(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.result: dict[str, Any] = {}

        def compose(self) -> ComposeResult:
            with VerticalScroll():
                yield Markdown("")
            yield Footer()

        async def on_mount(self) -> None:
            self.call_after_refresh(self.run_worker, self.feed())

        async def feed(self) -> None:
            await asyncio.sleep(0.3)
            markdown = self.query_one(Markdown)
            self.query_one(VerticalScroll).anchor()
            reply = "".join(tokens)
            log = RenderLog(reply)
            clock.on_frame(lambda now: log.note(now, markdown))
            probe = LagProbe(LAG_INTERVAL)
            probe.start()
            with profiled(profile):
                started = time.monotonic()
                stream = Markdown.get_stream(markdown)
                for index, token in enumerate(tokens):
                    if rate:
                        wait = started + index / rate - time.monotonic()
                        if wait > 0:
                            await asyncio.sleep(wait)
                    await stream.write(token)
                final_shown = clock.watch(lambda: shown_characters(markdown, reply) == len(reply))
                await stream.stop()
                done = time.monotonic()
                final = await asyncio.wait_for(final_shown, 600)
            await probe.stop()
            self.result = windows(log, tokens, started)
            self.result.update(
                lag=summary_ms(probe.between(started, done)),
                paced=bool(rate),
                final_render_ms=ms(final - done),
            )
            self.exit()

    app = StockApp()
    clock = PaintClock(app)
    return app


async def engine_only(url: str, settings: Any, document_id: int, section_id: int) -> dict[str, Any]:
    """The baseline of figure 4: the same reply through the core's job engine, no UI."""
    from vicechat_tui.core.events import JobFinished, TokenDelta
    from vicechat_tui.core.runtime import open_core

    core = await open_core(settings, database_url=url)
    try:
        started = time.monotonic()
        job_id = await core.jobs.send(document_id, section_id, "Write the long report, please.")
        count, last = 0, started
        async for event in core.jobs.subscribe(job_id):
            if isinstance(event, TokenDelta):
                count += 1
                last = time.monotonic()
            elif isinstance(event, JobFinished):
                break
        return {"deltas": count, "seconds": last - started}
    finally:
        await core.aclose()
