"""The section editor: Markdown text with autosave, optimistic concurrency and versions.

Saves are based on the version that was loaded (`save_content(based_on_version=...)`); when
the section changed elsewhere the conflict dialog offers keep-mine / take-theirs / view both,
and nothing is overwritten silently. Typed text is never dropped: a failed save keeps it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.getters import query_one
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static, TextArea

from vicechat_tui.widgets.safe_text import plain

if TYPE_CHECKING:
    from vicechat_tui.core.errors import EditConflictError
    from vicechat_tui.core.models import Section
    from vicechat_tui.core.runtime import VicechatCore

SaveResult = Literal["saved", "conflict", "failed"]
SaveState = Literal["empty", "saved", "unsaved", "saving", "conflict", "failed"]
STATE_LABELS = {
    "empty": "",
    "saved": "saved",
    "unsaved": "edited",
    "saving": "saving…",
    "conflict": "conflict — not saved",
    "failed": "not saved",
}


def markdown_language() -> str | None:
    """ "markdown" when tree-sitter and its Markdown grammar are installed, else plain text."""
    try:
        from textual._tree_sitter import TREE_SITTER, get_language
    except ImportError:
        return None
    return "markdown" if TREE_SITTER and get_language("markdown") is not None else None


class SectionEditor(Vertical):
    """Edits the content of one section; the workspace says which one."""

    DEFAULT_CSS = """
    SectionEditor {
        #editor-title { height: 1; padding: 0 1; background: $panel; color: $text; }
        #editor-text { height: 1fr; border: none; padding: 0 1; }
        #editor-status { height: 1; padding: 0 1; color: $text-muted; background: $panel; }
        &.-conflict #editor-status, &.-failed #editor-status { color: $error; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="editor.save"),
        Binding("ctrl+r", "versions", "Versions", id="editor.versions"),
    ]

    @dataclass
    class Saved(Message):
        """A version of the section was stored."""

        section_id: int
        version: int

    save_state: reactive[SaveState] = reactive("empty", init=False, always_update=True)
    word_count: reactive[int] = reactive(0, init=False)

    text_area = query_one("#editor-text", TextArea)
    title_bar = query_one("#editor-title", Static)
    status_bar = query_one("#editor-status", Static)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.section_id: int | None = None
        self.version = 0
        self.dirty = False
        self._saved_text = ""
        self._lock = asyncio.Lock()
        self._autosave: Timer | None = None
        self._conflict_open = False
        self._status = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="editor-title", markup=False)
        yield TextArea(
            "",
            id="editor-text",
            language=None,  # set on the first section: tree-sitter stays out of the first frame
            soft_wrap=True,
            tab_behavior="indent",
            disabled=True,
        )
        yield Static("", id="editor-status", markup=False)

    def on_mount(self) -> None:
        self.show_message("Select a section in the tree (n creates one).")

    @property
    def core(self) -> VicechatCore:
        core = self.app.core  # type: ignore[attr-defined]
        assert core is not None
        return core

    # -- what is shown -----------------------------------------------------------------------

    def show_message(self, message: str) -> None:
        """Show no section, just a hint in the title line."""
        self.section_id = None
        self._set_text("")
        self.text_area.disabled = True
        self.title_bar.update(plain(message))
        self.save_state = "empty"

    def show_section(self, section: Section, *, document_title: str) -> None:
        """Load `section` for editing (the caller saved the previous one first)."""
        assert section.id is not None
        self.section_id = section.id
        self.version = section.version
        if self.text_area.language is None and (language := markdown_language()):
            self.text_area.language = language
        self._set_text(section.content)
        self.text_area.disabled = False
        self.retitle(document_title, section.title)
        self.save_state = "saved"

    def retitle(self, document_title: str, section_title: str) -> None:
        self.title_bar.update(plain(f"{section_title}  ·  {document_title}"))

    def _set_text(self, text: str) -> None:
        self._saved_text = text
        self.text_area.load_text(text)
        self.dirty = False
        self._stop_autosave()
        self.word_count = len(text.split())

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.word_count = len(self.text_area.text.split())
        if self.section_id is None or self.text_area.text == self._saved_text:
            return  # a load, or an edit undone back to what is stored
        self.dirty = True
        self.save_state = "unsaved"
        self._stop_autosave()
        delay = self.app.settings.ui.autosave_seconds  # type: ignore[attr-defined]
        self._autosave = self.set_timer(delay, self._autosave_now, name="autosave")

    def _stop_autosave(self) -> None:
        if self._autosave is not None:
            self._autosave.stop()
            self._autosave = None

    def _autosave_now(self) -> None:
        self._autosave = None
        if not self._conflict_open:
            self.run_worker(self.save(), group="save", exit_on_error=False)

    def watch_save_state(self, state: SaveState) -> None:
        self.set_class(state == "conflict", "-conflict")
        self.set_class(state == "failed", "-failed")
        self._render_status()

    def watch_word_count(self) -> None:
        self._render_status()

    def _render_status(self) -> None:
        """The status line, redrawn only when its text changes (it is checked every key)."""
        status = ""
        if self.section_id is not None:
            words = f"{self.word_count:,} word{'s' if self.word_count != 1 else ''}"
            status = f"v{self.version} · {words} · {STATE_LABELS[self.save_state]}"
        if status != self._status:
            self._status = status
            self.status_bar.update(status, layout=False)  # one line high, whatever it says

    # -- saving ------------------------------------------------------------------------------

    async def save(self, *, source: str = "edit") -> SaveResult:
        """Store the text if it changed; a conflict opens the conflict dialog."""
        from vicechat_tui.core.errors import EditConflictError
        from vicechat_tui.core.models import VersionSource

        async with self._lock:
            if self.section_id is None or not self.dirty:
                return "saved"
            self._stop_autosave()
            section_id, text = self.section_id, self.text_area.text
            self.save_state = "saving"
            try:
                section = await self.core.sections.save_content(
                    section_id, text, based_on_version=self.version, source=VersionSource(source)
                )
            except EditConflictError as conflict:
                self.save_state = "conflict"
                self._offer_conflict(section_id, text, conflict)
                return "conflict"
            except Exception as error:
                self.save_state = "failed"
                self.app.report_error(error)  # type: ignore[attr-defined]
                return "failed"
            if self.section_id == section_id:
                self.version = section.version
                self._saved_text = text
                self.dirty = self.text_area.text != text
                self.save_state = "unsaved" if self.dirty else "saved"
            self.post_message(self.Saved(section_id, section.version))
            return "saved"

    def _offer_conflict(self, section_id: int, mine: str, conflict: EditConflictError) -> None:
        from vicechat_tui.screens.conflict import ConflictChoice, ConflictScreen

        if self._conflict_open:
            return
        self._conflict_open = True

        def resolved(choice: ConflictChoice | None) -> None:
            self._conflict_open = False
            self.run_worker(
                self._resolve(section_id, mine, conflict, choice), group="save", exit_on_error=False
            )

        screen = ConflictScreen(
            title=conflict.current_title,
            mine=mine,
            theirs=conflict.current_content,
            based_on_version=conflict.based_on_version,
            current_version=conflict.current_version,
        )
        self.app.push_screen(screen, resolved)

    async def _resolve(
        self, section_id: int, mine: str, conflict: EditConflictError, choice: str | None
    ) -> None:
        showing = self.section_id == section_id
        if choice == "theirs" and showing:
            self.version = conflict.current_version
            self._set_text(conflict.current_content)
            self.save_state = "saved"
        elif choice == "mine" and showing:
            self.version = conflict.current_version
            self._saved_text = conflict.current_content
            self.dirty = True
            await self.save()
        elif choice == "mine":
            try:
                await self.core.sections.save_content(
                    section_id, mine, based_on_version=conflict.current_version
                )
            except Exception as error:
                self.app.report_error(error)  # type: ignore[attr-defined]

    async def apply_text(self, text: str, mode: Literal["insert", "replace"]) -> None:
        """Put a chat reply into the section (at the cursor or instead of it) and save it."""
        if self.section_id is None:
            self.notify("Select a section first.", severity="warning")
            return
        if await self.save() != "saved":
            return
        if mode == "replace":
            self.text_area.replace(text, (0, 0), self.text_area.document.end)
        else:
            self.text_area.insert(text)
        self.dirty = True
        await self.save(source="applied_reply")

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "versions"):
            return self.section_id is not None
        return True

    async def action_save(self) -> None:
        if await self.save() == "saved" and self.section_id is not None:
            self.notify("Saved.", timeout=2)

    def action_versions(self) -> None:
        from vicechat_tui.screens.versions import VersionsScreen

        if self.section_id is None:
            return
        section_id = self.section_id

        def chosen(version_id: int | None) -> None:
            if version_id is not None:
                self.run_worker(self._restore(section_id, version_id), group="save")

        self.app.push_screen(VersionsScreen(section_id), chosen)

    async def _restore(self, section_id: int, version_id: int) -> None:
        if self.section_id != section_id or await self.save() != "saved":
            return
        try:
            section = await self.core.sections.restore(
                section_id, version_id, based_on_version=self.version
            )
        except Exception as error:
            self.app.report_error(error)  # type: ignore[attr-defined]
            return
        if self.section_id == section_id:
            self.version = section.version
            self._set_text(section.content)
            self.save_state = "saved"
            self.notify(f"Restored; the section is now at version {section.version}.", timeout=3)
        self.post_message(self.Saved(section_id, section.version))
