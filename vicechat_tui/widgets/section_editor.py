"""The section editor: Markdown text with autosave; the screen stores what it asks to save.

The editor keeps what is typed and says when it wants saving (`SaveRequested`, after an
autosave pause or on ctrl+s) or wants the versions (`VersionsRequested`); the screen does the
saving with optimistic concurrency (`screens/section_saving.py`) and reports back with
`mark_saved`, `mark_state` or `load`. Typed text is never dropped: a failed save keeps it.
"""

from __future__ import annotations

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
from vicechat_tui.widgets.safe_text_area import SafeTextArea

if TYPE_CHECKING:
    from vicechat_tui.core.models import Section

SaveState = Literal["empty", "saved", "unsaved", "saving", "conflict", "failed"]
STATE_LABELS = {
    "empty": "",
    "saved": "saved",
    "unsaved": "edited",
    "saving": "saving…",
    "conflict": "conflict — not saved",
    "failed": "not saved",
}
MARKDOWN = "markdown"


@dataclass(frozen=True)
class Draft:
    """Text typed into a section and not stored yet, and the version it was typed on."""

    section_id: int
    text: str
    based_on_version: int


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
    class SaveRequested(Message):
        """The text should be stored: after the autosave pause, or asked for (`announce`)."""

        section_id: int
        announce: bool

    @dataclass
    class VersionsRequested(Message):
        """The person asked for the section's versions."""

        section_id: int

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
        self.autosave_seconds: float | None = None
        """The pause before an autosave; set by the screen from the settings."""
        self._saved_text = ""
        self._autosave: Timer | None = None
        self._status = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="editor-title", markup=False)
        yield SafeTextArea(  # control characters shown as symbols, the text kept exact
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
        if self.text_area.language is None and MARKDOWN in self.text_area.available_languages:
            self.text_area.language = MARKDOWN
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
        self.stop_autosave()
        self.word_count = len(text.split())

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.word_count = len(self.text_area.text.split())
        if self.section_id is None or self.text_area.text == self._saved_text:
            return  # a load, or an edit undone back to what is stored
        self.dirty = True
        self.save_state = "unsaved"
        self.stop_autosave()
        if self.autosave_seconds is not None:
            self._autosave = self.set_timer(
                self.autosave_seconds, self._autosave_now, name="autosave"
            )

    def stop_autosave(self) -> None:
        if self._autosave is not None:
            self._autosave.stop()
            self._autosave = None

    def _autosave_now(self) -> None:
        self._autosave = None
        if self.section_id is not None and self.dirty:
            self.post_message(self.SaveRequested(self.section_id, announce=False))

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

    # -- what the screen reports back ------------------------------------------------------

    def draft(self) -> Draft | None:
        """What is typed and not stored yet (None when nothing is)."""
        if self.section_id is None or not self.dirty:
            return None
        return Draft(self.section_id, self.text_area.text, self.version)

    def mark_saved(self, draft: Draft, version: int) -> None:
        """`draft` is stored as `version` (typing may have gone on meanwhile)."""
        if self.section_id != draft.section_id:
            return
        self.version = version
        self._saved_text = draft.text
        self.dirty = self.text_area.text != draft.text
        self.save_state = "unsaved" if self.dirty else "saved"

    def mark_state(self, state: SaveState) -> None:
        self.save_state = state

    def load(self, section_id: int, version: int, text: str) -> None:
        """Show the stored `text` at `version` (restored, or theirs after a conflict)."""
        if self.section_id == section_id:
            self.version = version
            self._set_text(text)
            self.save_state = "saved"

    def rebase(self, section_id: int, version: int, stored_text: str) -> None:
        """Keep the typed text, now based on `version` (mine wins a conflict)."""
        if self.section_id == section_id:
            self.version = version
            self._saved_text = stored_text
            self.dirty = True

    def put_text(self, text: str, mode: Literal["insert", "replace"]) -> None:
        """Put `text` at the cursor or instead of everything (the caller stores it)."""
        if mode == "replace":
            self.text_area.replace(text, (0, 0), self.text_area.document.end)
        else:
            self.text_area.insert(text)
        self.dirty = True

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "versions"):
            return self.section_id is not None
        return True

    def action_save(self) -> None:
        if self.section_id is not None:
            self.post_message(self.SaveRequested(self.section_id, announce=True))

    def action_versions(self) -> None:
        if self.section_id is not None:
            self.post_message(self.VersionsRequested(self.section_id))
