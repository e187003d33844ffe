"""Chat Markdown rendered by Rich into Textual strips, on the event loop or off it.

Imported on first use by `message_body.py`: `rich.markdown` and pygments are not needed
before a chat is shown, and start-up is benchmarked (benchmarks/RESULTS.md, figure 1).
"""

from __future__ import annotations

import asyncio
import functools

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock
from rich.markdown import Markdown as RichMarkdown
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual.strip import Strip


def rendered(text: str) -> RichMarkdown:
    return RichMarkdown(text, code_theme="monokai", hyperlinks=False)


class _PlainCodeBlock(CodeBlock):
    """A code block without syntax highlighting (pygments is too slow to run every frame)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Padding(Text(str(self.text).rstrip(), style="markdown.code_block"), 1)


class _LiveMarkdown(RichMarkdown):
    """Markdown for the live tail: code is highlighted once the block is sealed."""

    elements = {**RichMarkdown.elements, "fence": _PlainCodeBlock, "code_block": _PlainCodeBlock}


def rendered_live(text: str) -> RichMarkdown:
    return _LiveMarkdown(text, hyperlinks=False)


def markdown_strips(
    console: Console, text: str, width: int, style: Style, *, live: bool = False
) -> list[Strip]:
    """`text` rendered by Rich at `width` cells over `style`, one strip a line.

    Safe to call off the event loop with a console of its own (Rich holds a console's lock
    while it renders).
    """
    renderable = rendered_live(text) if live else rendered(text)
    options = console.options.update_width(max(1, width))
    lines = console.render_lines(renderable, options, style=style)
    return [Strip(line, width) for line in lines]


@functools.cache
def _worker_console() -> Console:
    """A console for rendering in worker threads, so the app's console lock stays free."""
    return Console(
        force_terminal=True, markup=False, highlight=False, emoji=False, legacy_windows=False
    )


async def render_off_loop(text: str, width: int, style: Style) -> list[Strip]:
    """`markdown_strips` in a worker thread: code highlighting takes ~0.1 s a block."""
    return await asyncio.to_thread(markdown_strips, _worker_console(), text, width, style)
