"""The workspace's start: the tree's first page from a preview (before the core opens), then
the core; what to do next, and reopening where the person left off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from vicechat_tui.failures import run_task
from vicechat_tui.screens.section_opening import SectionOpening

if TYPE_CHECKING:
    from vicechat_tui.core.tree_preview import TreePreview


class CoreOpened(Message):
    """The app opened the core (or failed to: then the workbench's `core` stays None)."""

    def __init__(self, *, tree_current: bool = False) -> None:
        super().__init__()
        self.tree_current = tree_current
        """The tree shows what the core would list (it came from a preview of the same file)."""


class PreviewRead(Message):
    """The tree's first page was read without the core (`core.tree_preview`)."""

    def __init__(self, preview: TreePreview) -> None:
        super().__init__()
        self.preview = preview


class WorkspaceStart(SectionOpening):
    """Shows the tree (and the section left open) as soon as it can be read, then hands them
    to the core."""

    def on_preview_read(self, message: PreviewRead) -> None:
        from vicechat_tui.screens.tree_source import PreviewSource

        if self.workbench.core is not None:
            return  # the core was quicker: it lists the tree itself
        self.places.preview = message.preview
        self.document_tree.source = PreviewSource(message.preview, self.workbench.open_core)
        self.document_tree.show_user(message.preview.user)
        self.document_tree.show_first_page(message.preview.total, message.preview.documents)
        run_task(self, self._tree_shown(), description="Read the documents", group="load")
        self.refresh_bindings()

    def on_core_opened(self, message: CoreOpened) -> None:
        core = self.workbench.core
        if core is None:  # the app's dialog says why; the chat pane keeps saying it
            self.editor.show_message("No database: see the chat pane.")
            self.chat_pane.set_notice(
                f"The database could not be opened. {self.workbench.core_error}"
            )
            self.workbench.first_screen_shown()
            return
        self.document_tree.source = core
        self.document_tree.show_user(core.user)
        for note in core.notes:
            self.notify(note, title="Who you are", timeout=15)
        self.editor.autosave_seconds = self.workbench.autosave_seconds
        if not message.tree_current:
            run_task(self, self._load_tree(), description="Read the documents", group="load")
        run_task(  # what has been in the trash longer than it keeps things goes for good
            self,
            core.trash.purge_expired(now=self.workbench.clock()),
            description="Empty the old trash",
            group="trash",
        )
        self._watch_running_jobs()
        run_task(self, self._fill_chat(), description="Show the chat", group="open")
        self.refresh_bindings()

    async def _load_tree(self) -> None:
        try:
            await self.document_tree.load_documents()
        except Exception:
            self.editor.show_message("The documents could not be read.")
            self.workbench.first_screen_shown()
            raise
        await self._tree_shown()

    async def _tree_shown(self) -> None:
        """Say what to do next, and reopen where the person left off (the app holds keys
        typed meanwhile until then)."""
        try:
            await self._show_start()
        finally:
            self.workbench.first_screen_shown()

    async def _show_start(self) -> None:
        await self.drafts.recall()  # before the section reopens: its draft goes back in
        if self.document_tree.document_total == 0:
            await self.chat.show_section(None, None)
            self.editor.show_message(
                f"No documents: {self.key_for('tree.new_document')} creates one."
            )
        else:
            if self.document_tree.selected_item is None:  # a row under the cursor says more
                self.editor.show_message(
                    f"Select a section ({self.key_for('tree.new_section')} creates one)."
                )
            await self._resume()

    async def _resume(self) -> None:
        """Reopen the place remembered for this database; a section deleted since falls back
        to its document, a deleted document to the first one (where the tree already is)."""
        from vicechat_tui.core.errors import VicechatError

        place = self.places.recall()
        if place is None:
            return
        preview = self._preview_until_core()
        if place.section_id is not None and not (
            preview is not None and preview.gone(place.document_id, place.section_id)
        ):
            try:
                await self.select_section(place.document_id, place.section_id)
                await self.open_selected()
                return
            except VicechatError:  # deleted, or no longer shared with one
                pass
        self.places.forget()
        node = self.document_tree.find_document(place.document_id)
        if node is not None:
            self.document_tree.move_to(node)
        self._follow_cursor()  # no highlight comes when the cursor was already on that row

    def _watch_running_jobs(self) -> None:
        """Keep the tree's ⟳ markers live: this process's jobs and other processes' alike."""
        from vicechat_tui.screens.running_jobs import RunningJobs

        def show(sections: frozenset[int]) -> None:
            self.document_tree.running_sections = sections

        watch = RunningJobs(self.workbench.require_core().jobs, show)
        run_task(self, watch.follow_events(), description="Follow jobs", group="job-feed")
        run_task(self, watch.poll(), description="Follow other jobs", group="job-feed")
