"""Tree edits for the workspace: new, rename, delete, move, indent, status.

`TreeEdits` is a controller the workspace screen owns: each edit asks with a dialog when it
needs to (through the screen's `ask`), makes the change through the core, and tells the tree
which node to reload. The screen runs each edit as a task, so failures take the app's one
error path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.screen import ModalScreen

from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.new_item import NewItemScreen
from vicechat_tui.widgets.document_tree import DocumentTree, Node, TreeEdit, TreeItem
from vicechat_tui.widgets.safe_text import plain
from vicechat_tui.workbench import Workbench

STATUS_CYCLE = {"draft": "review", "review": "final", "final": "draft"}
MOVES = ("move_up", "move_down", "indent", "outdent")

Ask = Callable[[ModalScreen[Any]], Awaitable[Any]]
"""Show a dialog and wait for its answer (the screen's `app.push_screen_wait`)."""
BeforeDelete = Callable[[set[int]], Awaitable[None]]
"""Told the ids of the sections about to be deleted, before they are."""


class TreeEdits:
    """Makes tree edits: dialog, core call, tree reload."""

    def __init__(self, tree: DocumentTree, workbench: Workbench, ask: Ask) -> None:
        self.tree = tree
        self.workbench = workbench
        self.ask = ask

    async def run(self, edit: TreeEdit, node: Node, *, before_delete: BeforeDelete) -> int | None:
        """Do `edit` on `node`; returns the id of a section it created, if any."""
        item = node.data
        if item is None or item.kind == "more":
            return None
        await self.workbench.open_core()  # the tree may show a preview, read before the core
        if edit == "new_section":
            return await self.new_section(node, item)
        if edit == "new_sibling":
            return await self.new_sibling(node, item)
        if edit == "rename":
            await self.rename(node, item)
        elif edit == "delete":
            await self.delete(node, item, before_delete)
        elif edit == "cycle_status":
            await self.cycle_status(item)
        elif edit in MOVES:
            await self.move(node, item, edit)
        return None

    # -- creating ----------------------------------------------------------------------------

    async def new_document(self) -> None:
        title = await self.ask(NewItemScreen("New document"))
        if title is None:
            return
        document = await (await self.workbench.open_core()).documents.create(title)
        assert document.id is not None
        node = self.tree.add_document_on_top(document.id, document.title)
        self.tree.move_to(node)
        self.tree.focus()

    async def new_section(self, node: Node, item: TreeItem) -> int | None:
        title = await self.ask(NewItemScreen("New section", context=f"Inside “{item.title}”"))
        if title is None:
            return None
        return await self._create_section(node, title, position=None)

    async def new_sibling(self, node: Node, item: TreeItem) -> int | None:
        parent = node.parent
        if item.kind != "section" or parent is None:
            return None
        position = list(parent.children).index(node) + 1
        title = await self.ask(NewItemScreen("New section", context=f"After “{item.title}”"))
        if title is None:
            return None
        return await self._create_section(parent, title, position=position)

    async def _create_section(self, parent: Node, title: str, *, position: int | None) -> int:
        item = parent.data
        assert item is not None
        section = await self.workbench.require_core().sections.create(
            item.document_id, title, parent_id=item.section_id, position=position
        )
        assert section.id is not None
        await self.tree.load_children(parent)
        parent.allow_expand = True
        parent.expand()
        created = self.tree.find_section(section.id)
        if created is not None:
            self.tree.move_to(created)
        return section.id

    # -- renaming and deleting ---------------------------------------------------------------

    async def rename(self, node: Node, item: TreeItem) -> None:
        what = "document" if item.kind == "document" else "section"
        dialog = NewItemScreen(f"Rename {what}", value=item.title, action="Rename")
        title = await self.ask(dialog)
        if title is None:
            return
        core = self.workbench.require_core()
        if item.section_id is None:
            item.title = (await core.documents.rename(item.document_id, title)).title
        else:
            item.title = (await core.sections.rename(item.section_id, title)).title
        node.set_label(plain(item.title))

    async def delete(self, node: Node, item: TreeItem, before_delete: BeforeDelete) -> None:
        question, doomed = await self._describe_deletion(item)
        if not await self.ask(ConfirmScreen("Delete", question)):
            return
        await before_delete(doomed)
        core = self.workbench.require_core()
        if item.section_id is None:
            await core.documents.delete(item.document_id)
            self.tree.document_total -= 1
            node.remove()
            return
        assert node.parent is not None
        await core.sections.delete(item.section_id)
        await self.tree.load_children(node.parent)

    async def _describe_deletion(self, item: TreeItem) -> tuple[str, set[int]]:
        """The question to ask, and the ids of every section that would go."""
        stack = list(await self.workbench.require_core().sections.tree(item.document_id))
        doomed: set[int] = set()
        if item.section_id is not None:
            doomed.add(item.section_id)
            found = None
            while stack and found is None:
                current = stack.pop()
                if current.section.id == item.section_id:
                    found = current
                stack.extend(current.children)
            stack = list(found.children) if found else []
        while stack:
            current = stack.pop()
            assert current.section.id is not None
            doomed.add(current.section.id)
            stack.extend(current.children)
        if item.section_id is None:
            count = len(doomed)
            sections = f" with its {count} section{'s' if count != 1 else ''} and their chats"
            return f"Delete document “{item.title}”{sections if count else ''}?", doomed
        count = len(doomed) - 1
        children = f"with its {count} subsection{'s' if count != 1 else ''} and chats"
        return f"Delete section “{item.title}” {children if count else 'and its chat'}?", doomed

    # -- moving and status -------------------------------------------------------------------

    async def move(self, node: Node, item: TreeItem, how: TreeEdit) -> None:
        parent = node.parent
        section_id = item.section_id
        if section_id is None or parent is None:
            return
        sections = self.workbench.require_core().sections
        new_parent_id: int | None = None
        if how == "move_up":
            await sections.shift(section_id, -1)
        elif how == "move_down":
            await sections.shift(section_id, 1)
        elif how == "indent":
            index = list(parent.children).index(node)
            above = parent.children[index - 1].data if index > 0 else None
            new_parent_id = above.section_id if above is not None else None
            await sections.indent(section_id)
        else:
            await sections.outdent(section_id)
            parent = parent.parent or parent
        await self.tree.load_children(parent)
        if new_parent_id is not None:
            new_parent = self.tree.find_section(new_parent_id)
            if new_parent is not None:
                await self.tree.load_children(new_parent)
                new_parent.expand()
        moved = self.tree.find_section(section_id)
        if moved is not None:
            self.tree.move_to(moved)

    async def cycle_status(self, item: TreeItem) -> None:
        if item.section_id is None:
            return
        section = await self.workbench.require_core().sections.set_status(
            item.section_id, STATUS_CYCLE.get(item.status, "draft")
        )
        item.status = section.status
        self.tree.redraw_section(item.section_id)

    # -- selecting from elsewhere (jobs screen) ----------------------------------------------

    async def select_section(self, document_id: int, section_id: int) -> None:
        """Expand the tree down to `section_id` (loading lazily) and put the cursor on it."""
        core = await self.workbench.open_core()
        path: list[int] = []
        current: int | None = section_id
        while current is not None:
            section = await core.sections.get(current)
            path.append(current)
            current = section.parent_id
        node = self.tree.find_document(document_id)
        if node is None:
            node = self.tree.show_on_top(await core.documents.access(document_id))
        for ancestor_id in reversed(path):
            assert node.data is not None
            if not node.data.loaded:
                await self.tree.load_children(node)
            node.expand()
            found = next(
                (c for c in node.children if c.data and c.data.section_id == ancestor_id), None
            )
            if found is None:
                return
            node = found
        self.tree.move_to(node)
        self.tree.focus()
