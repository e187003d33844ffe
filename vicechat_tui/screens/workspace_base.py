"""What every part of the workspace screen shares: its panes, the workbench, the controllers,
dialogs, key hints and following a job in the chat pane.

`WorkspaceScreen` (workspace) is assembled from parts that each handle one concern (panes,
start, opening sections, chat, dialogs); they all derive from `WorkspaceBase`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.getters import query_one
from textual.screen import ModalScreen, Screen

from vicechat_tui.screens.chat_controller import ChatController
from vicechat_tui.screens.draft_memory import DraftMemory
from vicechat_tui.screens.place_memory import PlaceMemory
from vicechat_tui.screens.section_saving import SectionSaver
from vicechat_tui.screens.tree_edits import TreeEdits
from vicechat_tui.widgets.chat_pane import ChatPane
from vicechat_tui.widgets.document_tree import DocumentTree
from vicechat_tui.widgets.job_events import forward_job_events
from vicechat_tui.widgets.key_hints import class_bindings, key_display
from vicechat_tui.widgets.pane_row import PaneRow
from vicechat_tui.widgets.section_editor import SectionEditor
from vicechat_tui.workbench import Workbench

if TYPE_CHECKING:
    from vicechat_tui.core.tree_preview import TreePreview

FOLLOW_GROUP = "chat-follow"
"""The worker forwarding the shown section's job events to the chat pane (one at a time)."""

Result = TypeVar("Result")


class WorkspaceBase(Screen[None]):
    """The workspace's panes, workbench and controllers (set on mount)."""

    document_tree = query_one("#tree", DocumentTree)
    editor = query_one("#editor", SectionEditor)
    chat_pane = query_one("#chat-pane", ChatPane)
    pane_row = query_one("#panes", PaneRow)
    tree_edits: TreeEdits
    saver: SectionSaver
    chat: ChatController
    drafts: DraftMemory

    def __init__(self, workbench: Workbench) -> None:
        super().__init__()
        self.workbench = workbench
        self.discard_on_quit = False
        self.places = PlaceMemory(workbench)

    async def ask(self, dialog: ModalScreen[Result]) -> Result:
        """Show `dialog` and wait for its answer (only from a task)."""
        return await self.app.push_screen_wait(dialog)

    def key_for(self, binding_id: str) -> str:
        """The key currently bound to `binding_id`, for hints."""
        for binding in class_bindings([type(self), DocumentTree, SectionEditor, type(self.app)]):
            if binding.id == binding_id:
                return key_display(self.app, binding, self.workbench.keymap)
        return binding_id

    def document_title(self, document_id: int) -> str:
        node = self.document_tree.find_document(document_id)
        return node.data.title if node is not None and node.data is not None else ""

    def _preview_until_core(self) -> TreePreview | None:
        """The start-up preview while the core is not open (it stands in for the core)."""
        return self.places.preview if self.workbench.core is None else None

    async def select_section(self, document_id: int, section_id: int) -> None:
        """Put the tree's cursor on `section_id` (its editor and chat follow)."""
        preview = self._preview_until_core()
        path = preview.path_to(section_id) if preview is not None else None
        await self.tree_edits.select_section(document_id, section_id, path=path)

    def _follow(self, job_id: int, started_at: float | None) -> None:
        """Draw job `job_id` in the chat pane (following another job stops that one)."""
        events = self.workbench.require_core().jobs.subscribe(job_id)
        self.chat_pane.follow(job_id, started_at)
        forward_job_events(
            self, self.chat_pane, events, group=FOLLOW_GROUP, description=f"Follow job {job_id}"
        )
