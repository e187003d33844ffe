"""Control characters in a reply are shown as symbols while it streams, not only at the end.

A reply can carry terminal escapes (OSC 52 writes the clipboard, CSI clears the screen, C1
controls, OSC 8 hyperlinks), and a provider may split one across deltas. The live tail must
never hand a raw control character to the terminal, whichever delta it arrived in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from tests.ui.chat_fixtures import GatedServer, gated_fixture  # noqa: F401  (fixture)
from tests.ui.conftest import seed_document, settle, type_text, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.widgets.chat_message import ChatMessageView
from vicechat_tui.widgets.message_body import LiveTail, MarkdownChunk, MessageBody

PIECES = [
    "Copied \x1b",  # the escape alone, its sequence in the next delta
    "]52;c;SGVsbG8=\x07 to the clipboard.\n\nNow \x1b[",
    "2J the screen, \x9b",
    "31m in red.\n\nA link \x1b]8;;http://x\x1b",
    "\\here\x1b]8;;\x1b\\ and the end.",
]
SHOWN = [
    "Copied ␛]52;c;SGVsbG8=␇ to the clipboard.",
    "Now ␛[2J the screen, \\x9b31m in red.",
    "A link ␛]8;;http://x␛\\here␛]8;;␛\\ and the end.",
]
"""The reply's lines as the terminal must show them: every control made a visible symbol."""


def is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0


def rendered_text(lines: LiveTail | MarkdownChunk) -> list[str]:
    """Each line the widget renders, after checking that no segment holds a control."""
    texts = []
    for y in range(lines.content_region.height):
        strip = lines.render_line(y)
        for segment in strip:
            assert segment.control is None, f"line {y}: a control segment {segment!r}"
            raw = [hex(ord(char)) for char in segment.text if is_control(char)]
            assert not raw, f"line {y}: raw control characters {raw} in {segment.text!r}"
        texts.append(strip.text.strip())
    return texts


class StreamApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ChatMessageView(message_id=None, role="assistant", state="streaming")


@pytest.mark.parametrize("resumed", [False, True], ids=["from the start", "from a snapshot"])
async def test_controls_split_across_deltas_show_as_symbols_in_the_live_tail(
    resumed: bool,
) -> None:
    app = StreamApp()
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(ChatMessageView)
        # a job followed mid-stream starts from its text so far, cut inside an escape
        await view.begin_stream(PIECES[0] if resumed else "")
        await pilot.pause()
        for piece in PIECES[1:] if resumed else PIECES:
            await view.append(piece)
        assert view.content == "".join(PIECES), "the message keeps what the model sent"
        live = app.query_one(LiveTail)
        await wait_for(pilot, lambda: "and the end" in live.text, what="the tail's redraw")
        assert view.is_streaming
        assert [line for line in rendered_text(live) if line] == SHOWN


async def test_controls_streamed_by_a_provider_never_reach_the_screen(
    build_app: Callable[..., VicechatApp], store: VicechatCore, gated: GatedServer
) -> None:
    """The real app and a real server: deltas go the whole way, job to chat to live tail."""
    await seed_document(store, "Doc", ["Intro"])
    gated.replies.append(PIECES)
    app = build_app(providers={"local": gated.provider_settings()}, default_provider="local")
    async with app.run_test(size=(160, 30)) as pilot:
        await open_the_chat(pilot)
        await type_text(pilot, "hi")
        await pilot.press("ctrl+j")
        gated.release(len(PIECES) - 1)  # the last delta waits: the reply is still streaming
        await wait_for(pilot, lambda: shown_live(app, "red."), what="the streamed deltas")
        (view,) = [v for v in app.screen.query(ChatMessageView) if v.role == "assistant"]
        assert view.is_streaming
        tail = app.screen.query_one(LiveTail)
        expected = [*SHOWN[:2], "A link ␛]8;;http://x␛"]
        await wait_for(  # the tail redraws a frame after the text arrives
            pilot, lambda: [line for line in rendered_text(tail) if line] == expected, what="tail"
        )
        gated.release()
        await wait_for(pilot, lambda: not view.is_streaming, what="the end of the reply")
        await settle(pilot)
        finished = [
            line
            for chunk in view.query_one(MessageBody).query_children(MarkdownChunk)
            for line in rendered_text(chunk)
            if line
        ]
        assert finished == SHOWN


async def open_the_chat(pilot: Pilot[Any]) -> None:
    """Select the only section and put the cursor in its chat's message box."""
    await wait_ready(pilot)
    for key in ("down", "space", "down"):  # the document, open it, its section
        await pilot.press(key)
        await settle(pilot)
    await pilot.press("ctrl+g")
    await settle(pilot)


def shown_live(app: App[Any], text: str) -> bool:
    tails = app.screen.query(LiveTail)
    return bool(tails) and text in tails.first().text
