"""Edit with AI in the section editor: the selection (else the paragraph at the cursor) is
asked to be rewritten; the job's progress line shows above the status line while its section
is shown, and escape in the text cancels it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vicechat_tui.widgets.section_editor_base import SectionEditorBase

if TYPE_CHECKING:
    from vicechat_tui.widgets.ai_edit_progress import AiEditProgress


class EditorAiEdit(SectionEditorBase):
    """Asks for AI edits and shows (or cancels) the one running for the shown section."""

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
