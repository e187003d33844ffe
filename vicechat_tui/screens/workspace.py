"""The workspace: document tree | section editor | chat pane.

The screen orchestrates: it reacts to the tree's cursor, tells the editor and the chat pane
what to show (attributes down), handles their messages (up), and makes changes through the
core. Tree edits (new, rename, delete, move, status) live in `tree_actions.TreeActions`.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar, Literal

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.getters import query_one
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Tree

from vicechat_tui.screens.tree_actions import TreeActions
from vicechat_tui.widgets.chat_pane import ChatPane
from vicechat_tui.widgets.document_tree import DocumentTree, TreeItem
from vicechat_tui.widgets.section_editor import SectionEditor

MIN_TREE_WIDTH = 16
MAX_TREE_WIDTH = 80
COMPACT_FOOTER_BELOW = 130
"""Terminal width under which the footer packs its keys."""


class CoreOpened(Message):
    """The app opened the core (or failed to: then `app.core` stays None)."""


class WorkspaceScreen(TreeActions, Screen[None]):
    """Three panes; F6 cycles the focus through them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+n", "new_document", "New doc", tooltip="Create a document", id="tree.new_document"
        ),
        Binding(
            "ctrl+b",
            "toggle_tree",
            "Tree",
            tooltip="Go to the tree (again: hide it)",
            id="view.toggle_tree",
        ),
        Binding(
            "ctrl+g",
            "toggle_chat",
            "Chat",
            tooltip="Go to the chat (again: hide it)",
            id="view.toggle_chat",
        ),
        Binding("ctrl+t", "show_jobs", "Jobs", tooltip="Running and recent jobs", id="view.jobs"),
        Binding("alt+left", "resize_tree(-4)", "Narrow tree", show=False, id="view.narrow_tree"),
        Binding("alt+right", "resize_tree(4)", "Widen tree", show=False, id="view.widen_tree"),
    ]

    chat_pane = query_one("#chat-pane", ChatPane)

    tree_width: reactive[int] = reactive(28, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.discard_on_quit = False
        self._open_lock = asyncio.Lock()
        self._wanted: TreeItem | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield DocumentTree(id="tree")
            yield SectionEditor(id="editor")
            yield ChatPane(id="chat-pane")
        yield Footer()

    def on_mount(self) -> None:
        self.editor.show_message("Opening the database…")
        self.document_tree.focus()

    def on_resize(self, event: events.Resize) -> None:
        # the footer's keys need ~130 columns spaced out; packed, help and jobs fit in 100
        self.query_one(Footer).compact = event.size.width < COMPACT_FOOTER_BELOW

    @property
    def core_is_open(self) -> bool:
        return self.app.core is not None  # type: ignore[attr-defined]

    # -- start -------------------------------------------------------------------------------

    def on_core_opened(self, _: CoreOpened) -> None:
        if not self.core_is_open:
            error = self.app.core_error  # type: ignore[attr-defined]
            self.editor.show_message(f"The database could not be opened: {error}")
            return
        self.run_worker(self._load_tree(), group="load", exit_on_error=False)
        self.run_worker(self._follow_jobs(), group="job-feed", exit_on_error=False)
        self.refresh_bindings()

    async def _load_tree(self) -> None:
        try:
            await self.document_tree.load_documents()
        except Exception as error:
            self.app.report_error(error)  # type: ignore[attr-defined]
            self.editor.show_message("The documents could not be read.")
            return
        if self.document_tree.document_total == 0:
            await self.chat_pane.show_section(None, None)
            self.editor.show_message(
                f"No documents: {self.key_for('tree.new_document')} creates one."
            )
        else:
            self.editor.show_message(
                f"Select a section ({self.key_for('tree.new_section')} creates one)."
            )

    async def _follow_jobs(self) -> None:
        """Mark sections whose chat has a job running, from the engine's event feed."""
        from vicechat_tui.core.events import JobFinished, JobSnapshot, JobStarted

        try:
            events = self.core.jobs.subscribe_all()
        except ImportError:
            return  # no job engine installed yet
        running: dict[int, int] = {}
        async for event in events:
            if isinstance(event, JobStarted):
                running[event.job_id] = event.section_id
            elif isinstance(event, JobSnapshot):
                if event.status in ("pending", "running"):
                    running[event.job_id] = event.section_id
                else:
                    running.pop(event.job_id, None)
            elif isinstance(event, JobFinished):
                running.pop(event.job_id, None)
            else:
                continue
            self.document_tree.running_sections = frozenset(running.values())

    def key_for(self, binding_id: str) -> str:
        """The key currently bound to `binding_id`, for hints."""
        from vicechat_tui.screens.help import class_bindings, current_key

        for binding in class_bindings([type(self), DocumentTree, SectionEditor]):
            if binding.id == binding_id:
                return current_key(self.app, binding)
        return binding_id

    # -- following the tree's cursor ---------------------------------------------------------

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[TreeItem]) -> None:
        self._wanted = event.node.data
        self.refresh_bindings()
        self.run_worker(self._open(event.node.data), group="open", exit_on_error=False)

    async def _open(self, item: TreeItem | None) -> None:
        """Show `item` in the editor and chat, saving the section being left first."""
        async with self._open_lock:
            if item is not self._wanted:
                return  # the cursor moved on meanwhile
            section_id = item.section_id if item is not None and item.kind == "section" else None
            if section_id is not None and section_id == self.editor.section_id:
                return
            if await self.editor.save() == "failed":
                return  # keep the unsaved text on screen
            if item is None or section_id is None:
                if item is not None and item.kind == "document":
                    self.editor.show_message(
                        f"{item.title} — {self.key_for('tree.new_section')} adds a section."
                    )
                await self.chat_pane.show_section(None, None)
                return
            try:
                section = await self.core.sections.get(section_id)
            except Exception as error:
                self.app.report_error(error)  # type: ignore[attr-defined]
                return
            self.editor.show_section(section, document_title=self.document_title(item.document_id))
            if self.focus_editor_on_open:
                self.focus_editor_on_open = False
                self.editor.text_area.focus()
            await self.chat_pane.show_section(item.document_id, section_id)

    def document_title(self, document_id: int) -> str:
        node = self.document_tree.find_document(document_id)
        return node.data.title if node is not None and node.data is not None else ""

    async def chat_pane_clear(self) -> None:
        await self.chat_pane.show_section(None, None)

    async def flush(self) -> bool:
        """Save the section being edited; False when it could not be saved."""
        return await self.editor.save() == "saved"

    # -- messages from the chat pane ---------------------------------------------------------

    @on(ChatPane.ApplyRequested)
    async def _apply_reply(self, message: ChatPane.ApplyRequested) -> None:
        mode: Literal["insert", "replace"] = "replace" if message.mode == "replace" else "insert"
        await self.editor.apply_text(message.text, mode)

    @on(ChatPane.JobJumpRequested)
    async def _jump_to_job(self, message: ChatPane.JobJumpRequested) -> None:
        await self.select_section(message.document_id, message.section_id)

    # -- panes -------------------------------------------------------------------------------

    def _panes(self) -> list[Widget]:
        return [pane for pane in (self.document_tree, self.editor, self.chat_pane) if pane.display]

    def _first_focusable(self, pane: Widget) -> Widget | None:
        """Where focus lands in a pane: its `primary_focus` (e.g. the chat input) if any."""
        primary = getattr(pane, "primary_focus", None)
        if isinstance(primary, Widget) and primary.focusable:
            return primary
        for widget in self.focus_chain:
            if widget is pane or pane in widget.ancestors:
                return widget
        return None

    def _focus_pane(self, delta: int) -> None:
        panes = self._panes()
        if not panes:
            return
        focused = self.focused
        current = next(
            (
                index
                for index, pane in enumerate(panes)
                if focused is not None and (focused is pane or pane in focused.ancestors)
            ),
            -1 if delta > 0 else 0,
        )
        for step in range(1, len(panes) + 1):
            target = self._first_focusable(panes[(current + delta * step) % len(panes)])
            if target is not None:
                target.focus()
                return

    def action_focus_next_pane(self) -> None:
        self._focus_pane(1)

    def action_focus_previous_pane(self) -> None:
        self._focus_pane(-1)

    def _go_to_or_hide(self, pane: Widget) -> None:
        """Show and focus `pane`; when the focus is already in it, hide it instead."""
        has_focus = self.focused is not None and (
            self.focused is pane or pane in self.focused.ancestors
        )
        if has_focus:
            pane.display = False
            self._focus_pane(1)
            return
        pane.display = True
        self.call_after_refresh(self._focus_in, pane)

    def _focus_in(self, pane: Widget) -> None:
        target = self._first_focusable(pane)
        if target is not None:
            target.focus()

    def action_show_jobs(self) -> None:
        """The jobs screen, from anywhere in the workspace (the chat pane owns it)."""
        self.chat_pane.action_show_jobs()

    def action_toggle_tree(self) -> None:
        self._go_to_or_hide(self.document_tree)

    def action_toggle_chat(self) -> None:
        self._go_to_or_hide(self.chat_pane)

    def action_resize_tree(self, delta: int) -> None:
        if not self.document_tree.display:
            self.document_tree.display = True
        limit = max(MIN_TREE_WIDTH, min(MAX_TREE_WIDTH, self.size.width - 40))
        self.tree_width = max(MIN_TREE_WIDTH, min(limit, self.tree_width + delta))

    def watch_tree_width(self, width: int) -> None:
        self.document_tree.styles.width = width
