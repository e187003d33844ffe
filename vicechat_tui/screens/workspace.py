"""The workspace: document tree | section editor | chat pane.

The screen orchestrates. It follows the tree's cursor and tells the editor and the chat pane
what to show (attributes down); it handles their messages (up) by pushing dialogs and calling
the core, through three controllers it owns: `TreeEdits` (tree changes), `SectionSaver`
(saves, conflicts, restores) and `ChatController` (the chat). Every piece of background work
starts with `run_task`, so a failure reaches the app's one error path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.getters import query_one
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Tree

from vicechat_tui.failures import TaskFailed, run_task
from vicechat_tui.screens.chat_controller import ChatController
from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.section_saving import SectionSaver
from vicechat_tui.screens.tree_edits import TreeEdits
from vicechat_tui.widgets.chat_log import ChatLog
from vicechat_tui.widgets.chat_pane import ChatPane
from vicechat_tui.widgets.document_tree import DocumentTree, TreeItem
from vicechat_tui.widgets.job_events import forward_job_events
from vicechat_tui.widgets.key_footer import KeyFooter
from vicechat_tui.widgets.key_hints import class_bindings, key_display
from vicechat_tui.widgets.pane_bar import PaneBar, PaneLabel
from vicechat_tui.widgets.pane_row import PaneRow
from vicechat_tui.widgets.section_editor import SectionEditor
from vicechat_tui.workbench import Workbench

if TYPE_CHECKING:
    from vicechat_tui.core.place_preview import PreviewSection
    from vicechat_tui.core.tree_preview import TreePreview
    from vicechat_tui.screens.search import SearchTarget
    from vicechat_tui.ui_state import Place

COMPACT_FOOTER_BELOW = 130
"""Terminal width under which the footer packs its keys."""
PANE_NAMES = {"tree": "Tree", "editor": "Editor", "chat-pane": "Chat"}
FOLLOW_GROUP = "chat-follow"
"""The worker forwarding the shown section's job events to the chat pane (one at a time)."""

Result = TypeVar("Result")


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


