"""The document tree's rows: documents read a page at a time (a "more" row reads the next),
a node's sections read the first time it is expanded (and re-read after an edit, keeping
what was expanded); finding a document's or a section's row, and adding one on top."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.widgets import Tree

from vicechat_tui.failures import run_task
from vicechat_tui.widgets.safe_text import plain
from vicechat_tui.widgets.tree_items import ListedAccess, Node, TreeItem, TreeSource

if TYPE_CHECKING:
    from vicechat_tui.core.services.access import DocumentAccess


class TreeLoading(Tree[TreeItem]):
    """Reads rows from the `TreeSource` the screen sets, and finds them again."""

    PAGE_SIZE = 200

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Documents", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.loaded = False
        self.document_total = 0
        self.source: TreeSource | None = None
        """Set by the screen once the core is open."""

    def _source(self) -> TreeSource:
        if self.source is None:
            from vicechat_tui.workbench import CoreNotOpenError

            raise CoreNotOpenError()
        return self.source

    # -- loading -----------------------------------------------------------------------------

    async def load_documents(self) -> None:
        """(Re)load the first page of documents."""
        source = self._source()
        total = await source.documents.count()
        self.show_first_page(total, await source.documents.list_access(limit=self.PAGE_SIZE))

    def show_first_page(self, total: int, documents: Sequence[ListedAccess]) -> None:
        """Show `documents`, the first page of the `total` one may see."""
        self.document_total = total
        self.clear()
        for access in documents:
            self._add_listed(access)
        self._add_more_row(len(documents))
        self.loaded = True
        if self.root.children:
            self.move_to(self.root.children[0])

    async def load_more(self, more: Node) -> None:
        """Replace the "more" row with the next page of documents."""
        assert more.data is not None
        offset = more.data.offset
        more.remove()
        documents = await self._source().documents.list_access(offset=offset, limit=self.PAGE_SIZE)
        for access in documents:
            self._add_listed(access)
        self._add_more_row(offset + len(documents))

    def _add_listed(self, access: ListedAccess) -> Node:
        document = access.document
        assert document.id is not None
        owner = access.owner if access.shared_with_me else None
        return self._add_document(document.id, document.title, owner, access.level.label)

    def _add_document(
        self,
        document_id: int,
        title: str,
        owner: str | None = None,
        level: str = "owner",
        *,
        before: int | None = None,
    ) -> Node:
        item = TreeItem("document", document_id, title=title, owner=owner, level=level)
        return self.root.add(plain(title), data=item, allow_expand=True, before=before)

    def _add_more_row(self, shown: int) -> None:
        remaining = self.document_total - shown
        if remaining > 0:
            label = f"… {remaining:,} more documents (Enter)"
            self.root.add_leaf(label, data=TreeItem("more", 0, title=label, offset=shown))

    async def load_children(self, node: Node) -> None:
        """(Re)read one node's sections, keeping the expanded ones expanded."""
        item = node.data
        if item is None or item.kind == "more":
            return
        expanded = {
            child.data.section_id
            for child in self._descendants(node)
            if child.data is not None and child.is_expanded
        }
        rows = await self._source().sections.children(item.document_id, item.section_id)
        node.remove_children()
        item.loaded = True
        item.child_count = len(rows)
        for row in rows:
            child = node.add(
                plain(row.title),
                data=TreeItem(
                    "section",
                    row.document_id,
                    row.id,
                    title=row.title,
                    status=row.status,
                    child_count=row.child_count,
                    owner=item.owner,
                    level=item.level,
                ),
                allow_expand=row.child_count > 0,
            )
            if row.id in expanded and row.child_count:
                await self.load_children(child)
                child.expand()
        if item.kind == "section":
            node.allow_expand = bool(rows)

    def _descendants(self, node: Node) -> list[Node]:
        found: list[Node] = []
        for child in node.children:
            found.append(child)
            found.extend(self._descendants(child))
        return found

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[TreeItem]) -> None:
        item = event.node.data
        if item is not None and not item.loaded:
            run_task(self, self.load_children(event.node), description="Read the sections")

    def on_tree_node_selected(self, event: Tree.NodeSelected[TreeItem]) -> None:
        item = event.node.data
        if item is not None and item.kind == "more":
            event.stop()
            run_task(self, self.load_more(event.node), description="Read more documents")

    # -- finding and moving ------------------------------------------------------------------

    def find_document(self, document_id: int) -> Node | None:
        for node in self.root.children:
            if node.data and node.data.kind == "document" and node.data.document_id == document_id:
                return node
        return None

    def find_section(self, section_id: int) -> Node | None:
        for node in self._descendants(self.root):
            if node.data and node.data.section_id == section_id:
                return node
        return None

    def add_document_on_top(
        self, document_id: int, title: str, owner: str | None = None, level: str = "owner"
    ) -> Node:
        """Show a new document first (the list is most recently updated first)."""
        self.document_total += 1
        before = 0 if self.root.children else None
        return self._add_document(document_id, title, owner, level, before=before)

    def show_on_top(self, access: DocumentAccess) -> Node:
        """Show a document not listed yet first, marked as the listing marks it."""
        document = access.document
        assert document.id is not None
        owner = access.owner if access.shared_with_me else None
        return self.add_document_on_top(document.id, document.title, owner, access.level.label)

    def move_to(self, node: Node) -> None:
        """Put the cursor on `node` (its line is computed first)."""
        self.get_node_at_line(0)  # rebuilds the line cache so node.line is current
        self.move_cursor(node)

    @property
    def selected_item(self) -> TreeItem | None:
        node = self.cursor_node
        return node.data if node is not None else None
