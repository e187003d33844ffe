"""Export and import from the workspace: a path + format dialog, a path dialog, and the
`Publishing` controller that runs them as background tasks.

The work runs in a task of the workspace (`run_task`): pandoc and the Typst compiler are
child processes, so typing goes on while a long export runs. Each stage is shown as a
notification (reading, converting, laying out the PDF) and the end says where the file is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.getters import query_one
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from vicechat_tui.core.files import user_path
from vicechat_tui.core.text_safety import make_visible_line as visible_title
from vicechat_tui.screens.tree_edits import Ask
from vicechat_tui.widgets.safe_text import plain
from vicechat_tui.workbench import Workbench

if TYPE_CHECKING:
    from vicechat_tui.core.transfer.markdown_store import ImportedDocument

CitationStyle = Literal["numeric", "author-date"]
EXPORT_CHOICES: list[tuple[str, str]] = [
    ("Word (.docx)", "docx"),
    ("PDF (.pdf)", "pdf"),
    ("HTML (.html)", "html"),
    ("OpenDocument (.odt)", "odt"),
    ("EPUB (.epub)", "epub"),
    ("Markdown (.md)", "markdown"),
    ("JSON, everything (.json)", "json"),
    ("References: BibTeX (.bib)", "bibtex"),
    ("References: CSL-JSON (.json)", "csl-json"),
]
EXTENSIONS = {
    "docx": ".docx",
    "pdf": ".pdf",
    "html": ".html",
    "odt": ".odt",
    "epub": ".epub",
    "markdown": ".md",
    "json": ".json",
    "bibtex": ".bib",
    "csl-json": ".json",
}
Result = TypeVar("Result")


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    format: str
    toc: bool = False
    citations: CitationStyle = "numeric"


def suggested_file_name(title: str, fmt: str) -> str:
    """A file name from the document's title: letters, digits, '-' and '_' only."""
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in title.strip())
    stem = "-".join(part for part in stem.split("-") if part)[:60] or "document"
    return stem + EXTENSIONS[fmt]


class _PathDialog(ModalScreen[Result]):
    DEFAULT_CSS = """
    _PathDialog {
        align: center middle;
        #dialog {
            width: 72; max-width: 95%; height: auto;
            border: thick $primary; background: $surface; padding: 1 2;
        }
        #dialog-title { text-style: bold; margin-bottom: 1; }
        #context { color: $text-muted; margin-bottom: 1; }
        #problem { color: $error; height: auto; }
        #options { height: auto; }
        #options Checkbox { width: auto; }
        #buttons { height: auto; align-horizontal: right; margin-top: 1; }
        #buttons Button { margin-left: 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    path_field = query_one("#path", Input)
    problem = query_one("#problem", Static)

    @on(Input.Changed, "#path")
    def _clear_problem(self) -> None:
        self.problem.update("")

    def _checked_path(self, *, must_exist: bool) -> Path | None:
        """The typed path, or None with the problem shown under the field."""
        typed = self.path_field.value.strip()
        if not typed:
            self.problem.update("Type a file path.")
            return None
        path = user_path(typed)
        if must_exist and not path.is_file():
            self.problem.update(f"There is no file at {visible_title(str(path))}.")
            return None
        if not must_exist and path.is_dir():
            self.problem.update("That is a folder; add a file name.")
            return None
        if not must_exist and not path.parent.is_dir():
            self.problem.update(f"The folder {visible_title(str(path.parent))} does not exist.")
            return None
        return path

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportScreen(_PathDialog[ExportRequest | None]):
    """Where and how to export a document; returns an `ExportRequest`, or None."""

    format_select = query_one("#format", Select)

    def __init__(self, document_title: str, folder: Path) -> None:
        super().__init__()
        self.document_title = document_title
        self.folder = folder

    def compose(self) -> ComposeResult:
        default = str(self.folder / suggested_file_name(self.document_title, "docx"))
        with Vertical(id="dialog"):
            yield Label("Export the document", id="dialog-title")
            yield Static(plain(self.document_title), id="context")
            yield Select(EXPORT_CHOICES, value="docx", allow_blank=False, id="format")
            yield Input(default, placeholder="File path", id="path")
            yield Static("", id="problem", markup=False)
            with Horizontal(id="options"):
                yield Checkbox("Table of contents", id="toc")
                yield Checkbox("Author-date citations", id="author-date")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Export", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.path_field.focus()

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        """Keep the file's extension in step with the format."""
        fmt = str(event.value)
        typed = self.path_field.value.strip()
        if typed:
            path = Path(typed)
            if path.suffix.lower() in EXTENSIONS.values():
                self.path_field.value = str(path.with_suffix(EXTENSIONS[fmt]))

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        path = self._checked_path(must_exist=False)
        if path is None:
            self.path_field.focus()
            return
        citations: CitationStyle = (
            "author-date" if self.query_one("#author-date", Checkbox).value else "numeric"
        )
        self.dismiss(
            ExportRequest(
                path,
                str(self.format_select.value),
                toc=self.query_one("#toc", Checkbox).value,
                citations=citations,
            )
        )


