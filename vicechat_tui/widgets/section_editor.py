"""The section editor: Markdown text with autosave; the screen stores what it asks to save.

The editor keeps what is typed and says when it wants saving (`SaveRequested`, after an
autosave pause or on ctrl+s) or wants the versions (`VersionsRequested`); the screen does the
saving with optimistic concurrency (`screens/section_saving.py`) and reports back with
`mark_saved`, `mark_state` or `load`. Typed text is never dropped: a failed save keeps it.

Autosave waits for a pause in the typing, but never longer than `AUTOSAVE_MAX_WAIT` after
the first change not yet asked to be saved: however steadily one types, the text reaches
the database within about two seconds (all that a kill -9 can lose).

The editor is assembled from parts on `SectionEditorBase` (section_editor_base: messages,
children, the selection): `EditorFind` (editor_find) and `EditorAiEdit` (editor_ai_edit); its
keys are `EDITOR_BINDINGS` (editor_bindings). This module keeps showing a section, typing and
autosave, and what the screen reports back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static, TextArea

from vicechat_tui.widgets.editor_ai_edit import EditorAiEdit
from vicechat_tui.widgets.editor_bindings import EDITOR_BINDINGS
from vicechat_tui.widgets.editor_find import EditorFind
from vicechat_tui.widgets.editor_text_area import LONG_TEXT_LINES, EditorTextArea
from vicechat_tui.widgets.safe_text import plain


class ShownSection(Protocol):
    """What the editor reads of a section: a `models.Section`, or the start-up preview's
    `core.place_preview.PreviewSection`."""

    @property
    def id(self) -> int | None: ...
    @property
    def version(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def content(self) -> str: ...


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
WORD_COUNT_PAUSE = 0.5
"""Seconds without typing before a long section's words are counted again."""
CHECKPOINT_PAUSE = 300.0
"""A pause in the typing this long (seconds) is a meaningful moment: a version is kept."""
AUTOSAVE_MAX_WAIT = 2.0
"""Seconds from the first unsaved change to its autosave, however steadily one types."""


@dataclass(frozen=True)
class Draft:
    """Text typed into a section and not stored yet, and the version it was typed on."""

    section_id: int
    text: str
    based_on_version: int
    based_on_text: str = ""
    """The stored text of `based_on_version` (the base of a three-way merge)."""


