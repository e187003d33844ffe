"""A message typed in a chat and not sent survives the terminal closing (SIGHUP), a kill
(SIGTERM) and quitting: it is kept on disk per database and section (`chat-drafts.json`) and
put back into the input when that section's chat shows after a restart; sending clears it.
A damaged or unwritable drafts file never stops the app: it is said, once."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    OpenAIServer,
    open_section,
    provider_config,
    seed_document,
    server_fixture,
    settle,
    type_text,
    wait_for,
)
from tests.ui.conftest import LOCAL_PROVIDER, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.chat_drafts import drafts_file
from vicechat_tui.core.runtime import VicechatCore

DRAFT = "half a question"


async def close_terminal_while_typing(
    build_app: Callable[..., VicechatApp], document_id: int, section_id: int, ending: int
) -> None:
    """Type into the chat, then send the app an exit signal right away (before the pause after
    the last key): the real exit-signal path must keep the draft."""
    app = build_app(**LOCAL_PROVIDER)
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, DRAFT)
        assert pane.chat_input.text == DRAFT
        assert app._exit_signals._installed, "the signal would kill the test run"
        os.kill(os.getpid(), ending)
        await wait_for(pilot, lambda: app.return_code is not None, what="the exit", timeout=30)
    assert app.return_code == 128 + ending


async def reopened_input(app: VicechatApp, section_id: int, pilot: Any) -> str:
    screen = await wait_ready(pilot)
    pane = screen.chat_pane
    await wait_for(pilot, lambda: pane.section_id == section_id, what="the section left")
    await wait_for(pilot, lambda: pane.chat_input.text == DRAFT, what="the draft back")
    return pane.chat_input.text


async def quit_now(app: VicechatApp, pilot: Any) -> None:
    await pilot.press("ctrl+q")
    await wait_for(pilot, lambda: app.return_code is not None, what="the exit", timeout=30)


async def draft_is_back(
    build_app: Callable[..., VicechatApp], document_id: int, section_id: int
) -> None:
    """A new app on the same data: the section's chat input holds the draft again."""
    app = build_app(**LOCAL_PROVIDER)
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await wait_for(pilot, lambda: pane.chat_input.text == DRAFT, what="the draft back")


@pytest.mark.parametrize("ending", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
async def test_a_draft_survives_the_terminal_closing_and_sending_clears_it(
    build_app: Callable[..., VicechatApp],
    store: VicechatCore,
    server: OpenAIServer,
    ending: int,
) -> None:
    document_id, (section_id, _) = await seed_document(store, "Doc", ["Intro", "Next"])
    await close_terminal_while_typing(build_app, document_id, section_id, ending)
    assert DRAFT in drafts_file().read_text(encoding="utf-8")

    server.add_replies("Sure.")
    app = build_app(**provider_config(server))
    async with app.run_test(size=(100, 32)) as pilot:
        assert await reopened_input(app, section_id, pilot) == DRAFT
        pane = await open_section(pilot, document_id, section_id)
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: pane.chat_input.text == "", what="the send")
        await wait_for(pilot, lambda: pane.job_id is None and server.chat_bodies, what="reply")
        await settle(pilot)
        await wait_for(
            pilot,
            lambda: DRAFT not in drafts_file().read_text(encoding="utf-8"),
            what="the draft cleared on disk",
        )
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.return_code is not None, what="the exit", timeout=30)

    app = build_app(**LOCAL_PROVIDER)  # sent: not back in the input
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await settle(pilot)
        assert pane.chat_input.text == ""


async def test_a_draft_in_another_section_is_kept_by_quitting_without_a_warning(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """ctrl+q used to warn that the draft would be lost; it is kept now, so it just leaves."""
    document_id, (section_id, other_id) = await seed_document(store, "Doc", ["Intro", "Next"])
    app = build_app(**LOCAL_PROVIDER)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_section(pilot, document_id, section_id)
        await type_text(pilot, DRAFT)
        await open_section(pilot, document_id, other_id)  # the draft stays with Intro
        await quit_now(app, pilot)
    await draft_is_back(build_app, document_id, section_id)


async def test_a_damaged_drafts_file_is_said_once_and_the_app_goes_on(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (section_id, _) = await seed_document(store, "Doc", ["Intro", "Next"])
    path = drafts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'{"version": 1, "drafts": \xff\x00 not json')
    app = build_app(**LOCAL_PROVIDER)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_section(pilot, document_id, section_id)
        await type_text(pilot, DRAFT)
        await settle(pilot)
        notes = [str(note.message) for note in app._notifications]
        assert sum("damaged" in note for note in notes) == 1, notes
        assert len(app.screen_stack) == 1  # no error dialog
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.return_code is not None, what="the exit", timeout=30)
    assert path.with_name(path.name + ".damaged").exists()
    await draft_is_back(build_app, document_id, section_id)


async def test_an_unwritable_drafts_file_is_said_once_and_quit_warns(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (section_id, _) = await seed_document(store, "Doc", ["Intro", "Next"])
    drafts_file().mkdir(parents=True)  # a folder where the file should be: never writable
    app = build_app(**LOCAL_PROVIDER)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_section(pilot, document_id, section_id)
        await type_text(pilot, "one")
        await pilot.pause(1.0)
        await type_text(pilot, " two")
        await pilot.pause(1.0)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.return_code is None, "still open: the message would be lost"
        notes = [str(note.message) for note in app._notifications]
        assert sum("stay in memory until sent" in note for note in notes) == 1, notes
        assert any("quitting loses it" in note for note in notes)
        await pilot.press("ctrl+q")  # asked once: now it leaves
        await wait_for(pilot, lambda: app.return_code is not None, what="the exit", timeout=30)


async def test_a_draft_is_written_shortly_after_the_last_key_without_quitting(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """kill -9 or a crash gives no chance to save: what was typed a moment ago is on disk."""
    document_id, (section_id, _) = await seed_document(store, "Doc", ["Intro", "Next"])
    app = build_app(**LOCAL_PROVIDER)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_section(pilot, document_id, section_id)
        await type_text(pilot, DRAFT)
        path = drafts_file()
        await wait_for(
            pilot,
            lambda: path.exists() and DRAFT in path.read_text(encoding="utf-8"),
            what="the draft on disk",
        )
