"""Driving the real vicechat workspace from a benchmark child (Textual pilot, real terminal).

Children run under a pseudo-terminal (see `harness.run_in_pty`), so `run_test(headless=False)`
uses Textual's real Linux driver: every frame is rendered to escape codes and written.
"""

from __future__ import annotations

import asyncio
import os
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import TERMINAL_SIZE, write_result
from probes import PaintClock, StallWatch, until

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from vicechat_tui.app import VicechatApp
    from vicechat_tui.core.settings import Settings
    from vicechat_tui.screens.workspace import WorkspaceScreen
    from vicechat_tui.widgets.chat_pane import ChatPane
    from vicechat_tui.widgets.document_tree import DocumentTree
    from vicechat_tui.widgets.section_editor import SectionEditor

USER = "bench"


def bench_settings(**values: Any) -> Settings:
    from vicechat_tui.core.settings import Settings

    values.setdefault("user", USER)
    return Settings(**values)


async def seed(
    database_url: str, settings: Settings, title: str, sections: list[str]
) -> tuple[int, list[int]]:
    """Create a document with top-level sections before the app starts; (doc id, section ids)."""
    from vicechat_tui.core.runtime import open_core

    core = await open_core(settings, database_url=database_url)
    try:
        document = await core.documents.create(title)
        assert document.id is not None
        ids = []
        for name in sections:
            section = await core.sections.create(document.id, name, content=f"{name} text.")
            assert section.id is not None
            ids.append(section.id)
        return document.id, ids
    finally:
        await core.aclose()


def build_app(settings: Settings, database_url: str) -> VicechatApp:
    from vicechat_tui.app import make_app

    return make_app(settings, database_url=database_url)


def workspace(app: VicechatApp) -> WorkspaceScreen:
    from vicechat_tui.screens.workspace import WorkspaceScreen

    screen = app.screen_stack[0]
    assert isinstance(screen, WorkspaceScreen), screen
    return screen


def document_tree(app: VicechatApp) -> DocumentTree:
    from vicechat_tui.widgets.document_tree import DocumentTree

    return workspace(app).query_one(DocumentTree)


def chat_pane(app: VicechatApp) -> ChatPane:
    from vicechat_tui.widgets.chat_pane import ChatPane

    return workspace(app).query_one(ChatPane)


def section_editor(app: VicechatApp) -> SectionEditor:
    from vicechat_tui.widgets.section_editor import SectionEditor

    return workspace(app).query_one(SectionEditor)


async def ready(pilot: Pilot[Any]) -> WorkspaceScreen:
    """Wait until start-up is over: the tree showing its first page, the core open (asked
    for as the person's first key would: on a ready database it opens on demand), the
    start-up heap frozen (the app's last start-up step)."""
    import gc

    app: VicechatApp = pilot.app  # type: ignore[assignment]
    await until(lambda: document_tree(app).loaded, timeout=60)  # (not composed yet: False)
    if app.workbench.request_core is not None:
        app.workbench.request_core()
    await until(lambda: app.core is not None and gc.get_freeze_count() > 0, timeout=60)
    await pilot.pause(0.2)
    return workspace(app)


async def show_section(pilot: Pilot[Any], document_id: int, section_id: int) -> ChatPane:
    """Select a section through the tree and wait until its chat is on screen."""
    screen = workspace(pilot.app)  # type: ignore[arg-type]
    await screen.select_section(document_id, section_id)
    pane = chat_pane(pilot.app)  # type: ignore[arg-type]
    await until(lambda: pane.section_id == section_id and pane.session_id is not None)
    await pilot.pause(0.2)
    return pane


def rendered(widget: Any) -> bool:
    """No repaint or layout of `widget` is pending (so the last frame showed its state)."""
    return not widget._repaint_required and not widget._layout_required


Scenario = Callable[["Pilot[Any]", PaintClock], Awaitable[dict[str, Any]]]


def run_scenario(app: VicechatApp, scenario: Scenario) -> None:
    """Run `scenario(pilot, clock)` in the app under the real driver; report its result."""

    stalls_file = os.environ.get("VICECHAT_BENCH_STALLS")

    async def main() -> dict[str, Any]:
        clock = PaintClock(app)
        stalls = StallWatch()
        async with app.run_test(headless=False, size=TERMINAL_SIZE) as pilot:
            if stalls_file:  # where the loop was stuck, for reading by hand
                stalls.start()
            result = await scenario(pilot, clock)
            result["frames"] = clock.frames
            await stalls.stop()
        if stalls_file:
            Path(f"{stalls_file}.{os.getpid()}").write_text(stalls.report())
        return result

    dump = os.environ.get("VICECHAT_BENCH_DUMP")
    if dump:  # debugging a hung child: every thread's stack after N seconds
        import faulthandler

        faulthandler.dump_traceback_later(
            float(os.environ.get("VICECHAT_BENCH_DUMP_AFTER", "20")),
            file=open(dump, "w"),  # noqa: SIM115
        )
    try:
        result = asyncio.run(main())
    except BaseException:
        write_result({"error": traceback.format_exc()})
        return
    write_result(result)
