"""The line an AI edit shows in the section editor while the model writes the rewrite.

"AI edit · ⠋ writing answer · ~120 tokens · 4s · escape cancels": the job's own progress
(`JobProgress`, fed by `JobProgressed` messages from the job's events) with what the edit is
and the key that cancels it. The editor mounts it on the first AI edit and hides it after.
"""

from __future__ import annotations

from rich.text import Text

from vicechat_tui.widgets.job_events import JobEventReceived, JobProgressed, JobTextAppended
from vicechat_tui.widgets.job_progress import JobProgress


class AiEditProgress(JobProgress):
    """An AI edit's progress, and how to cancel it (`cancel_key`, from the live keymap)."""

    DEFAULT_CSS = """
    AiEditProgress {
        background: $accent 20%; color: $text;
        &.-elsewhere { display: none; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.job_id: int | None = None
        self.section_id: int | None = None
        """The section being rewritten (the editor hides the line on other sections)."""
        self.cancel_key = "escape"

    def follow(
        self, job_id: int, section_id: int, started_at: float | None, cancel_key: str
    ) -> None:
        """Show the line for job `job_id` (started at `started_at`, time.monotonic)."""
        self.job_id, self.section_id, self.cancel_key = job_id, section_id, cancel_key
        self.remove_class("-elsewhere")
        self.start(started_at)

    def end(self) -> None:
        self.job_id = self.section_id = None
        self.stop()

    def on_job_progressed(self, message: JobProgressed) -> None:
        message.stop()
        if message.job_id == self.job_id:
            self.show(message)

    def on_job_text_appended(self, message: JobTextAppended) -> None:
        message.stop()  # the text streams in the chat pane; here only the figures

    def on_job_event_received(self, message: JobEventReceived) -> None:
        from vicechat_tui.core.events import JobSnapshot

        message.stop()
        if isinstance(message.event, JobSnapshot) and message.event.job_id == self.job_id:
            self.show(message.event)  # where the job was when the line started following it

    def render(self) -> Text:
        line = Text("AI edit · ", no_wrap=True, overflow="ellipsis", style="bold")
        line.append_text(super().render())
        line.append(f" · {self.cancel_key} cancels")
        return line
