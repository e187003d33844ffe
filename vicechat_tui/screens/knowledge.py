"""Knowledge collections in the UI: list, create, add files or a folder (with a progress bar),
remove files, delete (confirmed), attach to or detach from the current document.

The dialog talks to the knowledge service it is given. Ingestion runs as a task that posts
`IngestProgressed` (coalesced) and can be cancelled with its key; the files already read
stay. Work that waits for a prompt runs in the group "knowledge-ask". A refusal the
person can act on (a name taken, a path not found) shows as a note.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from vicechat_tui.core.errors import VicechatError
from vicechat_tui.core.knowledge.readiness import MISSING_VECTORS, NO_EMBEDDING_MODEL, vector_share
from vicechat_tui.failures import run_task
from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.new_item import NewItemScreen
from vicechat_tui.widgets.key_hints import key_for_id
from vicechat_tui.widgets.safe_text import literal, plain

if TYPE_CHECKING:
    from vicechat_tui.core.knowledge.ingest import IngestProgress, IngestReport
    from vicechat_tui.core.services.knowledge import CollectionSummary, KnowledgeService


class KnowledgeScreen(ModalScreen[None]):
    """The person's collections; keys act on the highlighted one."""

    DEFAULT_CSS = """
    KnowledgeScreen {
        align: center middle;
        #dialog {
            width: 80; max-width: 95%; height: auto; max-height: 90%;
            border: thick $primary; background: $surface; padding: 1 2;
        }
        #kb-title { text-style: bold; margin-bottom: 1; }
        #kb-list { height: auto; max-height: 14; margin-bottom: 1; }
        #kb-note { color: $warning; height: auto; }
        #kb-vectors { color: $text-muted; height: auto; margin-bottom: 1; }
        #kb-current { color: $text-muted; height: 1; }
        #kb-keys { color: $text-muted; margin-top: 1; }
        .-hidden { display: none; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="knowledge.close"),
        Binding("n", "create", "New", id="knowledge.create"),
        Binding("a", "add", "Add files", id="knowledge.add"),
        Binding("r", "remove", "Remove files", id="knowledge.remove"),
        Binding("t", "attach", "Attach/detach", id="knowledge.attach"),
        Binding("delete", "delete", "Delete", id="knowledge.delete"),
        Binding("x", "cancel_ingest", "Stop adding", id="knowledge.cancel"),
    ]

    @dataclass
    class IngestProgressed(Message):
        """How far adding files is (many a second: only the latest counts)."""

        progress: IngestProgress

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, KnowledgeScreen.IngestProgressed)

    def __init__(self, knowledge: KnowledgeService, document_id: int | None) -> None:
        super().__init__()
        self.knowledge = knowledge
        self.document_id = document_id
        self.collections: list[CollectionSummary] = []
        self.attached: list[str] = []
        self._ingest: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Knowledge: your files as sources", id="kb-title")
            yield OptionList(id="kb-list")
            yield Static("", id="kb-vectors", classes="-hidden")
            yield ProgressBar(id="kb-progress", classes="-hidden", show_eta=False)
            yield Static("", id="kb-current", classes="-hidden")
            yield Static("", id="kb-note", classes="-hidden")
            yield Static("", id="kb-keys")

    def on_mount(self) -> None:
        hints = [
            ("knowledge.create", "new"),
            ("knowledge.add", "add files"),
            ("knowledge.remove", "remove files"),
            ("knowledge.attach", "attach to (●) or detach from this document"),
            ("knowledge.delete", "delete"),
            ("knowledge.cancel", "stop adding"),
            ("knowledge.close", "close"),
        ]
        if self.document_id is None:
            hints = [hint for hint in hints if hint[0] != "knowledge.attach"]
        keys = " · ".join(
            f"{key_for_id(self.app, KnowledgeScreen, binding)} {words}" for binding, words in hints
        )
        self.query_one("#kb-keys", Static).update(plain(keys, wrap=True))
        self.query_one("#kb-list", OptionList).focus()
        run_task(self, self.reload(), description="Read the collections", group="knowledge")

    # -- showing ---------------------------------------------------------------------------

    async def reload(self) -> None:
        self.collections = await self.knowledge.collections()
        self.attached = (
            await self.knowledge.attached(self.document_id) if self.document_id is not None else []
        )
        listed = self.query_one("#kb-list", OptionList)
        highlighted = listed.highlighted
        listed.clear_options()
        for summary in self.collections:
            mark = "● " if summary.name in self.attached else "  "
            failed = f", {summary.failed} unreadable" if summary.failed else ""
            line = f"{mark}{summary.name} — {summary.files} files, {summary.passages} passages"
            share = vector_share(summary.passages, summary.vectors, summary.embedding_model)
            vectors = f", {share}" if share else ""
            listed.add_option(Option(plain(line + vectors + failed), id=summary.name))
        self._show_vector_note()
        if not self.collections:
            listed.add_option(Option(plain("No collections yet: n makes one."), disabled=True))
        else:
            listed.highlighted = min(highlighted or 0, len(self.collections) - 1)
        self.refresh_bindings()

    def _show_vector_note(self) -> None:
        """Under the list: why search is not by meaning, or not for every passage yet."""
        text = ""
        if self.collections and self.collections[0].embedding_model is None:
            text = NO_EMBEDDING_MODEL
        elif any(summary.vectors < summary.passages for summary in self.collections):
            text = MISSING_VECTORS
        line = self.query_one("#kb-vectors", Static)
        line.update(plain(text, wrap=True))
        line.set_class(not text, "-hidden")

    def note(self, text: str | None) -> None:
        note = self.query_one("#kb-note", Static)
        note.update(literal(text or ""))
        note.set_class(not text, "-hidden")

    @property
    def selected(self) -> str | None:
        listed = self.query_one("#kb-list", OptionList)
        if listed.highlighted is None or not self.collections:
            return None
        return listed.get_option_at_index(listed.highlighted).id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        busy = self._ingest is not None and self._ingest.is_running
        if action in ("add", "remove", "delete"):
            return self.selected is not None and not busy
        if action == "attach":
            return self.selected is not None and self.document_id is not None
        if action == "cancel_ingest":
            return busy
        return True

    # -- actions ----------------------------------------------------------------------------

    async def _ask_text(self, heading: str, *, action: str, placeholder: str) -> str | None:
        return await self.app.push_screen_wait(
            NewItemScreen(heading, action=action, placeholder=placeholder)
        )

    async def _attempt(self, work: Awaitable[object]) -> bool:
        """Run a change; a refusal the person can act on is shown as a note."""
        try:
            await work
        except VicechatError as error:
            self.note(error.message)
            return False
        self.note(None)
        await self.reload()
        return True

    def action_create(self) -> None:
        run_task(self, self._create(), description="Create a collection", group="knowledge-ask")

    async def _create(self) -> None:
        name = await self._ask_text("New collection", action="Create", placeholder="Name")
        if name:
            await self._attempt(self.knowledge.create(name))

    def action_add(self) -> None:
        if (name := self.selected) is not None:
            run_task(self, self._add(name), description="Add files", group="knowledge-ask")

    async def _add(self, name: str) -> None:
        path = await self._ask_text(
            f"Add a file or a folder to {name}", action="Add", placeholder="Path"
        )
        if path:
            self._ingest = run_task(
                self, self._ingest_path(name, path), description="Add files", group="ingest"
            )
            self.refresh_bindings()

    async def _ingest_path(self, name: str, path: str) -> None:
        from vicechat_tui.core.files import user_path

        self._show_progress(True)
        try:
            report = await self.knowledge.add(name, [user_path(path)], on_progress=self._progressed)
        except VicechatError as error:
            self.note(error.message)
            return
        finally:
            self._show_progress(False)
            self._ingest = None
            self.refresh_bindings()
        self.note(said(report))
        await self.reload()

    def _progressed(self, progress: IngestProgress) -> None:
        self.post_message(self.IngestProgressed(progress))

    def _show_progress(self, shown: bool) -> None:
        for selector in ("#kb-progress", "#kb-current"):
            self.query_one(selector).set_class(not shown, "-hidden")

    def on_knowledge_screen_ingest_progressed(self, message: IngestProgressed) -> None:
        progress = message.progress
        bar = self.query_one("#kb-progress", ProgressBar)
        if progress.to_embed:
            bar.update(total=progress.to_embed, progress=progress.embedded)
            line = f"vectors {progress.embedded}/{progress.to_embed}"
        else:
            bar.update(total=max(progress.total, 1), progress=progress.done)
            line = f"{progress.done}/{progress.total} · {progress.current or 'done'}"
        self.query_one("#kb-current", Static).update(plain(line))

    def action_cancel_ingest(self) -> None:
        if self._ingest is not None:
            self._ingest.cancel()
            self.note("Stopped; the files read so far stay in the collection.")
            self._show_progress(False)
            self._ingest = None
            run_task(self, self.reload(), description="Read the collections", group="knowledge")

    def action_remove(self) -> None:
        if (name := self.selected) is not None:
            run_task(self, self._remove(name), description="Remove files", group="knowledge-ask")

    async def _remove(self, name: str) -> None:
        from vicechat_tui.core.files import user_path

        path = await self._ask_text(
            f"Remove a file or a folder's files from {name}", action="Remove", placeholder="Path"
        )
        if path:
            await self._attempt(self.knowledge.remove(name, [user_path(path)]))

    def action_delete(self) -> None:
        if (name := self.selected) is not None:
            run_task(
                self, self._delete(name), description="Delete a collection", group="knowledge-ask"
            )

    async def _delete(self, name: str) -> None:
        sure = await self.app.push_screen_wait(
            ConfirmScreen(
                f"Delete the collection {name}?",
                "Its passages go; your files on disk are not touched. Chats stop citing it.",
            )
        )
        if sure:
            await self._attempt(self.knowledge.delete(name))

    def action_attach(self) -> None:
        name, document = self.selected, self.document_id
        if name is not None and document is not None:
            change = (
                self.knowledge.detach(document, name)
                if name in self.attached
                else self.knowledge.attach(document, name)
            )
            run_task(self, self._attempt(change), description="Attach", group="knowledge")

    def action_close(self) -> None:
        if self._ingest is not None:
            self._ingest.cancel()
        self.dismiss(None)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()


FAILURES_SAID = 4
"""Unreadable files named in the note, each with its reason (the CLI lists them all)."""


def said(report: IngestReport) -> str:
    """What adding files did, in one sentence."""
    parts = [f"{len(report.indexed)} read ({report.passages} passages)"]
    parts.append(f"{report.unchanged} unchanged")
    if report.removed:
        parts.append(f"{len(report.removed)} gone and dropped")
    if report.embedded:
        parts.append(f"{report.embedded} passages given vectors by {report.embedding_model}")
    text = ", ".join(parts) + "."
    if report.embedding_problem:
        text += f" Vectors not finished: {report.embedding_problem} Keyword search works."
    for bad in report.failed[:FAILURES_SAID]:
        text += f"\nCould not read {bad.path}: {bad.reason}."
    if len(report.failed) > FAILURES_SAID:
        hidden = len(report.failed) - FAILURES_SAID
        text += f"\n…and {hidden} more: `vicechat kb files` lists every file with its reason."
    return text
