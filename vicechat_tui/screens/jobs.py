"""All running and recent chat jobs across sections, with live progress; jump or cancel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from vicechat_tui.core.errors import VicechatError
from vicechat_tui.core.events import JobFinished, JobSnapshot, JobStarted
from vicechat_tui.failures import TaskFailed
from vicechat_tui.widgets.job_events import JobEventReceived, JobProgressed, forward_job_events
from vicechat_tui.widgets.job_progress import format_tokens
from vicechat_tui.widgets.safe_text import visible_title

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore

LIVE = ("pending", "running")
COLUMNS = ("job", "document", "section", "assistant", "kind", "status", "progress", "step")
TITLE_WIDTHS = {"document": 12, "section": 12, "assistant": 10}
"""Title columns are cut (…) at these widths, so the step column keeps its room."""
LIVE_COLUMNS = ("status", "progress", "step")
"""The columns a job's events change (the others stay as the row was added)."""
OUTCOMES = {
    "completed": "reply written",
    "cancelled": "stopped; the reply so far is kept",
    "interrupted": "the program stopped; the reply so far is kept",
    "failed": "failed",
}


def outcome(status: str, error_title: str | None = None) -> str:
    """What the step column says once a job has ended (its last step no longer applies)."""
    if status == "failed" and error_title:
        return f"failed: {error_title}"
    return OUTCOMES.get(status, status)


@dataclass(frozen=True)
class JobJump:
    """Where the chosen job's chat lives."""

    document_id: int
    section_id: int


@dataclass
class JobRow:
    """What the table shows for one job."""

    job_id: int
    section_id: int
    kind: str
    status: str
    fraction: float = 0.0
    label: str = ""
    tokens: int = 0
    tokens_estimated: bool = True
    assistant: str | None = None
    """The name of the assistant the job ran as (None: a job from before assistants)."""

    def end(self, status: str, error_title: str | None = None) -> None:
        """The job ended: the step column says how."""
        self.status = status
        self.label = outcome(status, error_title)

    def cells(self, document: str, section_title: str) -> tuple[str | Text, ...]:
        return (
            f"#{self.job_id}",
            Text(visible_title(document), no_wrap=True, overflow="ellipsis"),
            Text(visible_title(section_title), no_wrap=True, overflow="ellipsis"),
            Text(visible_title(self.assistant or "—"), no_wrap=True, overflow="ellipsis"),
            "research" if self.kind == "web_research" else "chat",
            self.status,
            progress_cell(self),
            Text(visible_title(self.label), no_wrap=True, overflow="ellipsis"),
        )


def progress_cell(row: JobRow) -> str:
    """A 10-cell bar with a percentage, or the token count for a plain streaming chat."""
    if row.status == "completed":
        return "██████████ 100%"
    if row.fraction <= 0 and row.tokens:
        return format_tokens(row.tokens, estimated=row.tokens_estimated)
    filled = round(max(0.0, min(1.0, row.fraction)) * 10)
    return "█" * filled + "░" * (10 - filled) + f" {round(row.fraction * 100):>3}%"


