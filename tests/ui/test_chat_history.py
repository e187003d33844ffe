"""Long chats: only the latest page is rendered; scrolling to the top loads the page before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Static

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    frozen_spinner,
    open_section,
    seed_chat,
    seed_document,
    settle,
    wait_for,
)
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.chat_controller import HISTORY_PAGE


async def test_a_long_chat_loads_earlier_pages_when_scrolled_to_the_top(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    roles = ("user", "assistant")
    messages = [{"role": roles[i % 2], "content": f"message {i}"} for i in range(200)]
    await seed_chat(store, document_id, section_id, messages)
    app = build_app()
    app.animation_level = "none"  # "home" scrolls at once instead of animating
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        log = pane.chat_log
        # the newest messages first, the rest of the page a batch per frame
        await wait_for(pilot, lambda: len(log.views()) == HISTORY_PAGE, what="the first page")
        assert log.views()[0].content == "message 150"
        assert log.views()[-1].content == "message 199"
        hint = log.query_one("#chat-more", Static)
        assert hint.display and str(hint.render()).startswith("↑ 150 earlier messages")
        await pilot.press("shift+tab")
        assert app.focused is log
        for loaded in (100, 150):
            oldest = log.views()[0]
            await pilot.press("home")

            def shown(n: int = loaded) -> bool:
                return len(log.views()) == n

            await wait_for(pilot, shown, what=f"{loaded} shown")
            await settle(pilot)
            assert log.views()[0].content == f"message {200 - loaded}"
            assert log.scroll_y > 0, "the view must stay where it was, not jump to the top"
            assert oldest.region.y <= log.region.y + 2, "the previously oldest stays in view"
        assert str(hint.render()).startswith("↑ 50 earlier messages"), "never all at once"
