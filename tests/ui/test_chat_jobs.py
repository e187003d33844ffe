"""The jobs screen: running and recent jobs across sections, cancel one, jump to one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.conftest import saved_id
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
from tests.ui.conftest import wait_ready
from vicechat_tui.core.models import ChatJob, utc_now
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.jobs import JobsScreen


async def open_jobs(pilot: Pilot[Any], rows: int) -> JobsScreen:
    """ctrl+t, then wait until the jobs screen lists `rows` jobs."""
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobsScreen), what="jobs screen")
    screen = pilot.app.screen
    assert isinstance(screen, JobsScreen)
    await wait_for(pilot, lambda: screen.table.row_count == rows, what=f"{rows} rows")
    return screen


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

        screen = await open_jobs(pilot, rows=2)
        await settle(pilot)
        assert [str(cell) for cell in screen.table.get_row_at(0)[:6]] == [
            "#2",
            f"Doc #{document_id}",
            "One",
            "default",
            "chat",
            "running",
        ]
        assert screen.table.get_row_at(1)[5] == "completed"
        assert str(screen.table.get_row_at(1)[7]) == "reply written"  # not its last step
        assert str(screen.table.get_row_at(1)[2]) == "Two"

        await pilot.press("c")
        await wait_for(pilot, lambda: screen.rows[2].status == "cancelled", what="the cancel")
        assert screen.table.get_row_at(0)[5] == "cancelled"
        assert str(screen.table.get_row_at(0)[7]) == "stopped; the reply so far is kept"
        assert screen.check_action("cancel_job", ()) is None

        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, JobsScreen), what="the jump")
        await wait_for(pilot, lambda: pane.section_id == first, what="section One")


async def test_ended_jobs_say_how_they_ended_and_documents_with_one_title_differ(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    """Jobs from the database (an earlier run, another process): the step column says the
    outcome, not the step the job was at; the document column tells two "Report"s apart."""
    first_doc, (first,) = await seed_document(store, "Report", ["Intro"])
    second_doc, (second,) = await seed_document(store, "Report", ["Intro"])
    ended = [(first, "cancelled", None), (second, "failed", "Provider unreachable")]
    async with store.database.session() as db:
        for section_id, status, error in ended:
            session = await store.chats.open_session(
                first_doc if section_id == first else second_doc, section_id
            )
            db.add(
                ChatJob(
                    session_id=saved_id(session),
                    section_id=section_id,
                    status=status,
                    step_label="writing answer",
                    error=error,
                    finished_at=utc_now(),
                )
            )
        await db.commit()
    app = build_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        screen = await open_jobs(pilot, rows=2)
        rows = [[str(cell) for cell in screen.table.get_row_at(index)] for index in (0, 1)]
        assert [row[1] for row in rows] == [f"Report #{second_doc}", f"Report #{first_doc}"]
        assert [row[3] for row in rows] == ["—", "—"]  # jobs from before assistants
        assert [row[5] for row in rows] == ["failed", "cancelled"]
        assert [row[7] for row in rows] == [
            "failed: Provider unreachable",
            "stopped; the reply so far is kept",
        ]
