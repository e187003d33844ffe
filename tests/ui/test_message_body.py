"""The chunked message body: sealing rules and a long streamed reply."""

from __future__ import annotations

from textual.app import App, ComposeResult

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
