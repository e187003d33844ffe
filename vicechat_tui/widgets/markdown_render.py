"""Chat Markdown rendered by Rich into Textual strips, on the event loop or off it.

Imported on first use by `message_body.py`: `rich.markdown` and pygments are not needed
before a chat is shown, and start-up is benchmarked (benchmarks/RESULTS.md, figure 1).

Code follows the app's theme: a `CodeLook`, taken from the theme on the event loop, goes
with every render, so a render in a worker thread never reads app state.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock
from rich.markdown import Markdown as RichMarkdown
from rich.padding import Padding
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from rich.theme import Theme
from textual.strip import Strip

if TYPE_CHECKING:
    from markdown_it.token import Token

DARK_CODE_STYLE = "native"
"""Pygments style for code on dark themes. Of pygments' styles it keeps the best worst-case
contrast over the surfaces of Textual's dark themes (4.1:1, comments included; monokai's
is 2.9:1)."""
LIGHT_CODE_STYLE = "xcode"
"""Pygments style for code on light themes: the best worst-case contrast over the surfaces
of Textual's light themes (4.0:1; pygments' "default" style gets 3.4:1)."""


@dataclass(frozen=True)
class CodeLook:
    """How code shows in a reply: the colours of the app's theme, decided on the event loop."""

    syntax_theme: str
    """The pygments style that colours highlighted code."""
    block: Style
    """A code block's box: its background, and the colour of text no token colours."""
    inline: Style
    """Inline `code`."""

    @classmethod
    def for_theme(cls, *, dark: bool, block: Style, inline: Style) -> CodeLook:
        return cls(DARK_CODE_STYLE if dark else LIGHT_CODE_STYLE, block, inline)


@functools.lru_cache(maxsize=16)
def _console_theme(look: CodeLook) -> Theme:
    """The Rich styles that Markdown looks up by name for code, from `look`."""
    return Theme({"markdown.code": look.inline, "markdown.code_block": look.block})


class _ThemedCodeBlock(CodeBlock):
    """A highlighted code block, its box in the theme's colour instead of the style's."""

    def __init__(self, lexer_name: str, look: CodeLook) -> None:
        super().__init__(lexer_name, look.syntax_theme)
        background = look.block.bgcolor
        self.background = background.name if background is not None else None

    @classmethod
    def create(cls, markdown: RichMarkdown, token: Token) -> _ThemedCodeBlock:
        assert isinstance(markdown, _ReplyMarkdown)
        lexer_name = (token.info or "").partition(" ")[0]
        return cls(lexer_name or "text", markdown.look)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Syntax(
            str(self.text).rstrip(),
            self.lexer_name,
            theme=self.theme,
            background_color=self.background,
            word_wrap=True,
            padding=1,
        )


class _PlainCodeBlock(CodeBlock):
    """A code block without syntax highlighting (pygments is too slow to run every frame).

    Drawn in the same box as the highlighted block that replaces it.
    """

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = Text(str(self.text).rstrip(), style="markdown.code_block")
        yield Padding(code, 1, style="markdown.code_block")


class _ReplyMarkdown(RichMarkdown):
    """A finished reply's Markdown, code highlighted in the colours of `look`."""

    elements = {**RichMarkdown.elements, "fence": _ThemedCodeBlock, "code_block": _ThemedCodeBlock}

    def __init__(self, text: str, look: CodeLook) -> None:
        super().__init__(text, code_theme=look.syntax_theme, hyperlinks=False)
        self.look = look


class _LiveMarkdown(_ReplyMarkdown):
    """Markdown for the live tail: code is highlighted once the block is sealed."""

    elements = {**RichMarkdown.elements, "fence": _PlainCodeBlock, "code_block": _PlainCodeBlock}


def markdown_strips(
    console: Console, text: str, width: int, style: Style, look: CodeLook, *, live: bool = False
) -> list[Strip]:
    """`text` rendered by Rich at `width` cells over `style`, code as `look` says.

    Safe to call off the event loop with a console that no other thread uses: the code
    styles are pushed onto the console's theme stack for the render.
    """
    renderable = _LiveMarkdown(text, look) if live else _ReplyMarkdown(text, look)
    options = console.options.update_width(max(1, width))
    with console.use_theme(_console_theme(look)):
        lines = console.render_lines(renderable, options, style=style)
    return [Strip(line, width) for line in lines]


_threads = threading.local()


def _worker_console() -> Console:
    """This worker thread's console: the app's console lock stays free, and no two threads
    share a theme stack."""
    console: Console | None = getattr(_threads, "console", None)
    if console is None:
        console = Console(
            force_terminal=True, markup=False, highlight=False, emoji=False, legacy_windows=False
        )
        _threads.console = console
    return console


def _render_in_worker(text: str, width: int, style: Style, look: CodeLook) -> list[Strip]:
    return markdown_strips(_worker_console(), text, width, style, look)


async def render_off_loop(text: str, width: int, style: Style, look: CodeLook) -> list[Strip]:
    """`markdown_strips` in a worker thread: code highlighting takes ~0.1 s a block."""
    return await asyncio.to_thread(_render_in_worker, text, width, style, look)
