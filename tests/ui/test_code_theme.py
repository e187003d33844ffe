"""Code in replies follows the app's theme: snapshots of the real app in dark and light, and
the colours checked cell by cell (no dark box on a light theme, a switch recolours, text
stays readable on every theme)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rich.color import Color
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.ui.chat_fixtures import seed_chat
from tests.ui.conftest import LOCAL_PROVIDER, seed_document, settle, shows, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.workspace import WorkspaceScreen
from vicechat_tui.widgets.chat_message import ChatMessageView
from vicechat_tui.widgets.message_body import LiveTail, MarkdownChunk, MessageBody

REPLY = """Call `area(r)` with the radius:

```python
import math

def area(radius: float) -> float:
    \"\"\"A circle's area.\"\"\"
    return math.pi * radius**2  # pi r²
```

| shape  | area     |
|--------|----------|
| circle | `pi r^2` |
| square | `a^2`    |
"""
CODE_LINES = ("import math", "def area", "circle's area", "return math.pi")
"""Text of every line of the code block that holds code."""
SNAPSHOT_SIZE = (120, 32)


# -- snapshots of the real app ------------------------------------------------------------


@pytest.fixture
async def reply_with_code(store: VicechatCore) -> None:
    document_id, (section_id,) = await seed_document(store, "Geometry", ["Circles"])
    await seed_chat(
        store,
        document_id,
        section_id,
        [
            {"role": "user", "content": "How do I compute a circle's area?"},
            {"role": "assistant", "content": REPLY, "model": "m"},
        ],
    )


async def show_the_reply(pilot: Pilot[Any]) -> None:
    await wait_ready(pilot)
    for key in ("down", "space", "down"):  # the document, open it, its section
        await pilot.press(key)
        await settle(pilot)
    await wait_for(
        pilot, lambda: len(pilot.app.screen.query(ChatMessageView)) == 2, what="the chat"
    )
    for widget in pilot.app.screen.query("TextArea, Input"):
        if isinstance(widget, TextArea | Input):
            widget.cursor_blink = False
    await settle(pilot)


@shows(WorkspaceScreen)
@pytest.mark.usefixtures("reply_with_code")
def test_reply_with_code_snapshot(
    snap_compare: Any, build_app: Callable[..., VicechatApp], theme: str
) -> None:
    app = build_app(ui={"theme": theme}, **LOCAL_PROVIDER)
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=show_the_reply)


# -- colours, cell by cell ----------------------------------------------------------------


def luminance(color: Color) -> float:
    """Relative luminance (WCAG) of `color`; ANSI colours as a standard terminal shows them."""
    channels = [value / 255 for value in color.get_truecolor()]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: Color, other: Color) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def code_segments(lines: MessageBody | LiveTail | MarkdownChunk) -> list[Segment]:
    """The segments of every rendered line that shows code of the block."""
    widgets = [lines] if not isinstance(lines, MessageBody) else list(lines.children)
    found: list[Segment] = []
    for widget in widgets:
        assert isinstance(widget, LiveTail | MarkdownChunk)
        for y in range(widget.content_region.height):
            strip = widget.render_line(y)
            if any(code in strip.text for code in CODE_LINES):
                found.extend(strip)
    assert found, "the code block was rendered"
    return found


def inline_code(lines: LiveTail | MarkdownChunk) -> Segment:
    (segment,) = [
        segment
        for y in range(lines.content_region.height)
        for segment in lines.render_line(y)
        if segment.text == "area(r)"
    ]
    return segment


def backgrounds(segments: list[Segment]) -> set[Color]:
    colors = {segment.style.bgcolor if segment.style else None for segment in segments}
    assert None not in colors, "every cell of the box has a background"
    return {color for color in colors if color is not None}


def assert_readable(segments: list[Segment], minimum: float = 3.0) -> None:
    for segment in segments:
        if segment.text.strip() and segment.style and segment.style.bgcolor:
            assert segment.style.color is not None, segment
            ratio = contrast(segment.style.color, segment.style.bgcolor)
            assert ratio >= minimum, f"{segment.text!r}: contrast {ratio:.1f}"


class ReplyApp(App[None]):
    """One message body on a theme."""

    def __init__(self, theme: str, text: str = "") -> None:
        super().__init__()
        self.initial_theme = theme
        self.text = text

    def compose(self) -> ComposeResult:
        yield MessageBody(self.text)

    def on_mount(self) -> None:
        self.theme = self.initial_theme


LONG_TAIL = "\n\n" + "word " * 200 + "\n\nNext"
"""What follows the reply so that its blocks are sealed (rendered in a thread)."""


@pytest.mark.parametrize("state", ["shown", "live tail", "sealed", "finished"])
async def test_a_light_theme_shows_code_in_a_light_box(state: str) -> None:
    app = ReplyApp("textual-light", REPLY if state == "shown" else "")
    async with app.run_test(size=(80, 50)) as pilot:
        body = app.query_one(MessageBody)
        if state != "shown":
            await body.begin_stream("")
            await pilot.pause()  # the tail is laid out: what it seals is rendered in a thread
            await body.append(REPLY + (LONG_TAIL if state == "sealed" else ""))
        if state == "live tail":
            live = app.query_one(LiveTail)
            await wait_for(pilot, lambda: live.text == REPLY, what="the tail's redraw")
        elif state == "sealed":
            await wait_for(pilot, lambda: bool(body.query_children(MarkdownChunk)))
        elif state == "finished":
            await body.finish(REPLY)
        await pilot.pause()
        widget: LiveTail | MarkdownChunk = (
            app.query_one(LiveTail) if state == "live tail" else app.query_one(MarkdownChunk)
        )
        box = backgrounds(code_segments(widget))
        assert len(box) == 1, "one box colour"
        (box_color,) = box
        assert luminance(box_color) > 0.5, f"a dark box ({box_color.name}) on a light theme"
        assert box_color != widget.rich_style.bgcolor, "the box stands out from the reply"
        assert_readable(code_segments(widget))
        inline = inline_code(widget)
        assert inline.style and inline.style.bgcolor
        assert luminance(inline.style.bgcolor) > 0.5, "inline code on a dark patch"
        assert_readable([inline])


async def test_switching_theme_recolours_a_shown_reply() -> None:
    app = ReplyApp("textual-dark", REPLY)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        body = app.query_one(MessageBody)
        for theme in ("textual-light", "textual-dark", "textual-light"):
            before = backgrounds(code_segments(body))
            app.theme = theme
            await pilot.pause()
            (box_color,) = backgrounds(code_segments(body))
            assert {box_color} != before
            assert (luminance(box_color) > 0.5) == (theme == "textual-light"), theme
            (chunk,) = body.query_children(MarkdownChunk)
            inline = inline_code(chunk).style
            assert inline is not None and inline.bgcolor is not None
            assert (luminance(inline.bgcolor) > 0.5) == (theme == "textual-light"), theme


async def test_code_reads_on_every_theme() -> None:
    app = ReplyApp("textual-dark", REPLY)
    async with app.run_test(size=(80, 40)) as pilot:
        chunk = app.query_one(MarkdownChunk)
        themes = sorted(name for name in app.available_themes if not name.startswith("ansi"))
        for theme in themes:
            app.theme = theme
            await pilot.pause()
            segments = code_segments(chunk)
            (box_color,) = backgrounds(segments)
            assert (luminance(box_color) < 0.5) == app.current_theme.dark, theme
            surface = app.get_css_variables()["surface"]
            assert box_color == Color.parse(surface), f"{theme}: the box is the surface colour"
            assert_readable(segments)
            assert_readable([inline_code(chunk)])