class JobsScreen(ModalScreen[JobJump | None]):
    """Every live and recent job; enter jumps to its section, c cancels a running one."""

    DEFAULT_CSS = """
    JobsScreen { align: center middle; }
    JobsScreen > #dialog {
        width: 110; max-width: 100%; height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    JobsScreen #dialog-title { text-style: bold; padding: 0 1; }
    JobsScreen DataTable { height: 1fr; }
    JobsScreen #jobs-hint { color: $text-muted; height: 1; }
    JobsScreen #jobs-empty { color: $text-muted; padding: 1; }
    JobsScreen .-hidden { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="jobs.close"),
        Binding("c", "cancel_job", "Cancel job", id="jobs.cancel"),
    ]

    def __init__(self, core: VicechatCore) -> None:
        super().__init__()
        self.core = core
        self.rows: dict[int, JobRow] = {}
        self.sections: dict[int, tuple[int, str] | None] = {}
        self.documents: dict[int, str] = {}
        """Document id → title, for the document column."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Jobs — running and recent, across all sections", id="dialog-title")
            yield Static("No chat jobs yet.", id="jobs-empty", classes="-hidden")
            yield DataTable(id="jobs-table", cursor_type="row", zebra_stripes=True)
            yield Static("enter: open its chat · c: cancel the job · esc: close", id="jobs-hint")

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#jobs-table", DataTable)

    async def on_mount(self) -> None:
        for column in COLUMNS:
            self.table.add_column(column, key=column, width=TITLE_WIDTHS.get(column))
        for state in self.core.jobs.jobs():
            self.rows[state.job_id] = JobRow(
                state.job_id,
                state.section_id,
                state.kind,
                state.status,
                state.fraction,
                state.label,
                state.tokens,
                state.tokens_estimated,
                state.assistant,
            )
            if state.status not in LIVE:
                self.rows[state.job_id].end(state.status, state.error_title)
            self.sections[state.section_id] = (state.document_id, "")
        try:
            recent = await self.core.jobs.recent_jobs()
        except VicechatError as error:
            self.post_message(TaskFailed(error, "List the recent jobs"))
            recent = []
        for job in recent:
            if job.id is not None and job.id not in self.rows:
                row = JobRow(
                    job.id,
                    job.section_id,
                    job.kind,
                    job.status,
                    job.progress,
                    job.step_label,
                    assistant=job.assistant,
                )
                if job.status not in LIVE:
                    row.end(job.status, job.error)
                self.rows[job.id] = row
        await self._load_sections()
        self._render_rows()
        self.table.focus()
        forward_job_events(
            self,
            self,
            self.core.jobs.subscribe_all(),
            group="jobs-screen",
            description="Follow every job",
        )

    async def _load_sections(self) -> None:
        """Titles (and documents) of the sections the jobs belong to."""
        for row in self.rows.values():
            known = self.sections.get(row.section_id)
            if known is None or not known[1]:
                try:
                    section = await self.core.sections.get(row.section_id)
                except VicechatError:
                    self.sections[row.section_id] = None
                    continue
                known = self.sections[row.section_id] = (section.document_id, section.title)
            if known[0] not in self.documents:
                try:
                    document = await self.core.documents.get(known[0])
                except VicechatError:
                    continue
                self.documents[known[0]] = document.title

    def _cells(self, row: JobRow) -> tuple[str | Text, ...]:
        known = self.sections.get(row.section_id)
        if known is None:
            return row.cells("", "(section deleted)")
        document_id, title = known
        # the id tells apart two documents with one title
        return row.cells(f"{self.documents.get(document_id, '')} #{document_id}", title)

    def _render_rows(self) -> None:
        table = self.table
        selected = self._selected_job()
        table.clear()
        for job_id in sorted(self.rows, reverse=True):
            row = self.rows[job_id]
            table.add_row(*self._cells(row), key=str(job_id))
        self.query_one("#jobs-empty").set_class(bool(self.rows), "-hidden")
        table.set_class(not self.rows, "-hidden")
        if selected is not None and selected in self.rows:
            table.move_cursor(row=table.get_row_index(str(selected)))

    def _update_row(self, row: JobRow) -> None:
        if not self.is_attached:
            return  # an event that arrived while the screen was closing
        cells = dict(zip(COLUMNS, self._cells(row), strict=True))
        for column in LIVE_COLUMNS:
            self.table.update_cell(str(row.job_id), column, cells[column])

    def _selected_job(self) -> int | None:
        table = self.table
        if not self.rows or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    # -- live updates --------------------------------------------------------------------

    async def on_job_event_received(self, message: JobEventReceived) -> None:
        message.stop()
        event = message.event
        row = self.rows.get(event.job_id)
        if isinstance(event, JobSnapshot | JobStarted) and row is None:
            self.rows[event.job_id] = JobRow(
                event.job_id, event.section_id, event.kind, "running", assistant=event.assistant
            )
            await self._load_sections()
            self._render_rows()
        elif isinstance(event, JobFinished) and row is not None:
            row.end(event.status, event.error_title)
            self._update_row(row)
        elif isinstance(event, JobStarted) and row is not None:
            row.status = "running"
            self._update_row(row)
        self.refresh_bindings()

    def on_job_progressed(self, message: JobProgressed) -> None:
        message.stop()
        row = self.rows.get(message.job_id)
        if row is not None and row.status in LIVE:
            row.fraction, row.label = message.fraction, message.label
            row.tokens, row.tokens_estimated = message.tokens, message.tokens_estimated
            self._update_row(row)

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_job":
            job_id = self._selected_job()
            return True if job_id is not None and self.rows[job_id].status in LIVE else None
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.rows.get(int(event.row_key.value or 0))
        known = self.sections.get(row.section_id) if row is not None else None
        if row is None or known is None:
            self.notify("That section no longer exists.", severity="warning")
            return
        self.dismiss(JobJump(known[0], row.section_id))

    async def action_cancel_job(self) -> None:
        job_id = self._selected_job()
        if job_id is None or self.rows[job_id].status not in LIVE:
            return
        try:
            await self.core.jobs.cancel(job_id)
        except VicechatError as error:
            self.post_message(TaskFailed(error, "Cancel the job"))

    def action_close(self) -> None:
        self.dismiss(None)
