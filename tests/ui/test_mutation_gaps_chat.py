"""The "earlier messages" hint counts down exactly (found by mutation, MUTATION_SPOTCHECK.md).

The long-chat test checks the hint with `"50 earlier" in …`, which "150 earlier" also
satisfies: the count could stay where it started and the test still passed. Here the
hint's whole line is compared after each page, and it goes away once everything is shown.
"""

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

TOTAL = 2 * HISTORY_PAGE + 20


async def test_the_hint_counts_the_messages_left_to_load_and_then_goes(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    roles = ("user", "assistant")
    messages = [{"role": roles[i % 2], "content": f"message {i}"} for i in range(TOTAL)]
    await seed_chat(store, document_id, section_id, messages)
    app = build_app()
    app.animation_level = "none"
    async with app.run_test(size=(120, 36)) as pilot:
        log = (await open_section(pilot, document_id, section_id)).chat_log
        hint = log.query_one("#chat-more", Static)
        await wait_for(pilot, lambda: len(log.views()) == HISTORY_PAGE, what="the first page")
        await settle(pilot)
        left = TOTAL - HISTORY_PAGE
        assert str(hint.render()) == f"↑ {left} earlier messages — scroll up to load them"
        await pilot.press("shift+tab")
        assert app.focused is log
        for shown in (2 * HISTORY_PAGE, TOTAL):
            await pilot.press("home")

            def all_shown(count: int = shown) -> bool:
                return len(log.views()) == count

            await wait_for(pilot, all_shown, what=f"{shown} shown")
            await settle(pilot)
            left = TOTAL - shown
            assert log.views()[0].content == f"message {left}"
            if left:
                assert hint.display and not hint.has_class("-hidden")
                assert str(hint.render()) == f"↑ {left} earlier messages — scroll up to load them"
        assert hint.has_class("-hidden"), "the hint goes once the whole chat is shown"
        assert hint.region.height == 0
