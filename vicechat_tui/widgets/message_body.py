"""A chat message's Markdown body, cheap to show however long the message grows.

Textual's `Markdown` widget makes a widget per block and styles each one; a long reply or a
page of fifty messages costs seconds that way. So finished text is drawn by Rich's Markdown
renderer into one `Static` per chunk, and only the tail of a streaming reply lives in a
Textual `Markdown` fed through `Markdown.get_stream()`. Whenever the tail grows past
`SEAL_AT` characters, its completed blocks (up to a blank line outside any code fence) are
sealed into a `Static`, so the live part — and the cost of every append — stays small. When
the stream ends, the tail gets its one final full render.
"""

from __future__ import annotations

import re

from rich.markdown import Markdown as RichMarkdown
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownStream

SEAL_AT = 3_000
"""Characters of live tail after which completed blocks are sealed."""

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


class MessageBody(Vertical):
    """Sealed chunks, then (while streaming) a live `Markdown` tail."""

    DEFAULT_CSS = """
    MessageBody {
        height: auto;
    }
    MessageBody > Markdown {
        margin: 0;
        padding: 0 1;
        background: transparent;
    }
    MessageBody > Markdown > *:last-child {
        margin-bottom: 0;
    }
    """

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._sealed = ""
        self._tail = text
        self._live: Markdown | None = None
        self._stream: MarkdownStream | None = None

    @property
    def source(self) -> str:
        """All the text shown."""
        return self._sealed + self._tail

    @property
    def is_streaming(self) -> bool:
        return self._stream is not None

    def compose(self) -> ComposeResult:
        if self._tail:
            yield MarkdownChunk(self._tail)

    async def show(self, text: str) -> None:
        """Replace everything with `text`, rendered once."""
        await self.stop_stream()
        await self.remove_children()
        self._sealed, self._tail, self._live = "", text, None
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
        self._live = Markdown(self._tail, open_links=False)
        await self.mount(self._live)
        self._stream = Markdown.get_stream(self._live)

    async def append(self, text: str) -> None:
        if self._stream is None or self._live is None:
            await self.begin_stream(self.source)
        assert self._stream is not None
        self._tail += text
        await self._stream.write(text)
        if len(self._tail) > SEAL_AT:
            await self._seal()

    async def _seal(self) -> None:
        cut = sealable_prefix(self._tail)
        if cut == 0 or self._live is None or self._stream is None:
            return
        await self._stream.stop()
        finished, self._tail = self._tail[:cut], self._tail[cut:]
        self._sealed += finished
        await self.mount(MarkdownChunk(finished), before=self._live)
        await self._live.update(self._tail)
        self._stream = Markdown.get_stream(self._live)

    async def stop_stream(self) -> None:
        """Stop drawing deltas (the job may go on)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            await stream.stop()

    async def finish(self, text: str) -> None:
        """The final text: sealed chunks stay, the tail gets its one full render."""
        await self.stop_stream()
        if self._live is None or not text.startswith(self._sealed):
            await self.show(text)
            return
        self._tail = text[len(self._sealed) :]
        live, self._live = self._live, None
        if self._tail:
            await self.mount(MarkdownChunk(self._tail), before=live)
        await live.remove()
