"""No stored text reaches the terminal raw, in any widget, and the editor saves it exactly.

The real app runs on a database whose titles, section text, versions, chat messages (content,
model, sources, error), chat settings and job labels all carry escape sequences (OSC 52
clipboard, OSC 0/2 title, OSC 8 link, CSI 2J, DCS, 8-bit CSI/OSC, BEL) and bidi overrides;
titles also zero-width characters. A driver records exactly what a terminal would receive.
The walk opens every place that shows stored text (tree, editor, chat, versions, rename,
delete, chat settings, jobs, conflict, error dialog and notification) and checks, at each
step, that none of the payload's sequences was written. Another test lists every widget and
screen class of the UI, so a new one must be put on the walk (or said to show none).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

import vicechat_tui.screens
import vicechat_tui.widgets
from tests.escape_payload import PAYLOAD
from tests.ui.chat_fixtures import seed_chat
from tests.ui.conftest import (
    SIZE,
    run_palette,
    seed_document,
    settle,
    type_text,
    wait_for,
    wait_ready,
)
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.errors import DatabaseError, VicechatError
from vicechat_tui.core.models import Assistant, ChatJob, KnowledgeCollection
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.widgets.safe_text_area import SafeTextArea

TITLE = f"T\u200b\ufeff {PAYLOAD}"
FIRST_LINE = "A\x1b[2JB\x9b31mC\u202eD\x07E"
CONTENT = f"{FIRST_LINE}\n{PAYLOAD}\r\nform\x0cfeed\x85next\u2028sep\r\n\nend"
"""Section text: the first line short (for the column check), then every kind of break
that Textual's own TextArea would turn into a newline (CRLF, FF, NEL, LS)."""
CURSOR_AND_COLOURS = re.compile(r"\x1b\[[0-9;?]*[HmK]")
PASTED = "P\x1b]2;PWNED-PASTE\x07Q\r\nR\x9b2J"
"""Pasted: its controls kept (and shown as symbols), its CRLF a line break as usual."""
SEEN = "UFdORUQ"
"""Part of the payload that is printable: it shows the stored text was drawn at all."""
RAW = [
    "\x1b]52;c;UFdORUQ",
    "\x1b]0;PWNED",
    "\x1b]2;PWNED",
    "\x1b]8;;http://evil.example",
    "\x1b[2J",
    "\x1bPq#0",
    "\x07bell",
    "\x1b[2JB",
]
"""The payload's sequences as a terminal would obey them (the UI writes none of these)."""
NEVER = {chr(code) for code in range(0x80, 0xA0)} | set("\u202a\u202b\u202c\u202d\u202e")
NEVER |= set("\u2066\u2067\u2068\u2069\u200b\ufeff")
"""Characters the UI itself never writes: C1 controls, bidi controls, zero-width."""

SHOWS_STORED_TEXT = {
    "DocumentTree",
    "TreeLoading",
    "SectionEditor",
    "SectionEditorBase",
    "EditorFind",
    "EditorAiEdit",
    "SafeTextArea",
    "EditorTextArea",
    "SafeInput",
    "ChatPane",
    "ChatPaneBase",
    "ChatQueue",
    "LiveReply",
    "ChatActions",
    "ChatInput",
    "ChatLog",
    "ChatMessageView",
    "SourcesAndSteps",
    "MessageBody",
    "MarkdownChunk",
    "_MarkdownLines",
    "SourcesList",
    "JobProgress",
    "ChatHeader",
    "ReplySteps",
    "VersionsScreen",
    "NewItemScreen",
    "ConfirmScreen",
    "ChatConfigScreen",
    "JobsScreen",
    "ErrorScreen",
    "SearchScreen",
    "ExportScreen",
    "ShareScreen",
    "ReviewScreen",
    "DiffView",
    "FieldForm",
    "AssistantsScreen",
    "AssistantFormScreen",
    "KnowledgeScreen",
    "TrashScreen",
}
"""The UI's classes that show text from the database, a model or the web; each is visited."""
SHOWS_NO_STORED_TEXT = {
    "LiveTail": "a streaming reply's tail: tests/ui/test_stream_safety.py drives it live",
    "ResearchLog": "a running research's refused pages: tests/ui/test_reply_steps.py drives it "
    "live with a hostile address",
    "PaneRow": "a layout container",
    "FindBar": "what the person types to find in the section",
    "ImportScreen": "the file path the person types",
    "_PathDialog": "the base of the import and export dialogs",
    "ShowMore": "how much of a long message is hidden (counts only)",
    "HelpScreen": "key bindings only",
    "WorkspaceScreen": "arranges the widgets listed above",
    "WorkspaceBase": "a part of WorkspaceScreen",
    "PaneLayout": "a part of WorkspaceScreen",
    "WorkspaceStart": "a part of WorkspaceScreen",
    "SectionOpening": "a part of WorkspaceScreen",
    "ChatWiring": "a part of WorkspaceScreen",
    "WorkspaceDialogs": "a part of WorkspaceScreen",
    "PaneBar": "the hidden panes' names and keys, the save state",
    "KeyFooter": "key bindings only",
    "InstructionScreen": "what the person types, and the config file's quick actions, drawn "
    "through plain()",
    "QuickActionList": "the config file's quick actions, drawn through plain()",
    "AiEditProgress": "JobProgress's line (visited above) between a fixed prefix and a key",
    "KnowledgeScreen": "collection names (printable only: core refuses controls) and counts; "
    "file paths in its notes go through plain() (tests/ui/test_knowledge_screen.py)",
}