class WorkspaceScreen(Screen[None]):
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

    document_tree = query_one("#tree", DocumentTree)
    editor = query_one("#editor", SectionEditor)
    chat_pane = query_one("#chat-pane", ChatPane)
    pane_row = query_one("#panes", PaneRow)
    _jump: SearchTarget | None = None
    """A search result to show once its section is open."""
    _shown_panes: tuple[str, ...] = ()
    _resume_at: Place | None = None
    _preview: TreePreview | None = None
    """What the tree showed before the core opened (`core.tree_preview`)."""
    """Where the editor was left last time, to put back once its section is open."""

    def __init__(self, workbench: Workbench) -> None:
        super().__init__()
        self.workbench = workbench
        self.discard_on_quit = False
        self._open_lock = asyncio.Lock()
        self._wanted: TreeItem | None = None
        self._focus_editor_on_open = False

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
        self.query_one(PaneBar).display = False
        self.watch(self.editor, "save_state", self._show_panes, init=False)
        self.editor.show_message("Opening the database…")
        self.document_tree.focus()

    def on_resize(self, event: events.Resize) -> None:
        # the footer's keys need ~130 columns spaced out; packed, help and jobs fit in 100
        self.query_one(Footer).compact = event.size.width < COMPACT_FOOTER_BELOW

    # -- running work ------------------------------------------------------------------------

    async def ask(self, dialog: ModalScreen[Result]) -> Result:
        """Show `dialog` and wait for its answer (only from a task)."""
        return await self.app.push_screen_wait(dialog)

    def _start(self, work: Awaitable[object], description: str) -> None:
        run_task(self, work, description=description, group="save")

    def _report(self, error: BaseException) -> None:
        self.post_message(TaskFailed(error, "Save the section"))

    def key_for(self, binding_id: str) -> str:
        """The key currently bound to `binding_id`, for hints."""
        for binding in class_bindings([type(self), DocumentTree, SectionEditor, type(self.app)]):
            if binding.id == binding_id:
                return key_display(self.app, binding, self.workbench.keymap)
        return binding_id

    # -- start -------------------------------------------------------------------------------

    def on_preview_read(self, message: PreviewRead) -> None:
        from vicechat_tui.screens.tree_source import PreviewSource

        if self.workbench.core is not None:
            return  # the core was quicker: it lists the tree itself
        self._preview = message.preview
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

    def _previewed(self, section_id: int) -> PreviewSection | None:
        """The section as the start-up preview read it, while the core is not open."""
        preview = self._preview if self.workbench.core is None else None
        return preview.section(section_id) if preview is not None else None

    async def _fill_chat(self) -> None:
        """The chat of a section shown before the core opened (from the preview)."""
        async with self._open_lock:
            node = self.document_tree.find_section(self.chat_pane.section_id or 0)
            reason = node.data.why_read_only if node is not None and node.data else None
            job = await self.chat.fill_shown(read_only=reason)
            if job is not None:
                self._follow(job.job_id, job.started_at)

    async def _load_tree(self) -> None:
        try:
            await self.document_tree.load_documents()
        except Exception:
            self.editor.show_message("The documents could not be read.")
            raise
        await self._tree_shown()

    async def _tree_shown(self) -> None:
        """Say what to do next, and reopen where the person left off."""
        if self.document_tree.document_total == 0:
            await self.chat.show_section(None, None)
            self.editor.show_message(
                f"No documents: {self.key_for('tree.new_document')} creates one."
            )
        else:
            self.editor.show_message(
                f"Select a section ({self.key_for('tree.new_section')} creates one)."
            )
            await self._resume()

    def _watch_running_jobs(self) -> None:
        """Keep the tree's ⟳ markers live: this process's jobs and other processes' alike."""
        from vicechat_tui.screens.running_jobs import RunningJobs

        def show(sections: frozenset[int]) -> None:
            self.document_tree.running_sections = sections

        watch = RunningJobs(self.workbench.require_core().jobs, show)
        run_task(self, watch.follow_events(), description="Follow jobs", group="job-feed")
        run_task(self, watch.poll(), description="Follow other jobs", group="job-feed")

    # -- following the tree's cursor ---------------------------------------------------------

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[TreeItem]) -> None:
        self._wanted = event.node.data
        self.refresh_bindings()
        run_task(self, self._open(event.node.data), description="Open the section", group="open")

    async def _open(self, item: TreeItem | None) -> None:
        """Show `item` in the editor and chat, saving the section being left first."""
        async with self._open_lock:
            if item is not self._wanted:
                return  # the cursor moved on meanwhile
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
            self._put_back(section_id)
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

    def document_title(self, document_id: int) -> str:
        node = self.document_tree.find_document(document_id)
        return node.data.title if node is not None and node.data is not None else ""

    async def flush(self) -> bool:
        """Save the section being edited; False when it could not be saved."""
        await self.remember_place()
        return await self.saver.save() == "saved"

    # -- reopening where it was left ---------------------------------------------------------

    def _place_key(self) -> str | None:
        from vicechat_tui.ui_state import place_key

        core, preview = self.workbench.core, self._preview
        if core is not None:
            return place_key(core.database.url, core.user)
        return place_key(preview.url, preview.user) if preview is not None else None

    async def remember_place(self) -> None:
        """Note the document, section, cursor and scroll, for the next start on this database
        (the file is written off the event loop)."""
        from vicechat_tui.ui_state import Place, remember_place

        key, item = self._place_key(), self.document_tree.selected_item
        if key is None or item is None or item.kind == "more":
            return
        text_area = self.editor.text_area
        shown = self.editor.section_id is not None and self.editor.section_id == item.section_id
        cursor = text_area.cursor_location if shown else (0, 0)
        scroll = (round(text_area.scroll_x), round(text_area.scroll_y)) if shown else (0, 0)
        place = Place(item.document_id, item.section_id, cursor, scroll)
        await asyncio.to_thread(remember_place, key, place)

    async def _resume(self) -> None:
        """Reopen the place remembered for this database; a section deleted since falls back
        to its document, a deleted document to the first one (where the tree already is)."""
        from vicechat_tui.core.errors import VicechatError
        from vicechat_tui.ui_state import remembered_place

        key = self._place_key()
        place = remembered_place(key) if key is not None else None
        if place is None:
            return
        self._resume_at = place
        preview = self._preview if self.workbench.core is None else None
        if place.section_id is not None and not (
            preview is not None and preview.gone(place.document_id, place.section_id)
        ):
            try:
                await self.select_section(place.document_id, place.section_id)
                return
            except VicechatError:  # deleted, or no longer shared with one
                pass
        self._resume_at = None
        node = self.document_tree.find_document(place.document_id)
        if node is not None:
            self.document_tree.move_to(node)

    def _put_back(self, section_id: int) -> None:
        """Put the editor's cursor and scroll where they were left (once, at start)."""
        place, self._resume_at = self._resume_at, None
        if place is None or place.section_id != section_id:
            return
        text_area = self.editor.text_area
        document = text_area.document
        row = min(place.cursor[0], document.line_count - 1)
        column = min(place.cursor[1], len(document.get_line(row)))
        text_area.move_cursor((row, column))
        text_area.call_after_refresh(text_area.scroll_to, *place.scroll, animate=False)

    async def select_section(self, document_id: int, section_id: int) -> None:
        """Put the tree's cursor on `section_id` (its editor and chat follow)."""
        preview = self._preview if self.workbench.core is None else None
        path = preview.path_to(section_id) if preview is not None else None
        await self.tree_edits.select_section(document_id, section_id, path=path)

    # -- the tree ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_document", "show_jobs", "search", "show_trash"):
            return self.workbench.can_open
        if action in ("export_document", "import_document"):
            return self.workbench.can_open
        return True

    def action_new_document(self) -> None:
        run_task(
            self, self.tree_edits.new_document(), description="Create a document", group="tree-edit"
        )

    @on(DocumentTree.ShareRequested)
    def _share_requested(self, message: DocumentTree.ShareRequested) -> None:
        run_task(self, self._share(message.document_id), description="Share", group="tree-edit")

    async def _share(self, document_id: int) -> None:
        from vicechat_tui.screens.share import ShareScreen

        await self.ask(ShareScreen((await self.workbench.open_core()).documents, document_id))

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

    def _follow_cursor(self) -> None:
        """Show what the tree's cursor is on (after an edit moved it, or left it on a line
        whose row changed: no highlight event comes then, and the editor would go stale)."""
        item = self.document_tree.selected_item
        self._wanted = item
        run_task(self, self._open(item), description="Open the section", group="open")

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

    @on(ChatPane.ApplyRequested)
    def _apply_reply(self, message: ChatPane.ApplyRequested) -> None:
        run_task(
            self,
            self.saver.apply_text(message.text, message.mode),
            description="Put the reply into the section",
            group="save",
        )

    # -- the chat ----------------------------------------------------------------------------

    def _follow(self, job_id: int, started_at: float | None) -> None:
        """Draw job `job_id` in the chat pane (following another job stops that one)."""
        events = self.workbench.require_core().jobs.subscribe(job_id)
        self.chat_pane.follow(job_id, started_at)
        forward_job_events(
            self, self.chat_pane, events, group=FOLLOW_GROUP, description=f"Follow job {job_id}"
        )

    def _chat_task(self, work: Awaitable[object], description: str, **options: Any) -> None:
        run_task(self, work, description=description, group="chat", **options)

    @on(ChatPane.SendRequested)
    def _send(self, message: ChatPane.SendRequested) -> None:
        sending = self.chat.send(
            message.document_id, message.section_id, message.text, typed=message.typed
        )
        self._chat_task(self._start_reply(sending), "Send the message")

    @on(ChatPane.QueueRequested)
    def _queue(self, message: ChatPane.QueueRequested) -> None:
        queuing = self.chat.queue(message.document_id, message.section_id, message.text)
        self._chat_task(self._start_reply(queuing), "Queue the message")

    @on(ChatPane.SendQueuedRequested)
    def _send_queued(self, message: ChatPane.SendQueuedRequested) -> None:
        sending = self.chat.send_queued(message.document_id, message.section_id)
        self._chat_task(self._start_reply(sending), "Send the queued message")

    @on(ChatPane.TakeBackRequested)
    def _take_back(self, message: ChatPane.TakeBackRequested) -> None:
        taking = self.chat.take_back(message.document_id, message.section_id)
        self._chat_task(taking, "Take back the queued message")

    @on(ChatPane.RetryRequested)
    def _retry(self, message: ChatPane.RetryRequested) -> None:
        self._chat_task(
            self._start_reply(self.chat.retry(message.message_id, message.text)),
            "Answer again",
        )

    async def _start_reply(self, starting: Awaitable[Any]) -> None:
        job = await starting
        if job is not None:
            self._follow(job.job_id, job.started_at)

    @on(ChatPane.CancelRequested)
    def _cancel(self, message: ChatPane.CancelRequested) -> None:
        self._chat_task(self.chat.cancel(message.job_id), "Cancel the reply")

    @on(ChatPane.ReplyEnded)
    def _reply_ended(self, message: ChatPane.ReplyEnded) -> None:
        ending = self._start_reply(self.chat.finish_reply(message.event))
        self._chat_task(ending, "Show the finished reply")

    @on(ChatLog.OlderWanted)
    def _older_wanted(self, message: ChatLog.OlderWanted) -> None:
        self._chat_task(
            self.chat.load_older(message.before_id), "Load earlier messages", exclusive=True
        )

    @on(ChatPane.ResetRequested)
    def _reset_requested(self, message: ChatPane.ResetRequested) -> None:
        self._chat_task(self._reset(message), "Reset the chat")

    async def _reset(self, message: ChatPane.ResetRequested) -> None:
        question = (
            f"Delete all {message.message_count} messages of this section's chat? "
            "This cannot be undone; the chat settings are kept."
        )
        if await self.ask(ConfirmScreen("Reset this chat?", question, yes="Reset")):
            await self.chat.reset(message.session_id)

    @on(ChatPane.SettingsRequested)
    def _settings_requested(self, message: ChatPane.SettingsRequested) -> None:
        self._chat_task(self._configure(message.session_id), "Change the chat settings")

    async def _configure(self, session_id: int) -> None:
        from vicechat_tui.screens.chat_config import ChatConfigScreen

        core = self.workbench.require_core()
        config = await core.chats.get_config(session_id)
        assistants = await core.assistants.list()
        changed = await self.ask(ChatConfigScreen(core, session_id, config, assistants))
        if changed is not None and self.chat_pane.session_id == session_id:
            self.chat.show_config(changed)

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

    def action_show_jobs(self) -> None:
        run_task(self, self._show_jobs(), description="Show the jobs", group="chat")

    async def _show_jobs(self) -> None:
        from vicechat_tui.screens.jobs import JobsScreen

        target = await self.ask(JobsScreen(await self.workbench.open_core()))
        if target is not None:
            await self.select_section(target.document_id, target.section_id)

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

    # -- search ------------------------------------------------------------------------------

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

    # -- panes -------------------------------------------------------------------------------

    def action_focus_next_pane(self) -> None:
        self.pane_row.focus_step(1)

    def action_focus_previous_pane(self) -> None:
        self.pane_row.focus_step(-1)

    def action_go_to_tree(self) -> None:
        self.pane_row.go_to(self.document_tree)

    def action_go_to_chat(self) -> None:
        self.pane_row.go_to(self.chat_pane)

    def action_hide_tree(self) -> None:
        self.pane_row.hide(self.document_tree)

    def action_hide_chat(self) -> None:
        self.pane_row.hide(self.chat_pane)

    def action_resize_tree(self, delta: int) -> None:
        self.pane_row.resize_first(delta)

    def on_pane_row_panes_changed(self, message: PaneRow.PanesChanged) -> None:
        self._shown_panes = message.shown
        self._show_panes()

    def _show_panes(self) -> None:
        """The bar above the panes, while some are hidden: which, how to reach them, and the
        save state (the editor's own status line may be hidden)."""
        from vicechat_tui.widgets.section_editor import STATE_LABELS

        bar = self.query_one(PaneBar)
        shown = self._shown_panes or tuple(pane.id or "" for pane in self.pane_row.panes())
        bar.display = len(shown) < len(self.pane_row.children)
        if not bar.display:
            return
        keys = {"tree": self.key_for("view.tree"), "chat-pane": self.key_for("view.chat")}
        labels = [
            PaneLabel(
                PANE_NAMES.get(pane.id or "", pane.id or ""),
                keys.get(pane.id or "", ""),
                pane.id in shown,
            )
            for pane in self.pane_row.children
        ]
        state = STATE_LABELS[self.editor.save_state] if self.editor.section_id is not None else ""
        bar.show(labels, state, self.key_for("app.help"))
