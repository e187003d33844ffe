"""Narrow terminals: below the width that fits three panes, two (or one) at a time, with the
pane keys going to a pane and showing it, a bar naming the hidden panes, and the save state
always on screen; nothing runs past the right edge. Pilot tests press the real keys;
snapshots at 80×24 and 130×38 in the dark and the light theme."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widget import Widget

from tests.ui.conftest import seed_document, settle, shows, type_text, wait_for, wait_ready
from tests.ui.test_snapshots_workspace import before, fixed_config_path, seed, thesis
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.workspace import WorkspaceScreen
from vicechat_tui.widgets.pane_bar import PaneBar

__all__ = ["fixed_config_path"]


def shown(screen: WorkspaceScreen) -> list[str]:
    return [pane.id or "" for pane in screen.pane_row.panes()]


def bar_text(screen: WorkspaceScreen) -> str:
    bar = screen.query_one(PaneBar)
    return " ".join(str(child.render()) for child in bar.children) if bar.display else ""


def within_the_screen(screen: WorkspaceScreen) -> None:
    """Every shown widget of the panes and the bar ends at or before the screen's right edge
    (the footer scrolls its keys sideways by design)."""
    width = screen.size.width
    for widget in [*screen.pane_row.query(Widget), *screen.query_one(PaneBar).query(Widget)]:
        if widget.display and widget.region.width:
            assert widget.region.right <= width, f"{widget!r} ends at {widget.region.right}"


async def test_at_80_columns_the_pane_keys_switch_panes_and_the_bar_says_which(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_ready(pilot)
        assert shown(screen) == ["tree", "editor"]
        assert "▢ Chat ^g" in bar_text(screen) and "f1 help" in bar_text(screen)
        within_the_screen(screen)
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == section_id)

        await pilot.press("ctrl+g")  # to the chat: it takes the tree's place
        await wait_for(pilot, lambda: shown(screen) == ["editor", "chat-pane"], what="chat")
        await wait_for(pilot, lambda: screen.chat_pane.chat_input.has_focus, what="focus")
        assert "▢ Tree ^b" in bar_text(screen)
        within_the_screen(screen)
        await pilot.press("ctrl+g")  # again: it stays
        assert shown(screen) == ["editor", "chat-pane"]

        await pilot.press("f6")  # F6 walks through the hidden tree too
        await wait_for(pilot, lambda: screen.document_tree.has_focus, what="the tree")
        assert shown(screen) == ["tree", "editor"]
        await pilot.press("f6")
        await wait_for(pilot, lambda: screen.editor.text_area.has_focus, what="the editor")
        await type_text(pilot, "words")
        assert "edited" in bar_text(screen) or "saved" in bar_text(screen)
        await wait_for(pilot, lambda: "saved" in bar_text(screen), what="the save state")


async def test_one_pane_at_a_time_when_two_do_not_fit_and_all_three_when_wide(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app()
    async with app.run_test(size=(60, 24)) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == section_id)
        assert shown(screen) == ["tree"]
        assert screen.document_tree.region.width == 60
        await pilot.press("f6")
        await wait_for(pilot, lambda: shown(screen) == ["editor"], what="the editor alone")
        await type_text(pilot, "x")
        assert "edited" in bar_text(screen) or "saved" in bar_text(screen)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: shown(screen) == ["chat-pane"], what="the chat alone")
        await wait_for(pilot, lambda: "saved" in bar_text(screen), what="the save state")
        within_the_screen(screen)

        await pilot.resize_terminal(130, 38)
        await wait_for(pilot, lambda: len(shown(screen)) == 3, what="three panes")
        await settle(pilot)
        assert bar_text(screen) == ""
        within_the_screen(screen)


@shows(WorkspaceScreen)
@pytest.mark.parametrize("size", [(80, 24), (130, 38)])
def test_workspace_snapshot(
    snap_compare: Any,
    build_app: Callable[..., VicechatApp],
    ui_database_url: str,
    theme: str,
    size: tuple[int, int],
) -> None:
    seed(ui_database_url, thesis)
    keys = ("down", "space", "down", "f6", "ctrl+g")
    app = build_app(ui={"theme": theme})
    assert snap_compare(app, terminal_size=size, run_before=before(*keys))
