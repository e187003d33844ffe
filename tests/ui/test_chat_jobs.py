"""The jobs screen: running and recent jobs across sections, cancel one, jump to one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    GatedServer,
    frozen_spinner,
    gated_fixture,
    open_section,
    provider_config,
    seed_document,
    settle,
    type_text,
    wait_for,
)
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.jobs import JobsScreen


async def test_jobs_screen_lists_cancels_and_jumps(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    gated.replies.extend([["done"], ["never ", "ends"]])
    document_id, (first, second) = await seed_document(store, "Doc", ["One", "Two"])
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, second)
        await type_text(pilot, "quick")
        gated.release(1)
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: not pane.running and gated.sent == 1)
        await open_section(pilot, document_id, first)
        await type_text(pilot, "slow")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: pane.running, what="the slow job")
        await open_section(pilot, document_id, second)

        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen), what="the jobs screen")
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        await wait_for(pilot, lambda: screen.table.row_count == 2, what="two rows")
        await settle(pilot)
        assert [str(cell) for cell in screen.table.get_row_at(0)[:4]] == [
            "#2",
            "One",
            "chat",
            "running",
        ]
        assert screen.table.get_row_at(1)[3] == "completed"
        assert str(screen.table.get_row_at(1)[1]) == "Two"

        await pilot.press("c")
        await wait_for(pilot, lambda: screen.rows[2].status == "cancelled", what="the cancel")
        assert screen.table.get_row_at(0)[3] == "cancelled"
        assert screen.check_action("cancel_job", ()) is None

        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, JobsScreen), what="the jump")
        await wait_for(pilot, lambda: pane.section_id == first, what="section One")
