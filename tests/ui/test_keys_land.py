"""Keys land where the person thinks: focus keys never hide, hints follow the key map, help
lists every key, the palette's document commands act on the document, editor start/end."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.widgets import Footer, Input, TextArea

import vicechat_tui.screens
import vicechat_tui.widgets
from tests.ui.conftest import (
    LOCAL_PROVIDER,
    SIZE,
    press_in_terminal,
    run_palette,
    seed_document,
    settle,
    type_text,
    wait_for,
    wait_ready,
)
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.ai_instruction import InstructionScreen
from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.help import HelpScreen


async def test_a_focus_key_pressed_twice_keeps_the_pane_and_letters_land_in_it(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """The loss from issue 13: ctrl+g twice hid the chat, and the next letters typed ran
    tree commands (K moved a section, s changed its status) or went into the editor."""
    document_id, (first, second) = await seed_document(store, "Doc", ["First", "Second"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == second)
        await pilot.press("f6")  # into the editor
        assert screen.editor.text_area.has_focus
        await pilot.press("ctrl+g", "ctrl+g")
        await wait_for(pilot, lambda: screen.chat_pane.chat_input.has_focus)
        await type_text(pilot, "Ks ok")
        await settle(pilot)
        assert screen.chat_pane.display
        assert screen.chat_pane.chat_input.text == "Ks ok"
        rows = await store.sections.children(document_id)
        assert [row.id for row in rows] == [first, second], "K moved no section"
        assert [row.status for row in rows] == ["draft", "draft"], "s changed no status"
        assert screen.editor.text_area.text == ""

        await pilot.press("ctrl+b", "ctrl+b")  # to the tree, twice: it stays shown and focused
        await wait_for(pilot, lambda: screen.document_tree.has_focus)
        assert screen.document_tree.display


async def test_ctrl_g_and_letters_typed_on_the_message_list_go_to_the_message_input(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """With the focus on the chat's message list (after a search jumped to a message, or
    shift+tab), ctrl+g ("go to the chat") left it there, and the question typed next went
    nowhere: ctrl+j then said the message was empty."""
    await seed_document(store, "Doc", ["Only"])
    app = build_app(**LOCAL_PROVIDER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down", "ctrl+g")
        chat = screen.chat_pane
        await wait_for(pilot, lambda: chat.chat_input.has_focus, what="the input")
        await pilot.press("shift+tab")
        await wait_for(pilot, lambda: chat.chat_log.has_focus, what="the message list")
        await pilot.press("ctrl+g")
        await type_text(pilot, "How deep")
        await settle(pilot)
        assert chat.chat_input.has_focus
        assert chat.chat_input.text == "How deep"

        await pilot.press("shift+tab")  # typing on the message list goes to the input too
        await wait_for(pilot, lambda: chat.chat_log.has_focus, what="the message list")
        await type_text(pilot, " is it?")
        await settle(pilot)
        assert chat.chat_input.has_focus
        assert chat.chat_input.text == "How deep is it?"


async def seed_section(store: VicechatCore, text: str) -> None:
    document_id = (await store.documents.create("Doc")).id
    assert document_id is not None
    await store.sections.create(document_id, "Only", content=text)


async def in_the_editor(pilot: Pilot[Any], text: str) -> TextArea:
    """From a fresh workspace, the only section open and the focus in its text."""
    screen = await wait_ready(pilot)
    await pilot.press("space", "down", "f6")
    area = screen.editor.text_area
    await wait_for(pilot, lambda: area.text == text and area.has_focus)
    return area


async def test_editor_ctrl_home_and_ctrl_end(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    text = "\n".join(f"line {n} of a long section" for n in range(400))
    await seed_section(store, text)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        area = await in_the_editor(pilot, text)
        await pilot.press("ctrl+end")
        assert area.cursor_location == area.document.end
        await pilot.pause()
        assert area.scroll_y > 0
        await pilot.press("ctrl+home")
        assert area.cursor_location == (0, 0)
        await pilot.press("ctrl+shift+end")
        assert area.selected_text == text


async def test_palette_document_delete_deletes_the_document_not_the_section(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (section_id, _) = await seed_document(store, "Doomed doc", ["A", "B"])
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == section_id)
        await run_palette(pilot, "document: delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert isinstance(app.screen, ConfirmScreen)
        assert "Doomed doc" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert screen.document_tree.find_document(document_id) is None
        assert await store.documents.count() == 0


async def test_a_remapped_send_key_shows_in_every_hint(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    _, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(ui={"keys": {"chat.send": "ctrl+s", "editor.find_next": "f4"}})
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: screen.editor.section_id == section_id)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: screen.chat_pane.chat_input.has_focus)
        placeholder = str(screen.chat_pane.chat_input.placeholder)
        assert "^s sends" in placeholder or "ctrl+s sends" in placeholder, placeholder
        assert "j" not in placeholder.split("(")[1]
        footer_keys = {
            binding.key
            for (_, binding, enabled, _) in screen.active_bindings.values()
            if binding.action == "chat_send" and enabled
        }
        assert footer_keys == {"ctrl+s"}
        assert screen.query_one(Footer) is not None
        await pilot.press("shift+f6", "ctrl+f")
        await wait_for(pilot, lambda: bool(screen.editor.query("#find-text")))
        find_text = screen.editor.query_one("#find-text", Input)
        assert "f4: next" in find_text.placeholder.lower(), find_text.placeholder

        await pilot.press("escape", "f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        rows = {row[2]: row[0] for group in app.screen.groups.values() for row in group}
        assert rows["chat.send"] == "^s" or rows["chat.send"] == "ctrl+s", rows["chat.send"]


def declared_bindings() -> list[tuple[type[DOMNode], Binding]]:
    """Every binding declared by a class in vicechat's screens and widgets (walked here
    through the subclasses of DOMNode, not the help screen's own search)."""
    for package in (vicechat_tui.screens, vicechat_tui.widgets):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            importlib.import_module(info.name)
    found: list[tuple[type[DOMNode], Binding]] = []
    pending: list[type[DOMNode]] = [DOMNode]
    seen: set[type[DOMNode]] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("vicechat_tui.") and "BINDINGS" in cls.__dict__:
            found.extend((cls, b) for b in Binding.make_bindings(cls.__dict__["BINDINGS"]))
    return found


