"""The chunked message body: sealing rules and a long streamed reply."""

from __future__ import annotations

import re

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical

from vicechat_tui.widgets.message_body import (
    SEAL_AT,
    LiveTail,
    MarkdownChunk,
    MessageBody,
    sealable_prefix,
)


def test_blocks_end_at_blank_lines_outside_fences() -> None:
    assert sealable_prefix("one\n\ntwo") == len("one\n\n")
    assert sealable_prefix("one\n\n") == 0  # nothing after it yet
    fenced = "```python\nx = 1\n\ny = 2\n```\n\nafter"
    assert sealable_prefix(fenced) == len(fenced) - len("after")
    assert sealable_prefix("```\nopen fence\n\nstill code\n") == 0
    assert sealable_prefix("- item\n\n  continued\n") == 0  # an indented continuation
    assert sealable_prefix("~~~~\n~~~\n\nnot closed by a shorter fence\n") == 0


class BodyApp(App[None]):
    def compose(self) -> ComposeResult:
        yield MessageBody()


async def test_a_long_stream_keeps_its_live_tail_small_and_loses_nothing() -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 40 for i in range(60)]
    code = "```python\n" + "\n\n".join(f"line_{i} = {i}" for i in range(30)) + "\n```"
    text = "\n\n".join(
        [*paragraphs[:30], code, *paragraphs[30:], "| a | b |\n|---|---|\n| 1 | 2 |"]
    )
    app = BodyApp()
    async with app.run_test(size=(80, 40)) as pilot:
        body = app.query_one(MessageBody)
        await body.begin_stream("")
        for start in range(0, len(text), 37):
            await body.append(text[start : start + 37])
            assert body.is_streaming
            assert (
                len(body.source) - len("".join(c.text for c in body.query_children(MarkdownChunk)))
                <= SEAL_AT + 400
            )
        await pilot.pause()
        assert body.source == text
        chunks = list(body.query_children(MarkdownChunk))
        assert len(chunks) >= len(text) // (SEAL_AT * 2), "completed blocks were sealed"
        assert (
            "".join(chunk.text for chunk in chunks) == text[: len("".join(c.text for c in chunks))]
        )
        assert all(chunk.text.count("```") % 2 == 0 for chunk in chunks), "no fence is cut"
        await body.finish(text)
        await pilot.pause()
        assert not body.is_streaming and not body.query_children(LiveTail)
        assert "".join(chunk.text for chunk in body.query_children(MarkdownChunk)) == text


class SelectableApp(App[None]):
    CSS = "Vertical.-selected { background: red; }"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield MessageBody("Some *finished* text")


@pytest.mark.parametrize("streaming", [False, True], ids=["finished", "live tail"])
async def test_text_takes_the_background_of_what_contains_it(streaming: bool) -> None:
    app = SelectableApp()
    async with app.run_test(size=(60, 10)) as pilot:
        body = app.query_one(MessageBody)
        if streaming:
            await body.begin_stream(body.source)
            await pilot.pause()
        lines = app.query_one(LiveTail if streaming else MarkdownChunk)

        def backgrounds() -> set[str]:
            return {
                segment.style.bgcolor.name if segment.style and segment.style.bgcolor else "none"
                for segment in lines.render_line(0)
            }

        assert "#ff0000" not in backgrounds()
        app.query_one(Vertical).add_class("-selected")
        await pilot.pause()
        assert backgrounds() == {"#ff0000"}, "every cell of the line, text and blanks"


async def test_sealed_chunks_are_rendered_at_the_live_tail_width_off_the_loop() -> None:
    text = "First block with `code`.\n\n```python\nx = 1\n```\n\n" + "word " * 200 + "\n\nNext"
    app = BodyApp()
    async with app.run_test(size=(70, 30)) as pilot:
        body = app.query_one(MessageBody)
        await body.begin_stream("")
        await pilot.pause()  # the tail is laid out, so its width is known
        await body.append(text)
        (chunk,) = body.query_children(MarkdownChunk)
        primed = chunk._cache
        assert primed is not None, "mounted with its strips, before any paint"
        await pilot.pause()
        assert chunk.text == text[: text.index("Next")]
        assert primed[1] == chunk.content_region.width
        assert chunk._strips(primed[1], chunk.rich_style) is primed[4], "no second render"


async def test_a_live_tail_repaints_the_lines_that_change() -> None:
    app = BodyApp()
    async with app.run_test(size=(60, 10)) as pilot:
        body = app.query_one(MessageBody)
        await body.begin_stream("")
        await body.append("first line\n\nthe second one is *being written*")
        await pilot.pause(0.2)
        assert "being written" in screen_text(app)
        await body.append(" and goes on")  # same height: only the changed line is repainted
        await pilot.pause(0.2)
        screen = screen_text(app)
        assert "first line" in screen and "being written and goes on" in screen


def screen_text(app: App[None]) -> str:
    """What the screen shows, from its SVG screenshot (spaces kept, lines run together)."""
    return re.sub(r"<[^>]+>|\n", "", app.export_screenshot()).replace("&#160;", " ")
