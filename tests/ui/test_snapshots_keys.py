"""Snapshots of the states issue 13's keys brought, dark and light: the trash view, a
selected message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from textual.pilot import Pilot

from tests.ui.conftest import FIXED_NOW, SIZE, seed_document, shows, wait_for
from tests.ui.test_snapshots_workspace import (  # noqa: F401  (an autouse fixture)
    before,
    fixed_config_path,
    on_screen,
    seed,
)
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.models import Document, Section
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.trash import TrashScreen
from vicechat_tui.screens.workspace import WorkspaceScreen


async def trashed(core: VicechatCore) -> None:
    document_id, (_, methods, results) = await seed_document(
        core, "Thesis", ["Introduction", "Methods", "Results"]
    )
    await core.sections.create(document_id, "Sampling", parent_id=methods)
    await core.sections.delete(methods)
    await core.sections.delete(results)
    old_id, _ = await seed_document(core, "Old notes", ["One", "Two"])
    await core.documents.delete(old_id)
    async with core.database.session() as db:
        for row_id, hours in ((methods, 3), (results, 30)):
            await db.execute(
                update(Section)
                .where(Section.id == row_id)  # type: ignore[arg-type]
                .values(trashed_at=FIXED_NOW - timedelta(hours=hours))
            )
        await db.execute(
            update(Document)
            .where(Document.id == old_id)  # type: ignore[arg-type]
            .values(trashed_at=FIXED_NOW - timedelta(minutes=5))
        )
        await db.commit()


@shows(TrashScreen)
def test_trash_view(
    snap_compare: Any, build_app: Callable[..., VicechatApp], ui_database_url: str, theme: str
) -> None:
    seed(ui_database_url, trashed)

    async def open_trash(pilot: Pilot[Any]) -> None:
        await pilot.app.run_action("screen.show_trash")
        await on_screen("TrashScreen")(pilot)
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "loaded", False))

    app = build_app(ui={"theme": theme})
    assert snap_compare(app, terminal_size=SIZE, run_before=before(then=open_trash))


async def chat_with_two_replies(core: VicechatCore) -> None:
    from tests.ui.chat_fixtures import seed_chat

    document_id, (section_id,) = await seed_document(core, "Doc", ["Intro"])
    await seed_chat(
        core,
        document_id,
        section_id,
        [
            {"role": "user", "content": "one"},
            {"role": "assistant", "content": "First answer."},
            {"role": "user", "content": "two"},
            {"role": "assistant", "content": "Second answer."},
        ],
    )


@shows(WorkspaceScreen)
def test_selected_message(
    snap_compare: Any, build_app: Callable[..., VicechatApp], ui_database_url: str, theme: str
) -> None:
    """alt+up three times from the input: the first reply is selected, highlighted."""
    seed(ui_database_url, chat_with_two_replies)

    async def select(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: len(pilot.app.screen.query("ChatMessageView")) == 4)
        await pilot.press("alt+up", "alt+up", "alt+up")

    keys = ("space", "down", "ctrl+g")
    app = build_app(ui={"theme": theme})
    assert snap_compare(app, terminal_size=SIZE, run_before=before(*keys, then=select))