async def test_help_lists_every_key_of_every_binding(
    build_app: Callable[..., VicechatApp],
) -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        rows = {row[2]: row[0] for group in app.screen.groups.values() for row in group}
        declared = declared_bindings()
        assert len(declared) > 40
        for cls, binding in declared:
            assert binding.id, f"{cls.__name__} binds {binding.key} without an id"
            assert binding.id in rows, f"help misses {binding.id} ({cls.__name__})"
            for key in binding.key.split(","):
                shown = app.get_key_display(Binding(key.strip(), ""))
                assert shown in rows[binding.id].split(" / "), (binding.id, key, rows[binding.id])
        assert rows["tree.move_up"].split(" / ")[1] == "K"
        assert rows["tree.move_down"].split(" / ")[1] == "J"


async def test_alt_e_from_a_terminal_asks_for_an_ai_edit_and_leaves_the_selection(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """A terminal sends alt+e as ESC e, a key carrying the printable "e": the editor typed
    it over the selected line (the text lost) instead of asking for the AI edit."""
    text = "The moon is a rock.\n\nSecond paragraph."
    await seed_section(store, text)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        area = await in_the_editor(pilot, text)
        await pilot.press("shift+end")
        assert area.selected_text == "The moon is a rock."
        await press_in_terminal(pilot, "alt+e")
        await wait_for(pilot, lambda: isinstance(app.screen, InstructionScreen), what="ask")
        assert area.text == text
        await pilot.press("escape")
        await settle(pilot)
        assert area.text == text


async def test_escape_in_the_editor_keeps_the_focus_and_the_words_that_follow(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """Escape in the editor (to close something, out of habit) moved the focus on to the
    chat's message list, and the words typed next never reached the section."""
    text = "The moon is a rock."
    await seed_section(store, text)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        area = await in_the_editor(pilot, text)
        await pilot.press("shift+end", "escape")
        assert area.has_focus
        assert area.selected_text == ""
        await type_text(pilot, " Yes")
        await settle(pilot)
        assert area.text == "The moon is a rock. Yes"


def test_only_alt_keys_lose_their_character() -> None:
    """alt+e from a terminal is a command; AltGr reported as ctrl+alt ("ctrl+@" with the
    "@", alt left out) is a character to type."""
    from textual import events

    from vicechat_tui.widgets.command_keys import as_command

    alt, altgr = events.Key("alt+e", "e"), events.Key("ctrl+commercial_at", "@")
    as_command(alt)
    as_command(altgr)
    assert (alt.character, altgr.character) == (None, "@")
