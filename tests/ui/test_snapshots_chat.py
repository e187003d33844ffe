"""Snapshots of the chat pane and its modals, dark and light: fixed size, fresh database, frozen
spinner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    GatedServer,
    SeededApp,
    frozen_spinner,
    gated_fixture,
    last_reply,
    open_section,
    provider_config,
    reply_finished,
    seed_chat,
    seed_document,
    seeded_app,
    settle,
    type_text,
    wait_for,
)
from tests.ui.conftest import shows
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.chat_config import ChatConfigScreen
from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.jobs import JobsScreen
from vicechat_tui.screens.workspace import WorkspaceScreen
from vicechat_tui.widgets.chat_pane import ChatPane

PANE = (100, 30)
MODAL = (100, 36)
RESEARCHED = (
    "Tides come from the Moon's pull [1], with the Sun adding a smaller part [2].\n\n"
    "```python\nheight = moon + sun\n```"
)
SOURCES = [
    {"number": 1, "title": "Tides [bold]explained[/bold]", "url": "https://example.org/tides"},
    {"number": 2, "title": "Solar tides\x1b[31m", "url": "https://example.net/sun"},
]


async def one_section(core: VicechatCore) -> tuple[int, int]:
    document_id, (section_id,) = await seed_document(core, "Doc", ["Intro"])
    return document_id, section_id


async def with_history(core: VicechatCore) -> tuple[int, int]:
    document_id, section_id = await one_section(core)
    await seed_chat(
        core,
        document_id,
        section_id,
        [
            {"role": "user", "content": "Why are there *tides*?"},
            {"role": "assistant", "content": RESEARCHED, "sources": SOURCES, "model": "m"},
            {"role": "user", "content": "And [bold]spring[/bold] tides?"},
            {
                "role": "assistant",
                "content": "Spring tides happen",
                "state": "interrupted",
                "model": "m",
            },
        ],
    )
    return document_id, section_id


def quiet(app: Any) -> None:
    """No blinking cursors: the picture must not depend on timing."""
    for screen in app.screen_stack:
        for widget in screen.query("TextArea, Input"):
            if isinstance(widget, TextArea | Input):
                widget.cursor_blink = False


def ready(
    seeded: SeededApp, then: Callable[[Pilot[Any], ChatPane], Awaitable[None]] | None = None
) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        pane = await open_section(pilot, seeded.document_id, seeded.section_id)
        if then is not None:
            await then(pilot, pane)
        await settle(pilot)
        quiet(pilot.app)
        await pilot.pause()

    return run_before


@shows(WorkspaceScreen)
def test_empty_chat(
    snap_compare: Any, ui_database_url: str, gated: GatedServer, theme: str
) -> None:
    seeded = seeded_app(ui_database_url, one_section, ui={"theme": theme}, **provider_config(gated))
    assert snap_compare(seeded.app, terminal_size=PANE, run_before=ready(seeded))


@shows(WorkspaceScreen)
def test_history_with_sources(
    snap_compare: Any, ui_database_url: str, gated: GatedServer, theme: str
) -> None:
    seeded = seeded_app(
        ui_database_url, with_history, ui={"theme": theme}, **provider_config(gated)
    )
    assert snap_compare(seeded.app, terminal_size=PANE, run_before=ready(seeded))


@shows(WorkspaceScreen)
def test_no_provider(
    snap_compare: Any, ui_database_url: str, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    monkeypatch.setenv("VICECHAT_CONFIG", "/home/you/.config/vicechat/config.toml")  # fixed text
    seeded = seeded_app(ui_database_url, one_section, ui={"theme": theme})
    assert snap_compare(seeded.app, terminal_size=PANE, run_before=ready(seeded))


@shows(WorkspaceScreen)
def test_streaming_with_progress(
    snap_compare: Any, ui_database_url: str, gated: GatedServer, theme: str
) -> None:
    gated.replies.append(["A *partial* ", "answer ", "so ", "far", " and more"])

    async def stream(pilot: Pilot[Any], pane: ChatPane) -> None:
        await type_text(pilot, "explain")
        await pilot.press("ctrl+j")
        gated.release(4)
        await wait_for(
            pilot, lambda: (v := last_reply(pane)) is not None and v.content.endswith("far")
        )
        await wait_for(pilot, lambda: pane.progress.tokens >= 4, what="the token count")

    seeded = seeded_app(ui_database_url, one_section, ui={"theme": theme}, **provider_config(gated))
    assert snap_compare(seeded.app, terminal_size=PANE, run_before=ready(seeded, stream))


@shows(WorkspaceScreen)
def test_provider_error(
    snap_compare: Any, ui_database_url: str, gated: GatedServer, theme: str
) -> None:
    gated.fail_status = 503  # an error text without the server's (random) port

    async def fail(pilot: Pilot[Any], pane: ChatPane) -> None:
        await type_text(pilot, "hello")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: reply_finished(pane), what="the failure")

    seeded = seeded_app(ui_database_url, one_section, ui={"theme": theme}, **provider_config(gated))
    assert snap_compare(seeded.app, terminal_size=PANE, run_before=ready(seeded, fail))


@shows(ChatConfigScreen)
def test_config_modal_with_field_errors(
    snap_compare: Any, ui_database_url: str, gated: GatedServer, theme: str
) -> None:
    async def bad_values(pilot: Pilot[Any], pane: ChatPane) -> None:
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChatConfigScreen))
        await settle(pilot)
        screen = pilot.app.screen
        for name, value in (("temperature", "3"), ("max_tokens", "0")):
            field = screen.query_one(f"#{name}", Input)
            field.focus()
            await pilot.press("end", *["backspace"] * len(field.value), *value)
        await pilot.press("ctrl+s")
        await settle(pilot)

    seeded = seeded_app(ui_database_url, one_section, ui={"theme": theme}, **provider_config(gated))
    assert snap_compare(seeded.app, terminal_size=MODAL, run_before=ready(seeded, bad_values))


@shows(JobsScreen)
def test_jobs_screen(
    snap_compare: Any, ui_database_url: str, gated: GatedServer, theme: str
) -> None:
    gated.replies.extend([["finished"], ["still ", "going"]])

    async def two_jobs(pilot: Pilot[Any], pane: ChatPane) -> None:
        for text, release in (("first", 1), ("second", 1)):
            await type_text(pilot, text)
            await pilot.press("ctrl+j")
            gated.release(release)

            def started_or_done(n: int = release) -> bool:
                return (gated.sent >= n and pane.running) or reply_finished(pane)

            await wait_for(pilot, started_or_done)
            if text == "first":
                await wait_for(pilot, lambda: reply_finished(pane), what="the first job")
        await wait_for(pilot, lambda: pane.progress.tokens >= 1, what="the second job streams")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobsScreen))
        screen = pilot.app.screen
        assert isinstance(screen, JobsScreen)
        await wait_for(
            pilot,
            lambda: bool(screen.query("#jobs-table")) and screen.table.row_count == 2,
            what="both jobs",
        )

    seeded = seeded_app(ui_database_url, one_section, ui={"theme": theme}, **provider_config(gated))
    assert snap_compare(seeded.app, terminal_size=MODAL, run_before=ready(seeded, two_jobs))


@shows(ConfirmScreen)
def test_reset_confirm(
    snap_compare: Any, ui_database_url: str, gated: GatedServer, theme: str
) -> None:
    async def ask(pilot: Pilot[Any], pane: ChatPane) -> None:
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))

    seeded = seeded_app(
        ui_database_url, with_history, ui={"theme": theme}, **provider_config(gated)
    )
    assert snap_compare(seeded.app, terminal_size=MODAL, run_before=ready(seeded, ask))