class SectionEditor(EditorFind, EditorAiEdit):
    """Edits the content of one section; the workspace says which one."""

    DEFAULT_CSS = """
    SectionEditor {
        #editor-title { height: 1; padding: 0 1; background: $panel; color: $text; }
        #editor-text { height: 1fr; border: none; padding: 0 1; }
        #editor-status { height: 1; padding: 0 1; color: $text-muted; background: $panel; }
        &.-conflict #editor-status, &.-failed #editor-status { color: $error; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = EDITOR_BINDINGS

    save_state: reactive[SaveState] = reactive("empty", init=False, always_update=True)
    word_count: reactive[int] = reactive(0, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.version = 0
        self.dirty = False
        self.autosave_seconds: float | None = None
        """The pause before an autosave; set by the screen from the settings."""
        self.autosave_max_wait = AUTOSAVE_MAX_WAIT
        """The longest an unsaved change waits for its autosave while typing goes on."""
        self._saved_text = ""
        self._autosave: Timer | None = None
        self._autosave_deadline: Timer | None = None
        self._word_timer: Timer | None = None
        self.checkpoint_pause = CHECKPOINT_PAUSE
        """Seconds without typing after which the text is kept as a version of its own."""
        self._pause_timer: Timer | None = None
        self._status = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="editor-title", markup=False)
        yield EditorTextArea(  # controls shown as symbols, the text kept exact, long text fast
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
        self._show_ai_edit_line()

    def show_section(self, section: ShownSection, *, document_title: str) -> None:
        """Load `section` for editing (the caller saved the previous one first)."""
        assert section.id is not None
        self.section_id = section.id
        self.version = section.version
        if self.text_area.language is None and MARKDOWN in self.text_area.available_languages:
            self.text_area.language = MARKDOWN
        self._set_text(section.content)
        self.text_area.disabled = False
        self.set_read_only(None)
        self.retitle(document_title, section.title)
        self.save_state = "saved"
        self._show_ai_edit_line()

    def set_read_only(self, reason: str | None) -> None:
        """Let the section be read and copied but not changed, saying why (None: editable)."""
        self.read_only_reason = reason
        self.text_area.read_only = reason is not None
        self._render_status()

    def retitle(self, document_title: str, section_title: str) -> None:
        self.title_bar.update(plain(f"{section_title}  ·  {document_title}"))

    def _set_text(self, text: str) -> None:
        self._saved_text = text
        self.text_area.load_text(text)
        self.dirty = False
        self.stop_autosave()
        if self._pause_timer is not None:  # leaving the section keeps a version anyway
            self._pause_timer.stop()
            self._pause_timer = None
        self.word_count = len(text.split())

    def _count_words(self) -> None:
        self._word_timer = None
        self.word_count = len(self.text_area.text.split())

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self.text_area.document.line_count <= LONG_TEXT_LINES:
            self._count_words()
        elif self._word_timer is None:  # a long text: counted when the typing pauses
            self._word_timer = self.set_timer(WORD_COUNT_PAUSE, self._count_words)
        else:
            self._word_timer.reset()
        if self.section_id is None or self.text_area.text == self._saved_text:
            return  # a load, or an edit undone back to what is stored
        self.dirty = True
        self.save_state = "unsaved"
        if self._pause_timer is not None:
            self._pause_timer.stop()
        self._pause_timer = self.set_timer(self.checkpoint_pause, self._long_pause, name="pause")
        if self.autosave_seconds is None:
            return
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(self.autosave_seconds, self._autosave_now, name="autosave")
        if self._autosave_deadline is None:  # the first change since the last save request
            wait = max(self.autosave_max_wait, 0.0)
            self._autosave_deadline = self.set_timer(wait, self._autosave_now, name="autosave cap")

    def stop_autosave(self) -> None:
        """Forget the pending autosave (its pause and its deadline): a save is under way."""
        for timer in (self._autosave, self._autosave_deadline):
            if timer is not None:
                timer.stop()
        self._autosave = self._autosave_deadline = None

    def _long_pause(self) -> None:
        self._pause_timer = None
        if self.section_id is not None:
            self.post_message(self.SaveRequested(self.section_id, announce=False, checkpoint=True))

    def _autosave_now(self) -> None:
        self.stop_autosave()
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
            if self.read_only_reason:
                status = f"v{self.version} · {words} · read only: {self.read_only_reason}"
        if status != self._status:
            self._status = status
            self.status_bar.update(status, layout=False)  # one line high, whatever it says

    # -- what the screen reports back ------------------------------------------------------

    def draft(self) -> Draft | None:
        """What is typed and not stored yet (None when nothing is)."""
        if self.section_id is None or not self.dirty:
            return None
        return Draft(self.section_id, self.text_area.text, self.version, self._saved_text)

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

    def proposed_text(self, text: str, mode: Literal["insert", "replace"]) -> str:
        """The section as it would be with `text` at the cursor, or instead of everything."""
        if mode == "replace":
            return text
        from vicechat_tui.widgets.find_bar import index_of

        current = self.text_area.text
        at = index_of(current, self.text_area.cursor_location)
        return current[:at] + text + current[at:]

    def put_text(self, text: str, mode: Literal["insert", "replace"]) -> None:
        """Put `text` at the cursor or instead of everything (the caller stores it)."""
        if mode == "replace":
            self.text_area.replace(text, (0, 0), self.text_area.document.end)
        else:
            self.text_area.insert(text)
        self.dirty = True

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_ai_edit":
            return self._ai_edit_here() is not None and self.text_area.has_focus
        if action in ("save", "replace", "ai_edit") and self.read_only_reason:
            return False
        if action in (
            "save",
            "versions",
            "find",
            "find_next",
            "find_previous",
            "replace",
            "ai_edit",
        ):
            return self.section_id is not None
        return True

    def action_save(self) -> None:
        if self.section_id is not None:
            self.post_message(self.SaveRequested(self.section_id, announce=True))

    def action_versions(self) -> None:
        if self.section_id is not None:
            self.post_message(self.VersionsRequested(self.section_id))

    # -- moving --------------------------------------------------------------------------

    def action_go_to_start(self, select: bool = False) -> None:
        """The cursor to the section's first character (`select`: selecting up to there)."""
        self.text_area.move_cursor((0, 0), select=select)

    def action_go_to_end(self, select: bool = False) -> None:
        """The cursor after the section's last character (`select`: selecting up to there)."""
        self.text_area.move_cursor(self.text_area.document.end, select=select)