class RecordingDriver(HeadlessDriver):
    """The headless driver, except that the app writes to it what a terminal would get."""

    written: list[str] = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        RecordingDriver.written.append(data)


def take_output() -> str:
    output = "".join(RecordingDriver.written)
    RecordingDriver.written.clear()
    return output


def ui_classes() -> dict[str, type[Widget]]:
    """Every Widget or Screen class defined in vicechat_tui.widgets and vicechat_tui.screens."""
    found: dict[str, type[Widget]] = {}
    for package in (vicechat_tui.widgets, vicechat_tui.screens):
        for module_info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{module_info.name}")
            for name, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, Widget)
                    and value.__module__ == module.__name__
                ):
                    found[name] = value
    return found


def test_every_ui_class_is_on_the_walk_or_said_to_show_no_stored_text() -> None:
    unlisted = set(ui_classes()) - SHOWS_STORED_TEXT - set(SHOWS_NO_STORED_TEXT)
    assert not unlisted, f"put {sorted(unlisted)} on the walk below (or in SHOWS_NO_STORED_TEXT)"


def search_results(app: VicechatApp) -> int:
    from vicechat_tui.screens.search import SearchScreen

    screen = app.screen
    return screen.results_list.option_count if isinstance(screen, SearchScreen) else 0


async def seed(store: VicechatCore) -> tuple[int, int]:
    document_id, (section_id,) = await seed_document(store, TITLE, [TITLE])
    first = await store.sections.save_content(section_id, f"old {PAYLOAD}", based_on_version=1)
    await store.sections.save_content(section_id, CONTENT, based_on_version=first.version)
    session_id = await seed_chat(
        store,
        document_id,
        section_id,
        [
            {"role": "user", "content": f"Question {PAYLOAD}"},
            {
                "role": "assistant",
                "content": f"Answer {PAYLOAD}\n\n- item {PAYLOAD}\n\n```\ncode {PAYLOAD}\n```",
                "model": f"model {PAYLOAD}",
                "assistant": f"a {PAYLOAD}",
                "state": "failed",
                "error": f"Provider said {PAYLOAD}",
                "sources": [{"number": 1, "title": PAYLOAD, "url": f"https://x.example/{PAYLOAD}"}],
                "steps": [
                    {"id": "s1", "parent": None, "label": f"cycle {PAYLOAD}", "status": "ok"},
                    {
                        "id": "s2",
                        "parent": "s1",
                        "label": f"reading {PAYLOAD}",
                        "status": "failed",
                        "payload": {"url": PAYLOAD, "reason": PAYLOAD, "queries": [PAYLOAD]},
                    },
                ],
            },
        ],
    )
    await store.chats.update_config(
        session_id, {"model": f"m {PAYLOAD}", "system_prompt": f"Be {PAYLOAD}"}
    )
    async with store.database.session() as db:
        db.add(
            ChatJob(
                session_id=session_id,
                section_id=section_id,
                kind="chat",
                status="failed",
                step_label=f"searching {PAYLOAD}",
                assistant=f"a {PAYLOAD}",
            )
        )
        await db.commit()
    await seed_what_is_yours(store)
    return document_id, section_id


