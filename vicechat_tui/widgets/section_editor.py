"""The section editor: Markdown text with autosave; the screen stores what it asks to save.

The editor keeps what is typed and says when it wants saving (`SaveRequested`, after an
autosave pause or on ctrl+s) or wants the versions (`VersionsRequested`); the screen does the
saving with optimistic concurrency (`screens/section_saving.py`) and reports back with
`mark_saved`, `mark_state` or `load`. Typed text is never dropped: a failed save keeps it.

Autosave waits for a pause in the typing, but never longer than `AUTOSAVE_MAX_WAIT` after
the first change not yet asked to be saved: however steadily one types, the text reaches
the database within about two seconds (all that a kill -9 can lose).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.getters import query_one
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static, TextArea
from textual.widgets.text_area import Selection

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


if TYPE_CHECKING:
    from vicechat_tui.widgets.ai_edit_progress import AiEditProgress
    from vicechat_tui.widgets.find_bar import FindBar

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
        Binding(
            "ctrl+f",
            "find",
            "Find",
            tooltip="Find (and replace) in the section",
            show=False,
            id="editor.find",
        ),
        Binding("f3", "find_next", "Find next", show=False, id="editor.find_next"),
        Binding(
            "shift+f3", "find_previous", "Find previous", show=False, id="editor.find_previous"
        ),
        Binding(
            "alt+e",
            "ai_edit",
            "Edit with AI",
            tooltip="Rewrite the selection (else the paragraph at the cursor) with AI",
            show=False,
            id="editor.ai_edit",
        ),
        Binding(
            "escape",
            "cancel_ai_edit",
            "Cancel AI edit",
            tooltip="Stop the AI edit the model is writing (the section stays as it is)",
            show=False,
            priority=True,  # before the text area takes escape to move the focus on
            id="editor.ai_edit_cancel",
        ),
        Binding("ctrl+home", "go_to_start", "Start", show=False, id="editor.start"),
        Binding("ctrl+end", "go_to_end", "End", show=False, id="editor.end"),
        Binding(
            "ctrl+shift+home",
            "go_to_start(True)",
            "Select to start",
            show=False,
            id="editor.select_to_start",
        ),
        Binding(
            "ctrl+shift+end",
            "go_to_end(True)",
            "Select to end",
            show=False,
            id="editor.select_to_end",
        ),
    ]

    @dataclass
    class SaveRequested(Message):
        """The text should be stored: after the autosave pause, or asked for (`announce`)."""

        section_id: int
        announce: bool
        checkpoint: bool = False
        """Keep what is stored as a version of its own (a long pause in the typing)."""

    @dataclass
    class VersionsRequested(Message):
        """The person asked for the section's versions."""

        section_id: int

    @dataclass
    class AiEditRequested(Message):
        """Rewrite characters `start`..`end` of the section with AI (the selection, else the
        paragraph at the cursor)."""

        section_id: int
        start: int
        end: int

    @dataclass
    class AiEditCancelRequested(Message):
        """Stop the AI edit's job `job_id`."""

        job_id: int

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
        self.autosave_max_wait = AUTOSAVE_MAX_WAIT
        """The longest an unsaved change waits for its autosave while typing goes on."""
        self.read_only_reason: str | None = None
        """Why the shown section can be read but not changed (a document shared to view)."""
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

    def action_ai_edit(self) -> None:
        """Ask for an AI rewrite of the selection, else of the paragraph at the cursor."""
        from vicechat_tui.core.review.ai_edit import paragraph_span

        if self.section_id is None:
            return
        start, end = self._selected_span()
        if start == end:
            start, end = paragraph_span(self.text_area.text, start)
        if start < end:
            self.post_message(self.AiEditRequested(self.section_id, start, end))

    def _ai_edit_progress(self, *, mount: bool) -> AiEditProgress | None:
        from vicechat_tui.widgets.ai_edit_progress import AiEditProgress

        lines = self.query_children(AiEditProgress)
        if lines or not mount:
            return lines.first() if lines else None
        line = AiEditProgress(id="ai-edit-progress")
        self.mount(line, before=self.status_bar)
        return line

    def ai_edit_started(self, job_id: int, started_at: float | None) -> AiEditProgress:
        """Show AI edit `job_id`'s progress above the status line (the caller feeds it),
        while this section is shown."""
        from vicechat_tui.widgets.key_hints import key_for_id

        line = self._ai_edit_progress(mount=True)
        assert line is not None and self.section_id is not None
        cancel = key_for_id(self.app, type(self), "editor.ai_edit_cancel")
        line.follow(job_id, self.section_id, started_at, cancel)
        return line

    def ai_edit_ended(self, job_id: int) -> None:
        line = self._ai_edit_progress(mount=False)
        if line is not None and line.job_id == job_id:
            line.end()

    def _ai_edit_here(self) -> AiEditProgress | None:
        """The AI edit line when it follows a job for the section shown."""
        line = self._ai_edit_progress(mount=False)
        if line is None or line.job_id is None or line.section_id != self.section_id:
            return None
        return line

    def _show_ai_edit_line(self) -> None:
        if (line := self._ai_edit_progress(mount=False)) is not None:
            line.set_class(line.section_id != self.section_id, "-elsewhere")

    def action_cancel_ai_edit(self) -> None:
        if (line := self._ai_edit_here()) is not None and line.job_id is not None:
            self.post_message(self.AiEditCancelRequested(line.job_id))

    def action_save(self) -> None:
        if self.section_id is not None:
            self.post_message(self.SaveRequested(self.section_id, announce=True))

    def action_versions(self) -> None:
        if self.section_id is not None:
            self.post_message(self.VersionsRequested(self.section_id))

    # -- find and replace (the bar is mounted on first use) ------------------------------

    def select_text_range(self, start: int, end: int, *, focus: bool = True) -> None:
        """Select characters `start`..`end` of the text (cursor at the end), in view."""
        from vicechat_tui.widgets.find_bar import location_of

        text = self.text_area.text
        self.text_area.selection = Selection(location_of(text, start), location_of(text, end))
        self.text_area.scroll_cursor_visible(center=True)
        if focus:
            self.text_area.focus()

    def _find_bar(self) -> FindBar:
        from vicechat_tui.widgets.find_bar import FindBar

        bars = self.query_children(FindBar)
        if bars:
            return bars.first()
        bar = FindBar(id="find-bar", classes="-hidden")
        self.mount(bar, after=self.text_area)
        return bar

    def action_find(self, replacing: bool = False) -> None:
        """Open the find bar with the selected text (if any) to find."""
        if self.section_id is None:
            return
        selected = self.text_area.selected_text
        self.call_after_refresh(
            self._find_bar().open,
            needle=selected if selected and "\n" not in selected else None,
            replacing=replacing,
        )

    def action_replace(self) -> None:
        self.action_find(replacing=True)

    def action_go_to_start(self, select: bool = False) -> None:
        """The cursor to the section's first character (`select`: selecting up to there)."""
        self.text_area.move_cursor((0, 0), select=select)

    def action_go_to_end(self, select: bool = False) -> None:
        """The cursor after the section's last character (`select`: selecting up to there)."""
        self.text_area.move_cursor(self.text_area.document.end, select=select)

    def action_find_next(self) -> None:
        self._step(forward=True)

    def action_find_previous(self) -> None:
        self._step(forward=False)

    def _matches(self) -> list[tuple[int, int]]:
        from vicechat_tui.widgets.find_bar import find_all

        return find_all(self.text_area.text, self._find_bar().needle)

    def _selected_span(self) -> tuple[int, int]:
        from vicechat_tui.widgets.find_bar import index_of

        text, selection = self.text_area.text, self.text_area.selection
        start, end = sorted((selection.start, selection.end))
        return index_of(text, start), index_of(text, end)

    def _step(self, *, forward: bool, start: int | None = None) -> None:
        """Select the next (previous) match from the cursor, or from `start`."""
        from vicechat_tui.widgets.find_bar import step

        bar = self._find_bar()
        if not bar.needle:
            self.action_find()
            return
        matches = self._matches()
        if start is None:
            selected_start, selected_end = self._selected_span()
            start = selected_end if forward else selected_start
        found = step(matches, start, forward=forward)
        if found is not None:  # the focus stays where it is (the find bar, or the text)
            self.select_text_range(*found, focus=False)
        bar.show_count(matches.index(found) + 1 if found else None, len(matches))

    def on_find_bar_search_changed(self, message: FindBar.SearchChanged) -> None:
        message.stop()
        self._step(forward=True, start=self._selected_span()[0])

    def on_find_bar_step_requested(self, message: FindBar.StepRequested) -> None:
        message.stop()
        self._step(forward=message.forward)

    def on_find_bar_replace_requested(self, message: FindBar.ReplaceRequested) -> None:
        """Replace the selected match (then go to the next one), or every match at once."""
        from vicechat_tui.widgets.find_bar import replace_all

        message.stop()
        bar, text_area = self._find_bar(), self.text_area
        if self.section_id is None or not bar.needle:
            return
        if message.everywhere:
            text, count = replace_all(text_area.text, bar.needle, message.replacement)
            if count:
                text_area.replace(text, (0, 0), text_area.document.end)  # one undo step
            bar.show_count(None, 0)
            self.notify(f"Replaced {count} time{'s' if count != 1 else ''}.", timeout=3)
            return
        span = self._selected_span()
        if span in self._matches():
            from vicechat_tui.widgets.find_bar import location_of

            text = text_area.text
            start, end = (location_of(text, index) for index in span)
            text_area.replace(message.replacement, start, end)
            self._step(forward=True, start=span[0] + len(message.replacement))
        else:
            self._step(forward=True)

    def on_find_bar_closed(self, message: FindBar.Closed) -> None:
        message.stop()
        self.text_area.focus()
