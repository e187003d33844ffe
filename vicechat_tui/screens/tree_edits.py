"""Tree edits for the workspace: new, rename, delete, move, indent, status — and undo.

`TreeEdits` is a controller the workspace screen owns: each edit asks with a dialog when it
needs to (through the screen's `ask`), makes the change through the core, and tells the tree
which node to reload. The screen runs each edit as a task, so failures take the app's one
error path.

Every edit that changes something pushes how to take it back on `undo_stack` (one per
workspace session): a move remembers the place it left, a status or a title the old one, a
delete (to the trash) is restored from the trash. `undo` pops and runs the newest.

What a delete asks and where the cursor lands after it are in `tree_deletion`; expanding the
tree down to a section chosen elsewhere is `tree_selection.select_in_tree`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from textual.screen import ModalScreen

from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.new_item import NewItemScreen
from vicechat_tui.screens.tree_deletion import describe_deletion, land_after_delete, neighbour
from vicechat_tui.screens.tree_selection import select_in_tree
from vicechat_tui.widgets.document_tree import DocumentTree
from vicechat_tui.widgets.safe_text import plain
from vicechat_tui.widgets.tree_items import Node, TreeEdit, TreeItem
from vicechat_tui.workbench import Workbench

STATUS_CYCLE = {"draft": "review", "review": "final", "final": "draft"}
MOVES = ("move_up", "move_down", "indent", "outdent")

Ask = Callable[[ModalScreen[Any]], Awaitable[Any]]
"""Show a dialog and wait for its answer (the screen's `app.push_screen_wait`)."""
BeforeDelete = Callable[[set[int]], Awaitable[None]]
"""Told the ids of the sections about to be deleted, before they are."""
Notify = Callable[[str], None]
"""Say something short to the person (the screen's `notify`)."""
UNDO_LIMIT = 100
"""Edits remembered for undo (the oldest are forgotten first)."""


@dataclass(frozen=True)
class Undo:
    """How to take one edit back: `what` it was, and the work that reverts it (which
    returns the section to put the cursor on, if any)."""

    what: str
    document_id: int
    revert: Callable[[], Awaitable[int | None]]
    trashed: tuple[str, int] | None = None
    """What a delete put in the trash ("section" | "document", id): restoring it from the
    trash screen takes this step off the stack (undoing it then would fail)."""


class TreeEdits:
    """Makes tree edits: dialog, core call, tree reload."""

    def __init__(
        self,
        tree: DocumentTree,
        workbench: Workbench,
        ask: Ask,
        *,
        notify: Notify | None = None,
        undo_key: str = "ctrl+z",
    ) -> None:
        self.tree = tree
        self.workbench = workbench
        self.ask = ask
        self.notify = notify or (lambda _: None)
        self.undo_key = undo_key
        self.undo_stack: list[Undo] = []

    def _remember(self, undo: Undo) -> None:
        self.undo_stack.append(undo)
        del self.undo_stack[:-UNDO_LIMIT]

    async def undo(self) -> str | None:
        """Take the newest edit back; returns what it was (None: nothing to undo)."""
        if not self.undo_stack:
            self.notify("Nothing to undo in the tree.")
            return None
        undo = self.undo_stack.pop()
        section_id = await undo.revert()
        await self._reload_document(undo.document_id)
        if section_id is not None:
            await self.select_section(undo.document_id, section_id)
        else:
            node = self.tree.find_document(undo.document_id)
            if node is not None:
                self.tree.move_to(node)
        self.notify(f"Undone: {undo.what}.")
        return undo.what

    async def show_restored(self, kind: str, document_id: int, item_id: int) -> None:
        """Show what came back from the trash, with the cursor on it."""
        self.undo_stack = [undo for undo in self.undo_stack if undo.trashed != (kind, item_id)]
        await self._reload_document(document_id)
        if kind == "section":
            await self.select_section(document_id, item_id)
        else:
            node = self.tree.find_document(document_id)
            if node is not None:
                self.tree.move_to(node)
                self.tree.focus()

    async def _reload_document(self, document_id: int) -> None:
        """Read a document's sections again (it comes back on top if it was gone)."""
        node = self.tree.find_document(document_id)
        if node is None:
            node = self.tree.show_on_top(
                await self.workbench.require_core().documents.access(document_id)
            )
        await self.tree.load_children(node)
        node.allow_expand = True
        node.expand()

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
        old = item.title
        section_id = item.section_id
        if section_id is None:
            item.title = (await core.documents.rename(item.document_id, title)).title
        else:
            item.title = (await core.sections.rename(section_id, title)).title
        node.set_label(plain(item.title))

        async def rename_back() -> int | None:
            if section_id is None:
                await core.documents.rename(item.document_id, old)
                found = self.tree.find_document(item.document_id)
                if found is not None and found.data is not None:
                    found.data.title = old
                    found.set_label(plain(old))
            else:
                await core.sections.rename(section_id, old)
            return section_id

        self._remember(Undo(f"renaming “{old}”", item.document_id, rename_back))

    async def delete(self, node: Node, item: TreeItem, before_delete: BeforeDelete) -> None:
        sections = await self.workbench.require_core().sections.tree(item.document_id)
        question, doomed = describe_deletion(item, sections)
        if not await self.ask(ConfirmScreen("Delete", question)):
            return
        await before_delete(doomed)
        core = self.workbench.require_core()
        for doomed_id in doomed:  # a reply being written there stops: nobody would see it
            running = core.jobs.active_job_for_section(doomed_id)
            if running is not None:
                await core.jobs.cancel(running.job_id)
        after = neighbour(self.tree, node)
        section_id = item.section_id
        if section_id is None:
            await core.documents.delete(item.document_id)
            self.tree.document_total -= 1
            node.remove()

            async def restore_document() -> int | None:
                await core.trash.restore_document(item.document_id)
                return None

            revert = restore_document
            trashed = ("document", item.document_id)
        else:
            assert node.parent is not None
            parent = node.parent
            await core.sections.delete(section_id)
            await self.tree.load_children(parent)

            async def restore_section() -> int | None:
                await core.trash.restore_section(section_id)
                return section_id

            revert = restore_section
            trashed = ("section", section_id)
        self._remember(Undo(f"deleting “{item.title}”", item.document_id, revert, trashed))
        land_after_delete(self.tree, after)
        self.notify(f"Deleted “{item.title}” — {self.undo_key} to undo")

    # -- moving and status -------------------------------------------------------------------

    async def move(self, node: Node, item: TreeItem, how: TreeEdit) -> None:
        parent = node.parent
        section_id = item.section_id
        if section_id is None or parent is None:
            return
        sections = self.workbench.require_core().sections
        before = await sections.get(section_id)
        old_parent, old_position = before.parent_id, before.position
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

        async def move_back() -> int | None:
            await sections.move(section_id, parent_id=old_parent, position=old_position)
            return section_id

        what = how.replace("_", " ")
        self._remember(Undo(f"{what} of “{item.title}”", item.document_id, move_back))

    async def cycle_status(self, item: TreeItem) -> None:
        if item.section_id is None:
            return
        sections = self.workbench.require_core().sections
        section_id, old = item.section_id, item.status
        section = await sections.set_status(section_id, STATUS_CYCLE.get(item.status, "draft"))
        item.status = section.status
        self.tree.redraw_section(section_id)

        async def status_back() -> int | None:
            await sections.set_status(section_id, old)
            found = self.tree.find_section(section_id)
            if found is not None and found.data is not None:
                found.data.status = old
                self.tree.redraw_section(section_id)
            return section_id

        self._remember(Undo(f"status of “{item.title}”", item.document_id, status_back))

    # -- selecting from elsewhere (jobs screen) ----------------------------------------------

    async def select_section(
        self, document_id: int, section_id: int, *, path: Sequence[int] | None = None
    ) -> None:
        """Expand the tree down to `section_id` and put the cursor on it (`path`: its
        ancestors and itself, when known; see `tree_selection.select_in_tree`)."""
        await select_in_tree(self.tree, self.workbench, document_id, section_id, path=path)