async def seed_what_is_yours(store: VicechatCore) -> None:
    """An assistant and a collection whose stored text carries the payload (written straight
    to the database, as another program could: the services refuse control characters), and
    a document in the trash under a hostile title."""
    from sqlalchemy import update

    await store.assistants.create("aardvark", {"description": "plain"})
    await store.knowledge.create("notes")
    async with store.database.session() as db:
        await db.execute(
            update(Assistant)
            .where(Assistant.name == "aardvark")  # type: ignore[arg-type]
            .values(description=f"d {PAYLOAD}", system_prompt=f"Be {PAYLOAD}")
        )
        await db.execute(
            update(KnowledgeCollection)
            .where(KnowledgeCollection.name == "notes")  # type: ignore[arg-type]
            .values(name=f"notes {PAYLOAD}")
        )
        await db.commit()
    trashed_id, _ = await seed_document(store, f"Old {TITLE}", ["Gone"])
    await store.documents.delete(trashed_id)


class Walk:
    """Checks the terminal after each step and notes which UI classes were on screen."""

    def __init__(self, pilot: Pilot[Any]) -> None:
        self.pilot = pilot
        self.visited: set[str] = set()

    async def check(self, step: str, *, drawn: bool = True, seen: str = SEEN) -> None:
        """What the terminal got since the last check: none of the payload's sequences, and
        (when `drawn`) the stored text, made visible (waited for: a toast comes a bit later)."""
        output = take_output()
        deadline = time.monotonic() + 5
        # (the screen's own moves and colours may cut a word into pieces)
        while drawn and seen not in CURSOR_AND_COLOURS.sub("", output):
            assert time.monotonic() < deadline, f"{step}: the stored text was not drawn"
            await self.pilot.pause(0.05)
            output += take_output()
        raw = [sequence for sequence in RAW if sequence in output]
        assert not raw, f"{step}: {raw} reached the terminal"
        never = sorted(hex(ord(char)) for char in NEVER if char in output)
        assert not never, f"{step}: {never} reached the terminal"
        self.visited |= {
            cls.__name__
            for node in self.pilot.app.screen.walk_children(with_self=True)
            for cls in type(node).__mro__
        }

    async def open(
        self,
        keys: tuple[str, ...],
        screen_class: type[Screen[Any]],
        step: str,
        *,
        drawn: bool = True,
        seen: str = SEEN,
    ) -> None:
        app = self.pilot.app
        await self.pilot.press(*keys)
        await wait_for(self.pilot, lambda: isinstance(app.screen, screen_class), what=step)
        await settle(self.pilot)
        await self.check(step, drawn=drawn, seen=seen)

    async def command(self, words: str, screen_class: type[Screen[Any]], step: str) -> None:
        """Run a command of the palette, then check the screen it opens."""
        app = self.pilot.app
        await run_palette(self.pilot, words)
        await wait_for(self.pilot, lambda: isinstance(app.screen, screen_class), what=step)
        await settle(self.pilot)
        await self.check(step)

    async def close(self, key: str = "escape") -> None:
        await self.pilot.press(key)
        await settle(self.pilot)
        take_output()


