"""What the section editor's parts share: the messages it posts, its children, the shown
section's id and why it is read only, and the selection as character offsets.

`SectionEditor` (section_editor) is assembled from parts on `SectionEditorBase`:
`EditorFind` (editor_find: find and replace) and `EditorAiEdit` (editor_ai_edit: Edit with
AI). The messages are posted and handled as `SectionEditor.SaveRequested` and so on; their
handler names stay `on_section_editor_…`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.containers import Vertical
from textual.getters import query_one
from textual.message import Message
from textual.widgets import Static, TextArea
from textual.widgets.text_area import Selection

EDITOR = "section_editor"
"""The messages' namespace: handlers are named `on_section_editor_save_requested` and so on."""


class SectionEditorBase(Vertical):
    """The section editor's messages, children and shown section; the parts add behaviour."""

    @dataclass
    class SaveRequested(Message, namespace=EDITOR):
        """The text should be stored: after the autosave pause, or asked for (`announce`)."""

        section_id: int
        announce: bool
        checkpoint: bool = False
        """Keep what is stored as a version of its own (a long pause in the typing)."""

    @dataclass
    class VersionsRequested(Message, namespace=EDITOR):
        """The person asked for the section's versions."""

        section_id: int

    @dataclass
    class AiEditRequested(Message, namespace=EDITOR):
        """Rewrite characters `start`..`end` of the section with AI (the selection, else the
        paragraph at the cursor)."""

        section_id: int
        start: int
        end: int

    @dataclass
    class AiEditCancelRequested(Message, namespace=EDITOR):
        """Stop the AI edit's job `job_id`."""

        job_id: int

    text_area = query_one("#editor-text", TextArea)
    title_bar = query_one("#editor-title", Static)
    status_bar = query_one("#editor-status", Static)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.section_id: int | None = None
        self.read_only_reason: str | None = None
        """Why the shown section can be read but not changed (a document shared to view)."""

    def _selected_span(self) -> tuple[int, int]:
        from vicechat_tui.widgets.find_bar import index_of

        text, selection = self.text_area.text, self.text_area.selection
        start, end = sorted((selection.start, selection.end))
        return index_of(text, start), index_of(text, end)

    def select_text_range(self, start: int, end: int, *, focus: bool = True) -> None:
        """Select characters `start`..`end` of the text (cursor at the end), in view."""
        from vicechat_tui.widgets.find_bar import location_of

        text = self.text_area.text
        self.text_area.selection = Selection(location_of(text, start), location_of(text, end))
        self.text_area.scroll_cursor_visible(center=True)
        if focus:
            self.text_area.focus()
