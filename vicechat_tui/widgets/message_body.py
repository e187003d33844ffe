"""A chat message's Markdown body, cheap to show however long the message grows.

Textual's `Markdown` widget makes a widget per block and restyles them as it grows; fed
through `Markdown.get_stream()`, a 20,000-token reply rendered at ~370 tokens/s here with
event-loop stalls near a second (benchmarks/RESULTS.md, figure 4). So message text is drawn
by Rich's Markdown renderer into one `Static` per chunk. A streaming reply keeps a live tail
that is redrawn at most once a frame; whenever the tail grows past `SEAL_AT` characters its
completed blocks (up to a blank line outside any code fence) are sealed into their own
chunk, so each redraw renders a few KB, not the whole reply. When the stream ends, the tail
gets its final full render.
"""

from __future__ import annotations

import re

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock
from rich.markdown import Markdown as RichMarkdown
from rich.padding import Padding
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

SEAL_AT = 800
"""Characters of live tail after which completed blocks are sealed."""
REDRAW_EVERY = 1 / 15
"""Seconds between redraws of the live tail: a fast stream costs one render a frame."""

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def sealable_prefix(text: str) -> int:
    """Length of the longest prefix of `text` that ends with a block (0 if none).

    A block ends at a blank line outside any code fence that is followed by a line
    starting in column 0, so the next block neither continues a list item nor a fence.
    """
    fence: str | None = None
    boundary = 0
    position = 0
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        position += len(line)
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        opened = _FENCE_OPEN.match(line)
        if opened:
            fence = opened.group(1)
            continue
        if stripped or not line.endswith("\n") or index + 1 >= len(lines):
            continue
        following = lines[index + 1]
        if following and not following[0].isspace():
            boundary = position
    return boundary


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


class MarkdownChunk(Static):
    """Finished Markdown, rendered once by Rich."""

    DEFAULT_CSS = """
    MarkdownChunk {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__(rendered(text))
        self.text = text


class LiveTail(Widget):
    """The streaming tail: rendered once per redraw, its lines kept for layout and paint.

    A `Static` would render the Markdown twice a frame (once to measure its height, once to
    paint it); this widget renders it to strips once per text and width.
    """

    DEFAULT_CSS = """
    LiveTail {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self._cache: tuple[str, int, list[Strip]] | None = None

    def show(self, text: str) -> None:
        """Redraw with `text`; the chat is laid out again only when the height changed."""
        if text == self.text:
            return
        before = len(self._cache[2]) if self._cache is not None else -1
        self.text = text
        width = self.content_region.width
        same_height = width > 0 and len(self._strips(width)) == before
        self.refresh(layout=not same_height)

    def _strips(self, width: int) -> list[Strip]:
        if self._cache is None or self._cache[:2] != (self.text, width):
            console = self.app.console
            options = console.options.update_width(max(1, width))
            lines = console.render_lines(rendered_live(self.text), options, pad=False)
            self._cache = (self.text, width, [Strip(line) for line in lines])
        return self._cache[2]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._strips(width)) if self.text else 0

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        strips = self._strips(width)
        return strips[y] if y < len(strips) else Strip.blank(width)


class MessageBody(Vertical):
    """Sealed chunks, then (while streaming) a live tail redrawn at most every frame."""

    DEFAULT_CSS = """
    MessageBody {
        height: auto;
    }
    """

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._sealed = ""
        self._tail = text
        self._live: LiveTail | None = None
        self._redraw_pending = False

    @property
    def source(self) -> str:
        """All the text shown."""
        return self._sealed + self._tail

    @property
    def is_streaming(self) -> bool:
        return self._live is not None

    def compose(self) -> ComposeResult:
        if self._tail:
            yield MarkdownChunk(self._tail)

    async def show(self, text: str) -> None:
        """Replace everything with `text`, rendered once."""
        await self.stop_stream()
        await self.remove_children()
        self._sealed, self._tail = "", text
        if text:
            await self.mount(MarkdownChunk(text))

    async def begin_stream(self, text_so_far: str) -> None:
        """Show `text_so_far` and open a live tail for what follows."""
        await self.stop_stream()
        await self.remove_children()
        cut = sealable_prefix(text_so_far)
        self._sealed, self._tail = text_so_far[:cut], text_so_far[cut:]
        if self._sealed:
            await self.mount(MarkdownChunk(self._sealed))
        self._live = LiveTail(self._tail)
        await self.mount(self._live)

    async def append(self, text: str) -> None:
        if self._live is None:
            await self.begin_stream(self.source)
        self._tail += text
        if len(self._tail) > SEAL_AT:
            await self._seal()
        if not self._redraw_pending:
            self._redraw_pending = True
            self.set_timer(REDRAW_EVERY, self._redraw)

    def _redraw(self) -> None:
        self._redraw_pending = False
        if self._live is not None:
            self._live.show(self._tail)

    async def _seal(self) -> None:
        cut = sealable_prefix(self._tail)
        if cut == 0 or self._live is None:
            return
        finished, self._tail = self._tail[:cut], self._tail[cut:]
        self._sealed += finished
        await self.mount(MarkdownChunk(finished), before=self._live)
        self._live.show(self._tail)

    async def stop_stream(self) -> None:
        """Stop drawing deltas (the job may go on)."""
        if self._live is not None:
            self._live.show(self._tail)

    async def finish(self, text: str) -> None:
        """The final text: sealed chunks stay, the tail gets its final full render."""
        if self._live is None or not text.startswith(self._sealed):
            await self.show(text)
            return
        self._tail = text[len(self._sealed) :]
        live, self._live = self._live, None
        if self._tail:
            await self.mount(MarkdownChunk(self._tail), before=live)
        await live.remove()