async def test_no_widget_lets_stored_text_reach_the_terminal_and_the_editor_saves_exactly(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    from vicechat_tui.screens.assistants import AssistantFormScreen, AssistantsScreen
    from vicechat_tui.screens.chat_config import ChatConfigScreen
    from vicechat_tui.screens.confirm import ConfirmScreen
    from vicechat_tui.screens.error import ErrorScreen
    from vicechat_tui.screens.export import ExportScreen
    from vicechat_tui.screens.jobs import JobsScreen
    from vicechat_tui.screens.knowledge import KnowledgeScreen
    from vicechat_tui.screens.new_item import NewItemScreen
    from vicechat_tui.screens.review import ReviewScreen
    from vicechat_tui.screens.search import SearchScreen
    from vicechat_tui.screens.share import ShareScreen
    from vicechat_tui.screens.trash import TrashScreen
    from vicechat_tui.screens.versions import VersionsScreen

    document_id, section_id = await seed(store)
    RecordingDriver.written.clear()
    app = build_app()
    app.driver_class = RecordingDriver
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        walk = Walk(pilot)
        screen = await wait_ready(pilot)
        await walk.check("the tree", seen="T\\u200b\\ufeff ")  # the zero-width characters shown
        await screen.select_section(document_id, section_id)
        await wait_for(pilot, lambda: screen.chat_pane.session_id is not None, what="the chat")
        await settle(pilot)
        await walk.check("the section: tree, editor, chat, sources")
        screen.chat_pane.chat_input.focus()
        await pilot.press("alt+s")
        await settle(pilot)
        from vicechat_tui.widgets.reply_steps import ReplySteps

        assert screen.chat_pane.query_one(ReplySteps).expanded
        await walk.check("the reply's steps, open")

        editor = screen.editor.text_area
        assert isinstance(editor, SafeTextArea)
        assert editor.text == CONTENT
        editor.focus()
        await pilot.press("end")
        assert editor.cursor_location == (0, len(FIRST_LINE))
        column = editor.cursor_screen_offset.x - editor.content_region.x
        assert column == len(FIRST_LINE), "one cell a character: the cursor after the last"
        await pilot.press("exclamation_mark", "pagedown", "end", "question_mark")
        app.copy_to_clipboard(PASTED)
        await pilot.press("ctrl+v")
        column = editor.cursor_screen_offset.x - editor.content_region.x
        assert column == len("R\x9b2J"), "the pasted control takes its cell too"
        await pilot.press("ctrl+s")
        await settle(pilot)
        expected = CONTENT.replace("\n", "!\n", 1) + "?" + PASTED.replace("\r\n", "\n")
        assert (await store.sections.get(section_id)).content == expected
        await walk.check("typing, pasting and saving", drawn=False)

        await walk.open(("ctrl+r",), VersionsScreen, "the versions")
        await pilot.press("down")
        await settle(pilot)
        await walk.check("an older version's preview")
        await walk.open(("c",), ReviewScreen, "comparing it with the current", seen="PWNED-PASTE")
        await walk.close()
        await walk.close()

        screen.document_tree.focus()
        await walk.open(("r",), NewItemScreen, "renaming the section")
        await walk.close()
        await walk.open(("delete",), ConfirmScreen, "deleting the section")
        await walk.close()
        await walk.open(("S",), ShareScreen, "sharing the document", seen="T\\u200b\\ufeff ")
        await walk.close()

        screen.chat_pane.chat_input.focus()
        await walk.open(("ctrl+o",), ChatConfigScreen, "the chat's settings")
        await walk.close()
        await pilot.press("f6")  # leave the chat input
        await walk.open(("ctrl+t",), JobsScreen, "the jobs")
        await walk.close()
        await walk.open(("f2",), SearchScreen, "the search", drawn=False)
        await type_text(pilot, "Answer")
        await wait_for(pilot, lambda: search_results(app) > 0, what="search results")
        await settle(pilot)
        await walk.check("the search results and preview")
        await walk.close()

        await walk.command("assistant: manage", AssistantsScreen, "the assistants")
        await walk.open(("e",), AssistantFormScreen, "editing an assistant")
        await walk.close()
        await walk.close()
        await walk.command("knowledge: collections", KnowledgeScreen, "the collections")
        await walk.close()
        await walk.command("trash: show", TrashScreen, "the trash")
        await walk.close()

        await app.push_screen(ExportScreen(TITLE, Path.home()))
        await settle(pilot)
        await walk.check("exporting the document", seen="T\\u200b\\ufeff ")
        await walk.close()

        editor.focus()
        current = (await store.sections.get(section_id)).version
        await store.sections.save_content(section_id, f"theirs {PAYLOAD}", based_on_version=current)
        await pilot.press("x", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="a conflict")
        await settle(pilot)
        await walk.check("the edit conflict")
        await walk.close()

        app.show_error(VicechatError(f"The provider said {PAYLOAD}"))
        await settle(pilot)
        await walk.check("an error notification")
        app.show_error(DatabaseError(f"The database said {PAYLOAD}"))
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), what="the error")
        await settle(pilot)
        await walk.check("an error dialog")

    assert walk.visited >= SHOWS_STORED_TEXT, f"not visited: {SHOWS_STORED_TEXT - walk.visited}"
