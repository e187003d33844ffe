"""Snapshots of a queued message, dark and light: queued behind a reply being written
(sent when it ends), and held after a restart (the reply before it did not complete)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    GatedServer,
    frozen_spinner,
    gated_fixture,
    last_reply,
    provider_config,
    seed_chat,
    seed_document,
    seeded_app,
    type_text,
    wait_for,
)
from tests.ui.conftest import shows
from tests.ui.test_snapshots_chat import PANE, ready
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.workspace import WorkspaceScreen
from vicechat_tui.widgets.chat_pane import ChatPane


async def one_section(core: VicechatCore) -> tuple[int, int]:
    document_id, (section_id,) = await seed_document(core, "Doc", ["Intro"])
    return document_id, section_id


async def held_after_restart(core: VicechatCore) -> tuple[int, int]:
    document_id, section_id = await one_section(core)
    await seed_chat(
        core,
        document_id,
        section_id,
        [
            {"role": "user", "content": "Why are there tides?"},
            {"role": "assistant", "content": "The Moon pulls", "state": "interrupted"},
            {"role": "user", "content": "And spring tides?", "state": "queued"},
        ],
    )
    return document_id, section_id


@shows(WorkspaceScreen)
def test_queued_behind_a_streaming_reply(
    snap_compare: Any, ui_database_url: str, gated: GatedServer, theme: str
) -> None:
    gated.replies.append(["The Moon ", "pulls ", "the sea", " and more"])

    async def queue(pilot: Pilot[Any], pane: ChatPane) -> None:
        await type_text(pilot, "why tides")
        await pilot.press("ctrl+j")
        gated.release(3)
        await wait_for(
            pilot, lambda: (v := last_reply(pane)) is not None and v.content.endswith("sea")
        )
        await type_text(pilot, "and spring tides")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: pane.chat_log.queued() is not None, what="the queue")

    seeded = seeded_app(ui_database_url, one_section, ui={"theme": theme}, **provider_config(gated))
    assert snap_compare(seeded.app, terminal_size=PANE, run_before=ready(seeded, queue))


@shows(WorkspaceScreen)
def test_held_after_a_restart(
    snap_compare: Any, ui_database_url: str, gated: GatedServer, theme: str
) -> None:
    seeded = seeded_app(
        ui_database_url, held_after_restart, ui={"theme": theme}, **provider_config(gated)
    )
    assert snap_compare(seeded.app, terminal_size=PANE, run_before=ready(seeded))
