"""The document tree: documents, then their nested sections, loaded lazily.

Documents come in pages (a "more" row loads the next one); a node's sections are read with
`sections.children` the first time it is expanded, so thousands of documents open at once.
The tree only reads, through the `TreeSource` the screen gives it; its editing keys post
`EditRequested` and the screen makes the change, then asks the tree to reload a node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from vicechat_tui.failures import run_task
from vicechat_tui.widgets.safe_text import plain

if TYPE_CHECKING:
    from vicechat_tui.core.section_rows import SectionSummary
    from vicechat_tui.core.services.access import DocumentAccess

ItemKind = Literal["document", "section", "more"]
TreeEdit = Literal[
    "new_section",
    "new_sibling",
    "rename",
    "delete",
    "cycle_status",
    "move_up",
    "move_down",
    "indent",
    "outdent",
]
STATUS_MARKERS = {"draft": "○", "review": "◐", "final": "●"}
RUNNING_MARKER = " ⟳"
NEEDS_SELECTION = {"new_section", "rename", "delete"}
VIEW_ONLY = "view"
"""A TreeItem's `level` for a document shared with one to read only."""


class ListedDocument(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def title(self) -> str: ...


class LevelLabel(Protocol):
    @property
    def label(self) -> str: ...


class ListedAccess(Protocol):
    """A listed document and one's level on it (`DocumentAccess`, or the start-up preview's)."""

    @property
    def document(self) -> ListedDocument: ...

    @property
    def level(self) -> LevelLabel: ...

    @property
    def owner(self) -> str: ...

    @property
    def shared_with_me(self) -> bool: ...


class DocumentLister(Protocol):
    async def count(self) -> int: ...

    async def list_access(
        self, *, offset: int = 0, limit: int | None = None
    ) -> Sequence[ListedAccess]: ...


class SectionLister(Protocol):
    async def children(
        self, document_id: int, parent_id: int | None = None
    ) -> Sequence[SectionSummary]: ...


class TreeSource(Protocol):
    """What the tree reads from (the core's document and section services)."""

    @property
    def documents(self) -> DocumentLister: ...

    @property
    def sections(self) -> SectionLister: ...


@dataclass
class TreeItem:
    """What a tree row stands for."""

    kind: ItemKind
    document_id: int
    section_id: int | None = None
    title: str = ""
    status: str = "draft"
    child_count: int = 0
    loaded: bool = False
    offset: int = 0
    owner: str | None = None
    """Who owns the document when it is someone else's (shared with one), else None."""
    level: str = "owner"
    """One's level on the document: owner, edit or view (see `services.access.Level`)."""

    @property
    def read_only(self) -> bool:
        return self.level == VIEW_ONLY

    @property
    def why_read_only(self) -> str | None:
        """Why this row's document cannot be changed here (None: it can)."""
        if not self.read_only:
            return None
        return f"{self.owner} shared this document with you to view only"


Node = TreeNode[TreeItem]


class DocumentTree(Tree[TreeItem]):
    """Documents and sections; Enter/space expand, the screen's keys edit."""

    PAGE_SIZE = 200
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "document-tree--draft",
        "document-tree--review",
        "document-tree--final",
        "document-tree--running",
        "document-tree--more",
        "document-tree--shared",
    }
    DEFAULT_CSS = """
    DocumentTree {
        & > .document-tree--draft { color: $text-muted; }
        & > .document-tree--review { color: $warning; }
        & > .document-tree--final { color: $success; }
        & > .document-tree--running { color: $accent; text-style: bold; }
        & > .document-tree--more { color: $text-muted; text-style: italic; }
        & > .document-tree--shared { color: $text-muted; }
        border-top: solid $panel;
        border-title-color: $text-muted;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "edit('new_section')", "New section", id="tree.new_section"),
        Binding("N", "edit('new_sibling')", "New sibling", show=False, id="tree.new_sibling"),
        Binding("r", "edit('rename')", "Rename", id="tree.rename"),
        Binding("delete", "edit('delete')", "Delete", id="tree.delete"),
        Binding("s", "edit('cycle_status')", "Status", id="tree.cycle_status"),
        Binding("alt+up,K", "edit('move_up')", "Move up", show=False, id="tree.move_up"),
        Binding("alt+down,J", "edit('move_down')", "Move down", show=False, id="tree.move_down"),
        Binding("greater_than_sign", "edit('indent')", "Indent", show=False, id="tree.indent"),
        Binding("less_than_sign", "edit('outdent')", "Outdent", show=False, id="tree.outdent"),
        Binding(
            "S", "share", "Share", tooltip="Who has access; share", show=False, id="tree.share"
        ),
        Binding(
            "ctrl+z",
            "undo",
            "Undo",
            tooltip="Undo the last tree edit (move, indent, status, rename, delete)",
            show=False,
            id="tree.undo",
        ),
    ]

    @dataclass
    class EditRequested(Message):
        """A tree key asked for `edit` on `node` (the screen asks, changes, reloads)."""

        edit: TreeEdit
        node: Node

    class UndoRequested(Message):
        """The undo key was pressed in the tree: take the last tree edit back."""

    @dataclass
    class ShareRequested(Message):
        """The share key was pressed on a document (or one of its sections)."""

        document_id: int

    running_sections: reactive[frozenset[int]] = reactive(frozenset, init=False)
    """Sections whose chat has a job running: marked with ⟳."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Documents", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.loaded = False
        self.document_total = 0
        self.source: TreeSource | None = None
        """Set by the screen once the core is open."""

    def show_user(self, user: str) -> None:
        """Say whose tree this is (in the top border): who one is to the database."""
        self.border_title = plain(f"you: {user}")

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

    # -- editing keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit_document":
            node = self.document_node()
            item = node.data if node is not None else None
            if item is None or self.source is None or item.read_only:
                return False
            return not (parameters and parameters[0] == "delete" and item.owner)
        if action == "share":
            item = self.selected_item if self.loaded and self.source is not None else None
            return item is not None and item.kind != "more"
        if action != "edit" or not parameters:
            return True
        edit = str(parameters[0])
        node = self.cursor_node if self.loaded else None
        item = node.data if node is not None else None
        if node is None or item is None or item.kind == "more" or self.source is None:
            return False
        if item.read_only or (edit == "delete" and item.kind == "document" and item.owner):
            return False  # shared to view; a shared document is deleted by its owner only
        if edit in NEEDS_SELECTION:
            return True
        if item.kind != "section" or node.parent is None:
            return False
        index = list(node.parent.children).index(node)
        if edit in ("move_up", "indent"):
            return index > 0
        if edit == "move_down":
            return index < len(node.parent.children) - 1
        if edit == "outdent":
            return node.parent.data is not None and node.parent.data.kind == "section"
        return True

    def action_undo(self) -> None:
        self.post_message(self.UndoRequested())

    def action_share(self) -> None:
        item = self.selected_item
        if item is not None and item.kind != "more":
            self.post_message(self.ShareRequested(item.document_id))

    def document_node(self) -> Node | None:
        """The document row the cursor is in (on it, or on one of its sections)."""
        node = self.cursor_node if self.loaded else None
        while node is not None and node.data is not None and node.data.kind == "section":
            node = node.parent
        if node is None or node.data is None or node.data.kind != "document":
            return None
        return node

    def action_edit_document(self, edit: TreeEdit) -> None:
        """`edit` the document the cursor is in, even when the cursor is on a section."""
        node = self.document_node()
        if node is not None:
            self.post_message(self.EditRequested(edit, node))

    def action_edit(self, edit: TreeEdit) -> None:
        node = self.cursor_node
        if node is not None and node.data is not None and node.data.kind != "more":
            self.post_message(self.EditRequested(edit, node))

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

    # -- looks -------------------------------------------------------------------------------

    def watch_running_sections(self, before: frozenset[int], now: frozenset[int]) -> None:
        for section_id in before ^ now:  # only the rows whose marker comes or goes
            self.redraw_section(section_id)

    def redraw_section(self, section_id: int | None) -> None:
        """Draw a section's row again now (its status or marker changed).

        The tree caches each row's drawing until the row itself changes; changing what a
        row's TreeItem says does not, so every such change goes through here.
        """
        node = self.find_section(section_id) if section_id is not None else None
        if node is not None:
            node.refresh()

    def render_label(self, node: Node, base_style: Style, style: Style) -> Text:
        item = node.data
        label = plain(item.title) if item is not None else self.process_label(node.label).copy()
        label.stylize(style)
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            prefix = Text(icon, style=base_style + Style(bold=True))
        else:
            prefix = Text("  " if item and item.kind == "section" else "", style=base_style)
        if item is None or item.kind != "section":
            if item is not None and item.kind == "more":
                label.stylize(self.get_component_rich_style("document-tree--more", partial=True))
            elif item is not None:
                label.stylize(Style(bold=True))
                if item.owner:  # someone else's, shared with one: say whose (and if to view)
                    shared = self.get_component_rich_style("document-tree--shared", partial=True)
                    said = plain(f" · {item.owner}" + (" · view" if item.read_only else ""))
                    said.stylize(shared)
                    return Text.assemble(prefix, label, said)
            return Text.assemble(prefix, label)
        marker_style = self.get_component_rich_style(f"document-tree--{item.status}", partial=True)
        parts = [
            prefix,
            Text(STATUS_MARKERS.get(item.status, "?") + " ", style=marker_style),
            label,
        ]
        if item.section_id in self.running_sections:
            running = self.get_component_rich_style("document-tree--running", partial=True)
            parts.append(Text(RUNNING_MARKER, style=running))
        return Text.assemble(*parts)
