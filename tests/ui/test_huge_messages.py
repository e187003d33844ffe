"""A huge stored message keeps its section openable: the view is cut, never the data."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App, ComposeResult

from tests.ui.chat_fixtures import seed_chat
from tests.ui.conftest import SIZE, seed_document, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.widgets.chat_message import ChatMessageView
from vicechat_tui.widgets.show_more import STREAM_VIEW_LIMIT, VIEW_CHUNK, ShowMore, view_end

HUGE = 20_000_000


def huge_reply(size: int = HUGE) -> str:
    """Markdown of `size` characters: numbered paragraphs, a code block now and then."""
    block = "".join(
        f"Paragraph {i} of a reply that went on and on, with *some* `markup`.\n\n"
        for i in range(40)
    )
    block += "```python\nprint('a code block')\n```\n\n"
    return (block * (size // len(block) + 1))[:size]


async def test_a_section_with_a_20_mb_reply_opens_shows_more_copies_all_and_quits(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    reply = huge_reply()
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await seed_chat(
        store,
        document_id,
        section_id,
        [{"role": "user", "content": "Go on."}, {"role": "assistant", "content": reply}],
    )
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")
        log = screen.chat_pane.chat_log
        await wait_for(pilot, lambda: len(log.views()) == 2, what="the chat", timeout=60)
        view = log.views()[-1]
        first = view.shown
        assert 0 < first <= VIEW_CHUNK
        assert view.body.source == reply[:first], "the start of the reply, as stored"
        assert view.content == reply
        more = view.query_one(ShowMore)
        assert f"{HUGE - first:,} more characters" in str(more.render())

        await pilot.pause()
        log.scroll_to_widget(more, animate=False)  # where a person would be looking
        await wait_for(pilot, lambda: screen.region.contains_region(more.region), what="it")
        await pilot.click(more)  # a click shows the next part
        await wait_for(pilot, lambda: view.shown > first, what="the next part", timeout=30)
        second = view.shown
        assert second - first <= VIEW_CHUNK
        assert view.body.source == reply[:second]
        assert more.has_focus
        await pilot.press("enter")  # so does enter
        await wait_for(pilot, lambda: view.shown > second, what="the part after", timeout=30)
        assert view.body.source == reply[: view.shown]

        assert log.selected is view, "the click selected the reply"
        await pilot.press("alt+c")  # copy: all of it
        assert app.clipboard == reply

        await pilot.press("ctrl+q")
        await wait_for(
            pilot, lambda: app.return_code is not None, what="the app to exit", timeout=30
        )


class OneMessage(App[None]):
    def __init__(self, view: ChatMessageView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield self.view


async def test_a_message_that_fits_shows_whole_without_a_show_more_line() -> None:
    view = ChatMessageView(message_id=1, role="assistant", content="Short *reply*.")
    async with OneMessage(view).run_test(size=(60, 10)):
        assert view.shown == len("Short *reply*.")
        assert not view.query(ShowMore)


async def test_a_huge_stream_is_drawn_up_to_its_limit_and_the_rest_after_it_ends() -> None:
    reply = huge_reply(STREAM_VIEW_LIMIT + 3 * VIEW_CHUNK)
    view = ChatMessageView(message_id=1, role="assistant", state="streaming")
    async with OneMessage(view).run_test(size=(80, 20)) as pilot:
        await view.begin_stream("")
        for start in range(0, len(reply), 9_999):
            await view.append(reply[start : start + 9_999])
        assert view.shown == STREAM_VIEW_LIMIT
        assert view.content == reply
        assert "shown once the reply has ended" in str(view.query_one(ShowMore).render())
        await view.show_more()
        assert view.shown == STREAM_VIEW_LIMIT, "nothing is added while it streams"
        await view.finish(content=reply, state="complete")
        await pilot.pause()
        assert view.body.source == reply[:STREAM_VIEW_LIMIT]
        for _ in range(4):  # parts end at blocks, so a part may fall a little short
            await view.show_more()
        await pilot.pause()
        assert view.shown == len(reply)
        assert view.body.source == reply
        assert not view.query(ShowMore), "the line goes once everything shows"


def test_views_end_at_blocks_or_lines_and_always_move_on() -> None:
    text = "para one\n\npara two\n\n" + "x" * 50
    assert view_end(text, 0, 1000) == len(text)
    assert view_end(text, 0, 25) == len("para one\n\npara two\n\n")
    assert view_end("y" * 100, 0, 30) == 30, "one long line is cut where it must be"
    assert view_end("y" * 100, 90, 30) == 100
