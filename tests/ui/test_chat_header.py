"""The chat header: the whole effective setup at a glance, fitted to the pane's width."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.ui.chat_fixtures import (
    GatedServer,
    gated_fixture,
    open_section,
    provider_config,
    seed_document,
    settle,
    wait_for,
)
from tests.ui.conftest import workspace
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.widgets.chat_header import ChatHeader, HeaderPart, fit_header

__all__ = ["gated_fixture"]

PARTS = (
    HeaderPart("local"),
    HeaderPart("m"),
    HeaderPart("web research ×3", "web ×3"),
    HeaderPart("temperature 0.2", "t 0.2"),
    HeaderPart("max 512 tokens", "512 tok"),
    HeaderPart("system prompt set", "prompt"),
)


def test_the_header_drops_detail_before_parts() -> None:
    full = "local · m · web research ×3 · temperature 0.2 · max 512 tokens · system prompt set"
    assert fit_header(PARTS, 200) == full
    assert fit_header(PARTS, 50) == "local · m · web ×3 · t 0.2 · 512 tok · prompt"
    assert fit_header(PARTS, 30) == "local · m · web ×3 · t 0.2 …"
    assert fit_header(PARTS, 3) == "local"  # drawn cut, with an ellipsis


async def test_the_header_shows_the_setup_and_fits_a_narrow_pane(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    session = await store.chats.open_session(document_id, section_id)
    assert session.id is not None
    await store.chats.update_config(
        session.id,
        {
            "assistant": "critic",
            "temperature": 0.2,
            "max_tokens": 512,
            "system_prompt": "Be brief.",
            "web_search": True,
            "search_cycles": 3,
        },
    )
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(260, 30)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        header = pane.query_one("#chat-header", ChatHeader)
        shown = str(header.render())
        assert shown == (
            "critic · local · m · web research ×3 · temperature 0.2 · max 512 tokens"
            " · system prompt set"
        )
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        shown = str(header.render())
        assert shown.startswith("critic · local · m · web ×3")
        assert len(shown) <= header.content_size.width

        tree = workspace(app).document_tree
        node = tree.find_document(document_id)
        assert node is not None
        tree.move_to(node)  # the document's row: no section, no setup to show
        await wait_for(pilot, lambda: pane.section_id is None, what="the document row")
        await settle(pilot)
        assert str(header.render()) == "", "the previous section's setup stayed"
