"""Opening what the tree's cursor is on: the section in the editor and its chat, after
saving the section being left; and landing on a search result once its section shows."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.widgets import Tree

from vicechat_tui.failures import run_task
from vicechat_tui.screens.workspace_base import FOLLOW_GROUP, WorkspaceBase
from vicechat_tui.widgets.tree_items import TreeItem
from vicechat_tui.workbench import Workbench

if TYPE_CHECKING:
    from vicechat_tui.core.place_preview import PreviewSection
    from vicechat_tui.screens.search import SearchTarget


def row_of(item: TreeItem | None) -> tuple[str, int, int | None] | None:
    """What a tree row stands for, whichever node object carries it (a reload makes new
    nodes for the same rows)."""
    return None if item is None else (item.kind, item.document_id, item.section_id)


class SectionOpening(WorkspaceBase):
    """Follows the tree's cursor: one section open at a time, the newest wish wins."""

    _jump: SearchTarget | None = None
    """A search result to show once its section is open."""

    def __init__(self, workbench: Workbench) -> None:
        super().__init__(workbench)
        self._open_lock = asyncio.Lock()
        self._wanted: TreeItem | None = None
        self._focus_editor_on_open = False

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[TreeItem]) -> None:
        cursor = self.document_tree.cursor_node
        if cursor is not None and row_of(cursor.data) != row_of(event.node.data):
            return  # the cursor has moved on since: its newer highlight (or opening) counts
        self._wanted = event.node.data
        self.refresh_bindings()
        run_task(self, self._open(event.node.data), description="Open the section", group="open")

    async def _open(self, item: TreeItem | None) -> None:
        """Show `item` in the editor and chat, saving the section being left first."""
        async with self._open_lock:
            if item is not self._wanted:
                return  # the cursor moved on meanwhile
            if not self.workbench.can_open:
                return  # the database failed: the chat pane keeps saying why
            section_id = item.section_id if item is not None and item.kind == "section" else None
            if section_id is not None and section_id == self.editor.section_id:
                return
            if await self.saver.save() == "failed":
                return  # keep the unsaved text on screen
            self.workers.cancel_group(self, FOLLOW_GROUP)
            if item is None or section_id is None:
                if item is not None and item.kind == "document":
                    self.editor.show_message(
                        f"{item.title} — {self.key_for('tree.new_section')} adds a section."
                    )
                await self.chat.show_section(None, None)
                return
            section = self._previewed(section_id) or await (
                await self.workbench.open_core()
            ).sections.get(section_id)
            self.editor.show_section(section, document_title=self.document_title(item.document_id))
            self.editor.set_read_only(item.why_read_only)
            self.places.put_back(section_id, self.editor.text_area)
            if self._focus_editor_on_open:
                self._focus_editor_on_open = False
                self.pane_row.show(self.editor)
                self.editor.text_area.focus()
            job = await self.chat.show_section(
                item.document_id, section_id, read_only=item.why_read_only
            )
            if self._jump is not None and self._jump.hit.section_id == section_id:
                await self._land(self._jump)
            if job is not None:
                self._follow(job.job_id, job.started_at)
            await self.remember_place()

    def _previewed(self, section_id: int) -> PreviewSection | None:
        """The section as the start-up preview read it, while the core is not open."""
        preview = self._preview_until_core()
        return preview.section(section_id) if preview is not None else None

    async def _fill_chat(self) -> None:
        """The chat of a section shown before the core opened (from the preview)."""
        async with self._open_lock:
            node = self.document_tree.find_section(self.chat_pane.section_id or 0)
            reason = node.data.why_read_only if node is not None and node.data else None
            job = await self.chat.fill_shown(read_only=reason)
            if job is not None:
                self._follow(job.job_id, job.started_at)

    async def open_selected(self) -> None:
        """Show what the tree's cursor is on, now, rather than when its highlight event comes
        (that opening then finds it open): the start's reopening waits for it."""
        item = self.document_tree.selected_item
        self._wanted = item
        await self._open(item)

    def _follow_cursor(self) -> None:
        """Show what the tree's cursor is on (after an edit moved it, or left it on a line
        whose row changed: no highlight event comes then, and the editor would go stale)."""
        item = self.document_tree.selected_item
        self._wanted = item
        run_task(self, self._open(item), description="Open the section", group="open")

    async def flush(self) -> bool:
        """Keep the chat drafts and save the section being edited; False when the section
        could not be saved."""
        await self.drafts.flush()
        await self.remember_place()
        return await self.saver.save() == "saved"

    async def remember_place(self) -> None:
        """Note where the person is, for the next start on this database."""
        await self.places.remember(self.document_tree.selected_item, self.editor)

    # -- search results ----------------------------------------------------------------------

    async def go_to(self, target: SearchTarget) -> None:
        """Show a search result: its section with the cursor on the match, or its message."""
        hit = target.hit
        self._jump = None
        if hit.section_id is None:  # a document's title or description
            tree = self.document_tree
            node = tree.find_document(hit.document_id)
            if node is None:
                access = await self.workbench.require_core().documents.access(hit.document_id)
                node = tree.show_on_top(access)
            tree.move_to(node)
            tree.focus()
            return
        if self.editor.section_id == hit.section_id == self.chat_pane.section_id:
            await self._land(target)
            return
        self._jump = target  # `_open` lands there once the section shows
        await self.select_section(hit.document_id, hit.section_id)

    async def _land(self, target: SearchTarget) -> None:
        from vicechat_tui.core.search.query import Kind
        from vicechat_tui.core.search.snippets import match_spans

        self._jump = None
        hit = target.hit
        self.pane_row.show(self.editor if hit.kind is Kind.SECTION else self.chat_pane)
        if hit.kind is Kind.SECTION:
            spans = match_spans(self.editor.text_area.text, target.query)
            if spans:
                self.editor.select_text_range(*spans[0])
            else:  # the title matched (or the text changed since)
                self.editor.text_area.focus()
            return
        if hit.message_id is not None and await self.chat.reveal_message(hit.message_id):
            self.chat_pane.chat_log.focus()
        else:
            self.notify("That message is no longer in this chat.", severity="warning")
