"""Pilot tests for app-wide behaviour: panes, themes, remapped keys, help, palette, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import make_settings
from tests.ui.conftest import (
    SIZE,
    fixed_clock,
    run_palette,
    seed_document,
    settle,
    wait_for,
    wait_ready,
)
from vicechat_tui.app import VicechatApp, make_app
from vicechat_tui.core.errors import SettingsError
from vicechat_tui.core.locations import ui_state_file
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.error import ErrorScreen
from vicechat_tui.screens.help import HelpScreen
from vicechat_tui.screens.new_item import NewItemScreen
from vicechat_tui.screens.workspace import WorkspaceScreen

WIDE = (130, 38)


async def test_keyboard_only_navigation_between_panes(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app()
    async with app.run_test(size=WIDE) as pilot:  # three panes (narrow: test_narrow_layout)
        screen = await wait_ready(pilot)
        assert screen.document_tree.has_focus
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == section_id)
        await pilot.press("f6")
        assert screen.editor.text_area.has_focus
        await pilot.press("f6")
        assert screen.chat_pane.chat_input.has_focus, "F6 lands in the message input"
        await pilot.press("h", "i")
        assert screen.chat_pane.chat_input.text == "hi"
        await pilot.press("f6")
        assert screen.document_tree.has_focus
        await pilot.press("shift+f6")
        assert screen.chat_pane.chat_input.has_focus

        await pilot.press("ctrl+g")  # already in the chat: it stays, and so does the focus
        assert screen.chat_pane.display and screen.chat_pane.chat_input.has_focus
        await pilot.press("alt+g")  # hiding is its own key; the focus moves on
        assert not screen.chat_pane.display
        assert app.focused is not None and screen.chat_pane not in app.focused.ancestors
        await pilot.press("ctrl+g")  # hidden: show it and go there
        await wait_for(pilot, lambda: screen.chat_pane.chat_input.has_focus)
        assert screen.chat_pane.display
        await pilot.press("ctrl+b")  # visible, focus elsewhere: go to the tree
        await wait_for(pilot, lambda: screen.document_tree.has_focus)
        assert screen.document_tree.display and screen.chat_pane.display
        await pilot.press("ctrl+b")  # again: still there, still focused
        assert screen.document_tree.display and screen.document_tree.has_focus
        await pilot.press("alt+b")
        assert not screen.document_tree.display
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: screen.document_tree.has_focus)
        assert screen.document_tree.display and screen.chat_pane.display
        width = screen.document_tree.outer_size.width
        await pilot.press("alt+right")
        await pilot.pause()
        assert screen.document_tree.outer_size.width == width + 4


async def test_theme_is_remembered_across_restarts(
    build_app: Callable[..., VicechatApp],
) -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        assert app.theme == "textual-dark"
        app.theme = "nord"
        await pilot.pause()
    assert '"nord"' in ui_state_file().read_text()
    again = build_app()
    async with again.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        assert again.theme == "nord"


async def test_theme_command_in_the_palette(build_app: Callable[..., VicechatApp]) -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await run_palette(pilot, "theme: gruvbox")
        await wait_for(pilot, lambda: app.theme == "gruvbox", what="the theme to change")


async def test_palette_runs_section_commands(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == section_id)
        await run_palette(pilot, "section: status")
        await settle(pilot)
        await wait_for(pilot, lambda: screen.document_tree.selected_item.status == "review")  # type: ignore[union-attr]
        assert (await store.sections.get(section_id)).status == "review"


async def test_remapped_key_from_the_config_works_and_help_shows_it(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    await seed_document(store, "Doc")
    app = build_app(ui={"keys": {"tree.rename": "f2", "app.help": "f10"}})
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, NewItemScreen)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, NewItemScreen))
        await pilot.press("escape", "f10")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {
            (key, binding_id)
            for group in help_screen.groups.values()
            for key, _, binding_id in group
        }
        assert ("f2", "tree.rename") in rows
        assert ("f10", "app.help") in rows
        assert ("f6", "app.focus_next_pane") in rows


async def test_bad_config_and_broken_database_are_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "not-a-dir").write_text("")
    url = f"sqlite:///{tmp_path / 'not-a-dir' / 'v.db'}"
    app = make_app(
        make_settings(),
        database_url=url,
        clock=fixed_clock,
        startup_error=SettingsError("config.toml: ui.theme: unknown key"),
    )
    async with app.run_test(size=SIZE) as pilot:
        workbench = app.workbench
        await wait_for(pilot, lambda: workbench.core_error is not None, what="the open to fail")
        await pilot.pause()
        dialogs = [screen for screen in app.screen_stack if isinstance(screen, ErrorScreen)]
        assert [dialog.heading for dialog in dialogs] == ["Configuration error", "Database error"]
        assert "Traceback" not in dialogs[1].message and "sqlite" not in dialogs[1].message
        assert app.is_running
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, WorkspaceScreen)
        await pilot.press("ctrl+n")  # not possible without a database: nothing happens
        assert not isinstance(app.screen, NewItemScreen)
