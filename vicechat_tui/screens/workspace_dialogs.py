"""The workspace's dialogs, opened by keys, the palette or a pane's request: search, jobs,
trash, share, versions, knowledge, assistants, export and import. Each runs as a task that
waits for the dialog's answer and shows what it chose."""

from __future__ import annotations

from textual import on

from vicechat_tui.failures import run_task
from vicechat_tui.screens.section_opening import SectionOpening
from vicechat_tui.widgets.document_tree import DocumentTree
from vicechat_tui.widgets.section_editor import SectionEditor


class WorkspaceDialogs(SectionOpening):
    """Opens a dialog and goes where its answer points (a section, a result, a document)."""

    def action_search(self) -> None:
        run_task(self, self._search(), description="Search", group="chat")

    async def _search(self) -> None:
        from vicechat_tui.screens.search import SearchScreen

        node = self.document_tree.cursor_node
        current = node.data.document_id if node is not None and node.data is not None else None
        core = await self.workbench.open_core()
        target = await self.ask(SearchScreen(core, current_document_id=current))
        if target is not None:
            await self.go_to(target)

    def action_show_jobs(self) -> None:
        run_task(self, self._show_jobs(), description="Show the jobs", group="chat")

    async def _show_jobs(self) -> None:
        from vicechat_tui.screens.jobs import JobsScreen

        target = await self.ask(JobsScreen(await self.workbench.open_core()))
        if target is not None:
            await self.select_section(target.document_id, target.section_id)

    def action_show_trash(self) -> None:
        run_task(self, self._show_trash(), description="Show the trash", group="tree-edit")

    async def _show_trash(self) -> None:
        from vicechat_tui.screens.trash import TrashScreen

        core = self.workbench.require_core()
        restored = await self.ask(TrashScreen(core.trash, now=self.workbench.clock))
        if restored is None:
            return
        await self.tree_edits.show_restored(restored.kind, restored.document_id, restored.id)
        self._follow_cursor()
        self.notify(f"Restored “{restored.title}”.")

    @on(DocumentTree.ShareRequested)
    def _share_requested(self, message: DocumentTree.ShareRequested) -> None:
        run_task(self, self._share(message.document_id), description="Share", group="tree-edit")

    async def _share(self, document_id: int) -> None:
        from vicechat_tui.screens.share import ShareScreen

        await self.ask(ShareScreen((await self.workbench.open_core()).documents, document_id))

    @on(SectionEditor.VersionsRequested)
    def _versions_requested(self, message: SectionEditor.VersionsRequested) -> None:
        run_task(
            self, self._versions(message.section_id), description="Restore a version", group="save"
        )

    async def _versions(self, section_id: int) -> None:
        from vicechat_tui.screens.versions import VersionsScreen

        core = self.workbench.require_core()
        dialog = VersionsScreen(core.sections, section_id, now=self.workbench.clock)
        version_id = await self.ask(dialog)
        if version_id is not None:
            await self.saver.restore(section_id, version_id)

    def action_knowledge(self) -> None:
        run_task(self, self._knowledge(), description="Show the knowledge", group="chat")

    async def _knowledge(self) -> None:
        from vicechat_tui.screens.knowledge import KnowledgeScreen

        node = self.document_tree.cursor_node
        current = node.data.document_id if node is not None and node.data is not None else None
        await self.ask(KnowledgeScreen(self.workbench.require_core().knowledge, current))

    def action_manage_assistants(self) -> None:
        run_task(self, self._manage_assistants(), description="Show the assistants", group="chat")

    async def _manage_assistants(self) -> None:
        from vicechat_tui.screens.assistants import AssistantsScreen

        core = self.workbench.require_core()
        await self.ask(AssistantsScreen(core))
        session_id = self.chat_pane.session_id
        if session_id is not None:  # its assistant may have changed
            self.chat.show_config(await core.chats.get_config(session_id))

    # -- export and import ------------------------------------------------------------------

    def action_export_document(self) -> None:
        run_task(self, self._export(), description="Export the document", group="transfer")

    def action_import_document(self) -> None:
        run_task(self, self._import(), description="Import a document", group="transfer")

    async def _export(self) -> None:
        from vicechat_tui.screens.export import Publishing

        await self.workbench.open_core()
        item = self.document_tree.selected_item
        if item is None:
            self.notify("Select a document or one of its sections first.", severity="warning")
            return
        title = self.document_title(item.document_id)
        publishing = Publishing(self.workbench, ask=self.ask, notify=self.notify, flush=self.flush)
        await publishing.export(item.document_id, title)

    async def _import(self) -> None:
        from vicechat_tui.screens.export import Publishing

        await self.workbench.open_core()
        publishing = Publishing(self.workbench, ask=self.ask, notify=self.notify, flush=self.flush)
        imported = await publishing.import_document()
        document = imported.document if imported is not None else None
        if document is not None and document.id is not None:
            node = self.document_tree.add_document_on_top(document.id, document.title)
            self.document_tree.move_to(node)
