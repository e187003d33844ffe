"""A chat message's Markdown body, cheap to show however long the message grows.

Textual's `Markdown` widget makes a widget per block and restyles them as it grows; fed
through `Markdown.get_stream()`, a 20,000-token reply rendered at ~370 tokens/s here with
event-loop stalls near a second (benchmarks/RESULTS.md, figure 4). So message text is drawn
by Rich's Markdown renderer into strips, one widget per chunk. A streaming reply keeps a
live tail that is redrawn at most once a frame; whenever the tail grows past `SEAL_AT`
characters its completed blocks (up to a blank line outside any code fence) are sealed into
their own chunk, so each redraw renders a few KB, not the whole reply. Sealed chunks and the
tail's final render (with code highlighting, the slow part) are rendered in a worker thread,
so the event loop keeps answering keys while they are made.

A body shows what it is given; how much of a huge message to give it (and "show more") is
decided by `ChatMessageView`, so that opening one costs the same however large it is.
`extend` adds a finished chunk below the rest, rendered off the event loop.

Code takes the app's theme: its colours are the `code-block` and `code-inline` component
classes, and the pygments style depends on whether the theme is dark. They are part of the
key the rendered strips are kept under, so after a change of theme each body renders again
when it is next painted: only what is on screen, and only once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from rich.style import Style

    from vicechat_tui.widgets.markdown_render import CodeLook

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


class _MarkdownLines(Widget):
    """Markdown rendered by Rich once per text, width, style and code look, kept as strips.

    A `Static` would render the Markdown twice per change (once to measure its height,
    once to paint it); this renders it once, and the strips can come from a thread. The
    widget's style (its background and colours, from its ancestors too) is looked up once
    per paint: Textual computes it by walking the ancestors, and lines are painted one by
    one.
    """

    COMPONENT_CLASSES = {"code-block", "code-inline"}

    DEFAULT_CSS = """
    _MarkdownLines {
        height: auto;
        padding: 0 1;
    }
    _MarkdownLines > .code-block {
        background: $surface;
    }
    _MarkdownLines > .code-inline {
        background: $surface;
        color: $text-primary;
        text-style: bold;
    }
    """

    LIVE = False

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self._cache: tuple[str, int, Style, CodeLook, list[Strip]] | None = None
        self._paint_style: Style | None = None
        self._look: CodeLook | None = None

    def notify_style_update(self) -> None:
        """Styles were applied again (a theme change does it): take the code look anew."""
        self._look = None
        super().notify_style_update()

    def code_look(self) -> CodeLook:
        """How code shows here, from the app's theme (on the event loop only)."""
        if self._look is None:
            from vicechat_tui.widgets.markdown_render import CodeLook

            self._look = CodeLook.for_theme(
                dark=self.app.current_theme.dark,
                block=self.get_component_rich_style("code-block"),
                inline=self.get_component_rich_style("code-inline"),
            )
        return self._look

    def prime(self, width: int, style: Style, look: CodeLook, strips: list[Strip]) -> None:
        """Use `strips`, rendered elsewhere for this text at `width` over `style` as `look`."""
        self._cache = (self.text, width, style, look, strips)

    def _strips(self, width: int, style: Style) -> list[Strip]:
        look = self.code_look()
        if self._cache is None or self._cache[:4] != (self.text, width, style, look):
            from vicechat_tui.widgets.markdown_render import markdown_strips

            strips = markdown_strips(
                self.app.console, self.text, width, style, look, live=self.LIVE
            )
            self._cache = (self.text, width, style, look, strips)
        return self._cache[4]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.text:
            return 0
        if self._cache is not None and self._cache[:2] == (self.text, width):
            return len(self._cache[4])  # neither the style nor the look change the height
        return len(self._strips(width, self.rich_style))

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        style = self._paint_style or self.rich_style
        strips = self._strips(width, style)
        return strips[y] if y < len(strips) else Strip.blank(width, style)


class MarkdownChunk(_MarkdownLines):
    """Finished Markdown, code highlighted."""


class LiveTail(_MarkdownLines):
    """The streaming tail: code not highlighted (pygments is too slow to run every frame).

    Its height grows `GROW_BY` lines at a time: a change of height re-lays out and scrolls
    the chat, which repaints everything visible in it (~30 ms here); a new line that fits
    in the room left repaints that line only.
    """

    LIVE = True
    GROW_BY = 4

    def _height(self, lines: int) -> int:
        return -(-lines // self.GROW_BY) * self.GROW_BY

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._height(super().get_content_height(container, viewport, width))

    def show(self, text: str) -> None:
        """Redraw with `text`: only the lines that changed, unless the height changed."""
        if text == self.text:
            return
        before = self._cache[4] if self._cache is not None else None
        self.text = text
        width = self.content_region.width
        if before is None or width <= 0:
            self.refresh(layout=True)
            return
        after = self._strips(width, self.rich_style) if text else []
        if self._height(len(after)) != self._height(len(before)):
            self.refresh(layout=True)
            return
        changed = [
            Region(0, y, width, 1)
            for y in range(max(len(after), len(before)))
            if y >= len(after) or y >= len(before) or after[y] != before[y]
        ]
        if changed:
            self.refresh(*changed)


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
        self._sealing = False

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
        """Move the tail's completed blocks into a chunk rendered off the event loop."""
        cut = sealable_prefix(self._tail)
        if cut == 0 or self._live is None or self._sealing:
            return
        finished = self._tail[:cut]
        self._sealing = True
        try:
            chunk = await self._finished_chunk(finished)
        finally:
            self._sealing = False
        live = self._live
        if live is None or not self._tail.startswith(finished):
            return  # the stream ended or started over meanwhile
        self._tail = self._tail[cut:]
        self._sealed += finished
        await self.mount(chunk, before=live)
        live.show(self._tail)

    async def _finished_chunk(self, text: str, like: _MarkdownLines | None = None) -> MarkdownChunk:
        """A chunk for `text`, its strips rendered in a thread at the width of `like` (the
        live tail by default)."""
        chunk = MarkdownChunk(text)
        like = like or self._live
        width = like.content_region.width if like is not None else 0
        if like is not None and width > 0:
            from vicechat_tui.widgets.markdown_render import render_off_loop

            style, look = like.rich_style, like.code_look()
            chunk.prime(width, style, look, await render_off_loop(text, width, style, look))
        return chunk

    async def extend(self, text: str) -> None:
        """Show `text` below what a finished body shows (the next part of a huge message)."""
        if not text or self._live is not None:
            return
        chunks = self.query_children(MarkdownChunk)
        chunk = await self._finished_chunk(text, chunks.last() if chunks else None)
        self._tail += text
        await self.mount(chunk)

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
        final = await self._finished_chunk(self._tail) if self._tail else None
        live = self._end_live()
        if live is None:
            return  # finished or replaced meanwhile
        if final is not None:
            await self.mount(final, before=live)
        await live.remove()

    def _end_live(self) -> LiveTail | None:
        """Close the live tail and return it (None if something else closed it first)."""
        live, self._live = self._live, None
        return live