class ImportScreen(_PathDialog[Path | None]):
    """Which file to import; returns its path, or None."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Import a document", id="dialog-title")
            yield Static(
                "Markdown, Word (.docx), OpenDocument (.odt) or HTML: headings become sections. "
                "A vicechat JSON export comes back whole: sections, versions and chats.",
                id="context",
            )
            yield Input("", placeholder="File path", id="path")
            yield Static("", id="problem", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Import", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.path_field.focus()

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        path = self._checked_path(must_exist=True)
        if path is None:
            self.path_field.focus()
            return
        self.dismiss(path)


Notify = Callable[..., None]
"""The screen's `notify`."""


class Publishing:
    """Runs exports and imports for the workspace screen (inside its tasks)."""

    def __init__(
        self,
        workbench: Workbench,
        *,
        ask: Ask,
        notify: Notify,
        flush: Callable[[], Awaitable[bool]],
    ) -> None:
        self.workbench = workbench
        self.ask = ask
        self.notify = notify
        self.flush = flush

    @property
    def folder(self) -> Path:
        return self.workbench.last_folder or Path.cwd()

    async def export(self, document_id: int, title: str) -> Path | None:
        """Ask where and how, then export; returns the file written (None when cancelled)."""
        request = await self.ask(ExportScreen(title, self.folder))
        if request is None:
            return None
        await self.flush()  # the text being typed goes into the export
        return await self.run_export(document_id, title, request)

    async def run_export(self, document_id: int, title: str, request: ExportRequest) -> Path:
        from vicechat_tui.core.transfer.formats import export_format
        from vicechat_tui.core.transfer.publish import ExportOptions, export_to_file

        fmt = export_format(request.format)
        shown = visible_title(title)
        last_label = ""

        def progress(fraction: float, label: str) -> None:
            nonlocal last_label
            if label != last_label and label != "done":
                last_label = label
                self.notify(f"Exporting “{shown}” to {fmt.label}: {label}…", timeout=3)

        exported = await export_to_file(
            self.workbench.require_core(),
            document_id,
            fmt,
            request.path,
            ExportOptions(toc=request.toc, citations=request.citations),
            progress,
        )
        self.workbench.last_folder = request.path.parent
        for note in exported.notes:
            self.notify(note, severity="warning", timeout=8)
        cited = exported.references
        plural = "reference" if cited == 1 else "references"
        self.notify(
            f"Exported “{shown}” to {visible_title(str(request.path))} ({cited} {plural}).",
            title="Export finished",
            timeout=6,
        )
        return request.path

    async def import_document(self) -> ImportedDocument | None:
        """Ask for a file and import it; returns what was created (None when cancelled)."""
        from vicechat_tui.core.transfer.importing import import_file

        path = await self.ask(ImportScreen())
        if path is None:
            return None
        self.notify(f"Importing {visible_title(path.name)}…", timeout=3)
        imported = await import_file(self.workbench.require_core(), path)
        self.workbench.last_folder = path.parent
        count = imported.section_count
        plural = "section" if count == 1 else "sections"
        self.notify(
            f"Imported “{visible_title(imported.document.title)}” with {count} {plural}.",
            title="Import finished",
            timeout=6,
        )
        return imported
