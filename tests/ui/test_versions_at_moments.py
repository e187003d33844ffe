"""Pilot tests: versions are kept at meaningful moments, never one per autosave pause.

Typing with short pauses updates one autosaved version (the text itself is stored within
seconds); ctrl+s, leaving the section and a long pause keep a version. The other moments are
tested where they happen: an applied reply in `test_chat_actions.py`, a restore in
`test_workspace_editor.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.ui.conftest import SIZE, seed_document, type_text, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.workspace import WorkspaceScreen


async def versions(store: VicechatCore, section_id: int) -> list[tuple[str, str]]:
    return [(v.source, v.content) for v in await store.sections.versions(section_id)]


async def saved(pilot: Pilot[Any], screen: WorkspaceScreen) -> None:
    """Wait until the editor's text is stored (by an autosave or an explicit save)."""
    editor = screen.editor
    await wait_for(
        pilot, lambda: not editor.dirty and editor.save_state == "saved", what="the save"
    )


async def test_typing_with_pauses_makes_one_version_and_ctrl_s_a_new_one(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (first, second) = await seed_document(store, "Doc", ["Intro", "Next"])
    app = build_app(ui={"autosave_seconds": 1.0})
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == first)
        await pilot.press("f6")
        assert screen.editor.text_area.has_focus

        await type_text(pilot, "one")
        await saved(pilot, screen)  # the pause: an autosave
        await type_text(pilot, " two")
        await saved(pilot, screen)  # another pause, the same version
        assert await versions(store, first) == [("autosave", "one two"), ("create", "")]

        await type_text(pilot, " three")
        await pilot.press("ctrl+s")  # before the autosave pause is over
        await saved(pilot, screen)
        assert await versions(store, first) == [
            ("edit", "one two three"),
            ("autosave", "one two"),
            ("create", ""),
        ]

        await type_text(pilot, " four")
        await saved(pilot, screen)  # a new autosave version: the checkpoint stays
        assert (await versions(store, first))[:2] == [
            ("autosave", "one two three four"),
            ("edit", "one two three"),
        ]

        await pilot.press("shift+f6", "down")  # leave the section: a checkpoint
        await wait_for(pilot, lambda: screen.editor.section_id == second, what="next section")
        assert await versions(store, first) == [
            ("edit", "one two three four"),
            ("edit", "one two three"),
            ("autosave", "one two"),
            ("create", ""),
        ]
        section = await store.sections.get(first)
        assert (section.content, section.version) == ("one two three four", 5)


async def test_a_long_pause_keeps_a_version_and_short_ones_do_not(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (first, _second) = await seed_document(store, "Doc", ["Intro", "Next"])
    app = build_app(ui={"autosave_seconds": 0.2})
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == first)
        screen.editor.checkpoint_pause = 3.0
        await pilot.press("f6")

        for word in ("one", " two", " three"):  # three short pauses: autosaves only
            await type_text(pilot, word)
            await saved(pilot, screen)
        assert await versions(store, first) == [("autosave", "one two three"), ("create", "")]

        async def kept() -> bool:
            return (await versions(store, first))[0] == ("edit", "one two three")

        found = False
        for _ in range(200):  # the long pause: the autosaved version becomes one to keep
            if found := await kept():
                break
            await pilot.pause(0.05)
        assert found, await versions(store, first)

        await type_text(pilot, " four")  # typing again starts a version of its own
        await saved(pilot, screen)
        assert await versions(store, first) == [
            ("autosave", "one two three four"),
            ("edit", "one two three"),
            ("create", ""),
        ]
