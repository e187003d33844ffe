"""The workspace's tree edits: new, rename, delete, move, indent, status — from the keyboard.

Each action asks the core, then tells the tree which node to reload. The dialogs are
awaited in workers (`push_screen_wait`); failures go to the app's `report_error`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.getters import query_one
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.new_item import NewItemScreen
from vicechat_tui.widgets.document_tree import DocumentTree, Node, TreeItem
from vicechat_tui.widgets.section_editor import SectionEditor

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore

STATUS_CYCLE = {"draft": "review", "review": "final", "final": "draft"}
SECTION_ONLY = {"new_sibling", "cycle_status", "move_up", "move_down", "indent", "outdent"}
NEEDS_SELECTION = {"new_section", "rename", "delete"}


class TreeActions(Screen[None]):
    """Tree editing for the workspace screen (which provides `tree`, `editor`, `core`)."""

    document_tree = query_one("#tree", DocumentTree)
    editor = query_one("#editor", SectionEditor)
    focus_editor_on_open = False
    """Set by "new section": the editor takes the focus once the new section is shown."""

    @property
    def core(self) -> VicechatCore:
        core = self.app.core  # type: ignore[attr-defined]
        assert core is not None, "the core is not open yet"
        return core

    def report(self, error: BaseException) -> None:
        self.app.report_error(error)  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report(event.worker.error)

    # -- what is possible now ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_document":
            return self.app.core is not None  # type: ignore[attr-defined]
        if action not in SECTION_ONLY | NEEDS_SELECTION:
            return True
        node = self.document_tree.cursor_node if self.document_tree.loaded else None
        item = node.data if node is not None else None
        if item is None or item.kind == "more":
            return False
        if action in NEEDS_SELECTION:
            return True
        if item.kind != "section" or node is None or node.parent is None:
            return False
        index = list(node.parent.children).index(node)
        if action in ("move_up", "indent"):
            return index > 0
        if action == "move_down":
            return index < len(node.parent.children) - 1
        if action == "outdent":
            return node.parent.data is not None and node.parent.data.kind == "section"
        return True

    def _selected(self) -> tuple[Node, TreeItem] | None:
        node = self.document_tree.cursor_node
        if node is None or node.data is None or node.data.kind == "more":
            return None
        return node, node.data

    # -- creating ----------------------------------------------------------------------------

    @work(group="tree-edit", exit_on_error=False)
    async def action_new_document(self) -> None:
        title = await self.app.push_screen_wait(NewItemScreen("New document"))
        if title is None:
            return
        document = await self.core.documents.create(title)
        assert document.id is not None
        node = self.document_tree.add_document_on_top(document.id, document.title)
        self.document_tree.move_to(node)
        self.document_tree.focus()

    @work(group="tree-edit", exit_on_error=False)
    async def action_new_section(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        node, item = selected
        context = f"Inside “{item.title}”"
        title = await self.app.push_screen_wait(NewItemScreen("New section", context=context))
        if title is not None:
            await self._create_section(node, title, position=None)

    @work(group="tree-edit", exit_on_error=False)
    async def action_new_sibling(self) -> None:
        selected = self._selected()
        if selected is None or selected[1].kind != "section" or selected[0].parent is None:
            return
        node, item = selected
        position = list(node.parent.children).index(node) + 1  # type: ignore[union-attr]
        context = f"After “{item.title}”"
        title = await self.app.push_screen_wait(NewItemScreen("New section", context=context))
        if title is not None:
            await self._create_section(node.parent, title, position=position)  # type: ignore[arg-type]

    async def _create_section(self, parent: Node, title: str, *, position: int | None) -> None:
        item = parent.data
        assert item is not None
        section = await self.core.sections.create(
            item.document_id, title, parent_id=item.section_id, position=position
        )
        assert section.id is not None
        await self.document_tree.load_children(parent)
        parent.allow_expand = True
        parent.expand()
        created = self.document_tree.find_section(section.id)
        if created is not None:
            self.document_tree.move_to(created)
            self.focus_editor_on_open = True

    # -- renaming and deleting ---------------------------------------------------------------

    @work(group="tree-edit", exit_on_error=False)
    async def action_rename(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        node, item = selected
        what = "document" if item.kind == "document" else "section"
        dialog = NewItemScreen(f"Rename {what}", value=item.title, action="Rename")
        title = await self.app.push_screen_wait(dialog)
        if title is None:
            return
        if item.kind == "document":
            renamed: Any = await self.core.documents.rename(item.document_id, title)
        else:
            assert item.section_id is not None
            renamed = await self.core.sections.rename(item.section_id, title)
        item.title = renamed.title
        from vicechat_tui.widgets.safe_text import plain

        node.set_label(plain(renamed.title))
        self._retitle_editor()

    def _retitle_editor(self) -> None:
        section_id = self.editor.section_id
        node = self.document_tree.find_section(section_id) if section_id is not None else None
        if node is not None and node.data is not None:
            document = self.document_tree.find_document(node.data.document_id)
            document_title = document.data.title if document and document.data else ""
            self.editor.retitle(document_title, node.data.title)

    @work(group="tree-edit", exit_on_error=False)
    async def action_delete(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        node, item = selected
        question, doomed = await self._describe_deletion(item)
        confirmed = await self.app.push_screen_wait(ConfirmScreen("Delete", question))
        if not confirmed:
            return
        if self.editor.section_id in doomed:
            self.editor.show_message("Deleted.")
            await self.chat_pane_clear()
        if item.kind == "document":
            await self.core.documents.delete(item.document_id)
            self.document_tree.document_total -= 1
            node.remove()
        else:
            assert item.section_id is not None and node.parent is not None
            await self.core.sections.delete(item.section_id)
            await self.document_tree.load_children(node.parent)
        self.refresh_bindings()

    async def chat_pane_clear(self) -> None:
        """Overridden by the workspace: show no chat."""

    async def _describe_deletion(self, item: TreeItem) -> tuple[str, set[int]]:
        """The question to ask, and the ids of every section that would go."""
        roots = await self.core.sections.tree(item.document_id)
        if item.kind == "document":
            doomed: set[int] = set()
            stack = list(roots)
        else:
            stack = [node for node in roots]
            found = None
            while stack:
                current = stack.pop()
                if current.section.id == item.section_id:
                    found = current
                    break
                stack.extend(current.children)
            stack = list(found.children) if found else []
            doomed = {item.section_id} if item.section_id is not None else set()
        while stack:
            current = stack.pop()
            assert current.section.id is not None
            doomed.add(current.section.id)
            stack.extend(current.children)
        if item.kind == "document":
            count = len(doomed)
            sections = f" with its {count} section{'s' if count != 1 else ''} and their chats"
            return f"Delete document “{item.title}”{sections if count else ''}?", doomed
        count = len(doomed) - 1
        children = f"with its {count} subsection{'s' if count != 1 else ''} and chats"
        return f"Delete section “{item.title}” {children if count else 'and its chat'}?", doomed

    # -- moving and status -------------------------------------------------------------------

    @work(group="tree-edit", exit_on_error=False)
    async def action_move_up(self) -> None:
        await self._move("shift_up")

    @work(group="tree-edit", exit_on_error=False)
    async def action_move_down(self) -> None:
        await self._move("shift_down")

    @work(group="tree-edit", exit_on_error=False)
    async def action_indent(self) -> None:
        await self._move("indent")

    @work(group="tree-edit", exit_on_error=False)
    async def action_outdent(self) -> None:
        await self._move("outdent")

    async def _move(self, how: str) -> None:
        selected = self._selected()
        if selected is None or selected[1].kind != "section" or selected[0].parent is None:
            return
        node, item = selected
        section_id = item.section_id
        assert section_id is not None
        parent = node.parent
        assert parent is not None
        sections = self.core.sections
        new_parent_id: int | None = None
        if how == "shift_up":
            await sections.shift(section_id, -1)
        elif how == "shift_down":
            await sections.shift(section_id, 1)
        elif how == "indent":
            index = list(parent.children).index(node)
            above = parent.children[index - 1].data if index > 0 else None
            new_parent_id = above.section_id if above is not None else None
            await sections.indent(section_id)
        else:
            await sections.outdent(section_id)
            parent = parent.parent or parent
        await self.document_tree.load_children(parent)
        if new_parent_id is not None:
            new_parent = self.document_tree.find_section(new_parent_id)
            if new_parent is not None:
                await self.document_tree.load_children(new_parent)
                new_parent.expand()
        moved = self.document_tree.find_section(section_id)
        if moved is not None:
            self.document_tree.move_to(moved)
        self.refresh_bindings()

    @work(group="tree-edit", exit_on_error=False)
    async def action_cycle_status(self) -> None:
        selected = self._selected()
        if selected is None or selected[1].kind != "section":
            return
        item = selected[1]
        assert item.section_id is not None
        section = await self.core.sections.set_status(
            item.section_id, STATUS_CYCLE.get(item.status, "draft")
        )
        item.status = section.status
        self.document_tree.refresh()

    # -- selecting from elsewhere (jobs screen) ----------------------------------------------

    async def select_section(self, document_id: int, section_id: int) -> None:
        """Expand the tree down to `section_id` (loading lazily) and put the cursor on it."""
        path: list[int] = []
        current: int | None = section_id
        while current is not None:
            section = await self.core.sections.get(current)
            path.append(current)
            current = section.parent_id
        document_node = self.document_tree.find_document(document_id)
        if document_node is None:
            document = await self.core.documents.get(document_id)
            document_node = self.document_tree.add_document_on_top(document_id, document.title)
        node: Node = document_node
        for ancestor_id in reversed(path):
            assert node.data is not None
            if not node.data.loaded:
                await self.document_tree.load_children(node)
            node.expand()
            found = next(
                (
                    child
                    for child in node.children
                    if child.data and child.data.section_id == ancestor_id
                ),
                None,
            )
            if found is None:
                return
            node = found
        self.document_tree.move_to(node)
        self.document_tree.focus()
