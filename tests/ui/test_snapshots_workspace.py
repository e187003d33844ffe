"""Snapshots of the workspace and its dialogs, dark and light: fixed size, clock, ids; no cursor
blink."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.conftest import make_settings
from tests.ui.conftest import (
    FIXED_NOW,
    SIZE,
    SMALL,
    seed_document,
    settle,
    shows,
    wait_for,
    wait_ready,
)
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.models import SectionVersion
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.help import HelpScreen
from vicechat_tui.screens.new_item import NewItemScreen
from vicechat_tui.screens.review import ReviewScreen
from vicechat_tui.screens.versions import VersionsScreen
from vicechat_tui.screens.workspace import WorkspaceScreen

Seeder = Callable[[VicechatCore], Awaitable[None]]


@pytest.fixture(autouse=True)
def fixed_config_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hints that name the config file show the same path in every run."""
    monkeypatch.setenv("VICECHAT_CONFIG", "/home/alice/.config/vicechat/config.toml")


def seed(url: str, seeder: Seeder) -> None:
    """Fill the test database before the app starts (snapshot tests are synchronous)."""

    async def run() -> None:
        core = await open_core(make_settings(), database_url=url)
        try:
            await seeder(core)
        finally:
            await core.aclose()

    asyncio.run(run())


async def thesis(core: VicechatCore) -> None:
    document_id, (intro, methods, _) = await seed_document(
        core, "Thesis", ["Introduction", "Methods", "Results"]
    )
    await core.sections.save_content(
        intro, "# Introduction\n\nWhy this *matters*, in a few words.\n", based_on_version=1
    )
    await core.sections.create(document_id, "Sampling", parent_id=methods)
    await core.sections.set_status(methods, "review")
    await seed_document(core, "Notes [draft]")
    async with core.database.session() as db:
        await db.execute(
            update(SectionVersion)
            .where(SectionVersion.id == 1)  # type: ignore[arg-type]
            .values(created_at=FIXED_NOW - timedelta(hours=3))
        )
        await db.execute(
            update(SectionVersion)
            .where(SectionVersion.id != 1)  # type: ignore[arg-type]
            .values(created_at=FIXED_NOW - timedelta(minutes=5))
        )
        await db.commit()


def quiet(app: App[Any]) -> None:
    """Stop cursors blinking so the picture does not depend on timing."""
    for screen in app.screen_stack:
        for widget in screen.query("TextArea, Input"):
            if isinstance(widget, TextArea | Input):
                widget.cursor_blink = False


def before(*keys: str, then: Callable[[Pilot[Any]], Awaitable[None]] | None = None) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_ready(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if then is not None:
            await then(pilot)
        await settle(pilot)
        quiet(pilot.app)
        await pilot.pause()

    return run_before


def on_screen(name: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def wait(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == name, what=name)
        await settle(pilot)

    return wait


@shows(WorkspaceScreen)
def test_workspace_empty(
    snap_compare: Any, build_app: Callable[..., VicechatApp], theme: str
) -> None:
    assert snap_compare(build_app(ui={"theme": theme}), terminal_size=SIZE, run_before=before())


@shows(WorkspaceScreen)
def test_workspace_with_a_document(
    snap_compare: Any, build_app: Callable[..., VicechatApp], ui_database_url: str, theme: str
) -> None:
    seed(ui_database_url, thesis)
    assert snap_compare(
        build_app(ui={"theme": theme}),
        terminal_size=SIZE,
        run_before=before("down", "space", "down"),
    )


@shows(WorkspaceScreen)
def test_workspace_small_terminal(
    snap_compare: Any, build_app: Callable[..., VicechatApp], ui_database_url: str, theme: str
) -> None:
    seed(ui_database_url, thesis)
    keys = ("down", "space", "down", "down", "space", "down", "f6")
    assert snap_compare(
        build_app(ui={"theme": theme}), terminal_size=SMALL, run_before=before(*keys)
    )


@shows(NewItemScreen)
def test_new_document_dialog(
    snap_compare: Any, build_app: Callable[..., VicechatApp], theme: str
) -> None:
    run_before = before("ctrl+n", then=on_screen("NewItemScreen"))
    assert snap_compare(build_app(ui={"theme": theme}), terminal_size=SIZE, run_before=run_before)


@shows(NewItemScreen)
def test_rename_dialog_with_a_problem(
    snap_compare: Any, build_app: Callable[..., VicechatApp], ui_database_url: str, theme: str
) -> None:
    seed(ui_database_url, thesis)

    async def clear_and_submit(pilot: Pilot[Any]) -> None:
        await on_screen("NewItemScreen")(pilot)
        await pilot.press("ctrl+a", "ctrl+k", "enter")

    run_before = before("down", "r", then=clear_and_submit)
    assert snap_compare(build_app(ui={"theme": theme}), terminal_size=SIZE, run_before=run_before)


@shows(ConfirmScreen)
def test_confirm_delete_dialog(
    snap_compare: Any, build_app: Callable[..., VicechatApp], ui_database_url: str, theme: str
) -> None:
    seed(ui_database_url, thesis)
    run_before = before("down", "space", "down", "down", "delete", then=on_screen("ConfirmScreen"))
    assert snap_compare(build_app(ui={"theme": theme}), terminal_size=SIZE, run_before=run_before)


@shows(VersionsScreen)
def test_versions_dialog(
    snap_compare: Any, build_app: Callable[..., VicechatApp], ui_database_url: str, theme: str
) -> None:
    seed(ui_database_url, thesis)

    async def open_versions(pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+r")
        await on_screen("VersionsScreen")(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, VersionsScreen)
        await wait_for(pilot, lambda: screen.version_list.option_count == 2)
        await pilot.press("down")

    run_before = before("down", "space", "down", "f6", then=open_versions)
    assert snap_compare(build_app(ui={"theme": theme}), terminal_size=SIZE, run_before=run_before)


@shows(HelpScreen)
def test_help_dialog(snap_compare: Any, build_app: Callable[..., VicechatApp], theme: str) -> None:
    run_before = before("f1", then=on_screen("HelpScreen"))
    assert snap_compare(build_app(ui={"theme": theme}), terminal_size=SIZE, run_before=run_before)


@shows(ReviewScreen)
def test_conflict_merge_review(
    snap_compare: Any, build_app: Callable[..., VicechatApp], ui_database_url: str, theme: str
) -> None:
    seed(ui_database_url, thesis)

    async def make_conflict(pilot: Pilot[Any]) -> None:
        core = await open_core(make_settings(), database_url=ui_database_url)
        try:
            await core.sections.save_content(1, "Their newer text.\n", based_on_version=2)
        finally:
            await core.aclose()
        await pilot.press("end", "!")
        await on_screen("ReviewScreen")(pilot)

    run_before = before("down", "space", "down", "f6", then=make_conflict)
    assert snap_compare(build_app(ui={"theme": theme}), terminal_size=SIZE, run_before=run_before)
