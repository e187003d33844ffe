"""Snapshots of the review screen: dark and light themes, 80 and 130 columns; a kept, a
dropped and a current change, a code line, and a change holding a control character; and
the AI edit instruction dialog with its quick actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.conftest import saved_id
from tests.ui.chat_fixtures import open_section, seed_chat
from tests.ui.conftest import LOCAL_PROVIDER, seed_document, settle, shows, wait_for, workspace
from tests.ui.test_snapshots_workspace import quiet, seed
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.ai_instruction import InstructionScreen
from vicechat_tui.screens.review import ReviewScreen
from vicechat_tui.widgets.diff_view import DiffView

ORIGINAL = (
    "The quick brown fox jumps over the lazy dog.\n\n"
    "```python\nprint('hello')\n```\n\n"
    "It was a sunny day in May, and [bold]nobody[/bold] was about.\n"
)
REWRITE = (
    "The swift brown fox leaps over the sleepy dog.\n\n"
    "```python\nprint('hello, world')\n```\n\n"
    "It was a rainy day in May, and [bold]everyone\x1b]0;x\x07[/bold] was about.\n"
)


async def reply_to_review(core: VicechatCore) -> None:
    document_id, (section_id,) = await seed_document(core, "Essay", ["Opening"])
    await core.sections.save_content(section_id, ORIGINAL, based_on_version=1)
    await seed_chat(core, document_id, section_id, [{"role": "assistant", "content": REWRITE}])
    assert saved_id(await core.sections.get(section_id)) == 1


async def open_review(pilot: Pilot[Any]) -> None:
    await open_section(pilot, 1, 1)
    await settle(pilot)  # the reply drawn in full before the dialog covers most of it
    await pilot.press("alt+r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen), what="review")
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    await wait_for(
        pilot, lambda: bool(screen.query(DiffView)) and screen.diff_view.ready, what="the hunks"
    )
    await pilot.press("j", "d")  # the second change dropped; the third is current
    await settle(pilot)
    quiet(pilot.app)
    await pilot.pause()


@shows(ReviewScreen)
@pytest.mark.parametrize("width", [80, 130])
def test_review_screen(
    snap_compare: Any,
    build_app: Callable[..., VicechatApp],
    ui_database_url: str,
    theme: str,
    width: int,
) -> None:
    seed(ui_database_url, reply_to_review)
    app = build_app(ui={"theme": theme}, **LOCAL_PROVIDER)
    assert snap_compare(app, terminal_size=(width, 32), run_before=open_review)


async def open_instruction_dialog(pilot: Pilot[Any]) -> None:

    await open_section(pilot, 1, 1)
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, VicechatApp)
    editor = workspace(app).editor
    editor.text_area.focus()
    editor.text_area.move_cursor((0, 4))
    await pilot.press("alt+e")
    await wait_for(pilot, lambda: isinstance(app.screen, InstructionScreen), what="the dialog")
    await pilot.press("down", "down")  # into the quick actions, the second highlighted
    await settle(pilot)
    quiet(app)
    await pilot.pause()


@shows(InstructionScreen)
def test_ai_edit_instruction_dialog(
    snap_compare: Any,
    build_app: Callable[..., VicechatApp],
    ui_database_url: str,
    theme: str,
) -> None:
    """The quick actions (the defaults, listed with their numbers) under the typed field."""
    seed(ui_database_url, reply_to_review)
    app = build_app(ui={"theme": theme}, **LOCAL_PROVIDER)
    assert snap_compare(app, terminal_size=(100, 32), run_before=open_instruction_dialog)
