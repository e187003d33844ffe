"""The workspace: document tree | section editor | chat pane.

The screen orchestrates. It follows the tree's cursor and tells the editor and the chat pane
what to show (attributes down); it handles their messages (up) by pushing dialogs and calling
the core, through three controllers it owns: `TreeEdits` (tree changes), `SectionSaver`
(saves, conflicts, restores) and `ChatController` (the chat). Every piece of background work
starts with `run_task`, so a failure reaches the app's one error path.

The screen is assembled from parts, one concern each (all on `WorkspaceBase`):
`PaneLayout` (workspace_panes), `WorkspaceStart` (workspace_start: preview, core, reopening),
`SectionOpening` (section_opening: following the tree's cursor, landing on search results),
`ChatWiring` (workspace_chat) and `WorkspaceDialogs` (workspace_dialogs). This module keeps
the keys, the layout, and the tree's and editor's requests.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer

from vicechat_tui.failures import TaskFailed, run_task
from vicechat_tui.screens.chat_controller import ChatController
from vicechat_tui.screens.draft_memory import DraftMemory
from vicechat_tui.screens.section_saving import SectionSaver
from vicechat_tui.screens.tree_edits import TreeEdits
from vicechat_tui.screens.workspace_chat import ChatWiring
from vicechat_tui.screens.workspace_dialogs import WorkspaceDialogs
from vicechat_tui.screens.workspace_panes import PaneLayout
from vicechat_tui.screens.workspace_start import WorkspaceStart
from vicechat_tui.widgets.chat_pane import ChatPane
from vicechat_tui.widgets.document_tree import DocumentTree
from vicechat_tui.widgets.key_footer import KeyFooter
from vicechat_tui.widgets.pane_bar import PaneBar
from vicechat_tui.widgets.pane_row import PaneRow
from vicechat_tui.widgets.section_editor import SectionEditor

COMPACT_FOOTER_BELOW = 130
"""Terminal width under which the footer packs its keys."""


class WorkspaceScreen(PaneLayout, WorkspaceStart, ChatWiring, WorkspaceDialogs):
    """Three panes; F6 cycles the focus through them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+n", "new_document", "New doc", tooltip="Create a document", id="tree.new_document"
        ),
        Binding(
            "ctrl+b", "go_to_tree", "Tree", tooltip="Show the tree and go there", id="view.tree"
        ),
        Binding(
            "ctrl+g", "go_to_chat", "Chat", tooltip="Show the chat and go there", id="view.chat"
        ),
        Binding("alt+b", "hide_tree", "Hide tree", show=False, priority=True, id="view.hide_tree"),
        Binding("alt+g", "hide_chat", "Hide chat", show=False, priority=True, id="view.hide_chat"),
        Binding("ctrl+t", "show_jobs", "Jobs", tooltip="Running and recent jobs", id="view.jobs"),
        Binding(
            "f2",
            "search",
            "Search",
            tooltip="Search documents, sections, chats and sources",
            show=False,
            id="app.search",
        ),
        Binding("alt+left", "resize_tree(-4)", "Narrow tree", show=False, id="view.narrow_tree"),
        Binding("alt+right", "resize_tree(4)", "Widen tree", show=False, id="view.widen_tree"),
    ]

    def compose(self) -> ComposeResult:
        yield PaneBar(id="pane-bar")
        yield PaneRow(
            DocumentTree(id="tree"),
            SectionEditor(id="editor"),
            ChatPane(id="chat-pane", keymap=self.workbench.keymap),
            landing={"chat-pane": "#chat-input"},
            main="editor",
            id="panes",
        )
        yield KeyFooter(compact=self.app.size.width < COMPACT_FOOTER_BELOW)

    def on_mount(self) -> None:
        self.tree_edits = TreeEdits(
            self.document_tree,
            self.workbench,
            self.ask,
            notify=self.notify,
            undo_key=self.key_for("tree.undo"),
        )
        self.saver = SectionSaver(
            self.editor,
            self.workbench,
            ask=self.ask,
            start=self._start,
            report=self._report,
        )
        self.chat = ChatController(self.chat_pane, self.workbench)
        self.drafts = DraftMemory(self.chat_pane, self.places)
        self.query_one(PaneBar).display = False
        self.watch(self.editor, "save_state", self._show_panes, init=False)
        self.editor.show_message("Opening the database…")
        self.document_tree.focus()

    def on_resize(self, event: events.Resize) -> None:
        # the footer's keys need ~130 columns spaced out; packed, help and jobs fit in 100
        self.query_one(Footer).compact = event.size.width < COMPACT_FOOTER_BELOW

    def _start(self, work: Awaitable[object], description: str) -> None:
        run_task(self, work, description=description, group="save")

    def _report(self, error: BaseException) -> None:
        self.post_message(TaskFailed(error, "Save the section"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_document", "show_jobs", "search", "show_trash"):
            return self.workbench.can_open
        if action in ("export_document", "import_document"):
            return self.workbench.can_open
        return True

    # -- the tree ----------------------------------------------------------------------------

    def action_new_document(self) -> None:
        run_task(
            self, self.tree_edits.new_document(), description="Create a document", group="tree-edit"
        )

    @on(DocumentTree.EditRequested)
    def _edit_tree(self, message: DocumentTree.EditRequested) -> None:
        run_task(self, self._edit(message), description="Change the tree", group="tree-edit")

    async def _edit(self, message: DocumentTree.EditRequested) -> None:
        created = await self.tree_edits.run(
            message.edit, message.node, before_delete=self._before_delete
        )
        if created is not None:
            self._focus_editor_on_open = True
        self._follow_cursor()
        self._retitle_editor()
        self.refresh_bindings()

    @on(DocumentTree.UndoRequested)
    def _undo_requested(self, _: DocumentTree.UndoRequested) -> None:
        run_task(self, self._undo(), description="Undo a tree edit", group="tree-edit")

    async def _undo(self) -> None:
        if await self.tree_edits.undo() is not None:
            self._retitle_editor()
            self._follow_cursor()
            self.refresh_bindings()

    async def _before_delete(self, doomed: set[int]) -> None:
        if self.editor.section_id in doomed:
            self.editor.show_message("Deleted.")
            await self.chat.show_section(None, None)

    def _retitle_editor(self) -> None:
        section_id = self.editor.section_id
        node = self.document_tree.find_section(section_id) if section_id is not None else None
        if node is not None and node.data is not None:
            self.editor.retitle(self.document_title(node.data.document_id), node.data.title)

    # -- the editor --------------------------------------------------------------------------

    @on(SectionEditor.SaveRequested)
    def _save_requested(self, message: SectionEditor.SaveRequested) -> None:
        run_task(
            self,
            self._save(message.announce, checkpoint=message.announce or message.checkpoint),
            description="Save the section",
            group="save",
        )

    async def _save(self, announce: bool, *, checkpoint: bool) -> None:
        if self.saver.conflict_open and not announce:
            return  # the autosave waits for the conflict dialog's answer
        if await self.saver.save(checkpoint=checkpoint) == "saved" and announce:
            self.notify("Saved.", timeout=2)

    @on(SectionEditor.AiEditRequested)
    def _ai_edit_requested(self, message: SectionEditor.AiEditRequested) -> None:
        from vicechat_tui.screens.ai_edit import edit_with_ai

        document_id = self.chat_pane.document_id
        if document_id is None or self.chat_pane.section_id != message.section_id:
            return
        work = edit_with_ai(
            message,
            document_id,
            ask=self.ask,
            saver=self.saver,
            chat=self.chat,
            follow=lambda job: self._follow(job.job_id, job.started_at),
        )
        run_task(self, work, description="Edit with AI", group="chat")

    @on(SectionEditor.AiEditCancelRequested)
    def _ai_edit_cancel_requested(self, message: SectionEditor.AiEditCancelRequested) -> None:
        cancel = self.workbench.require_core().jobs.cancel(message.job_id)
        run_task(self, cancel, description="Cancel the AI edit", group="ai-edit-cancel")
