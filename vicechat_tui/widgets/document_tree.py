"""The document tree: documents, then their nested sections, loaded lazily.

Documents come in pages (a "more" row loads the next one); a node's sections are read with
`sections.children` the first time it is expanded, so thousands of documents open at once.
The tree only reads, through the `TreeSource` the screen gives it; its editing keys post
`EditRequested` and the screen makes the change, then asks the tree to reload a node.

Reading and finding rows is `TreeLoading` (tree_loading), which `DocumentTree` extends; what
a row stands for and where rows come from are `TreeItem` and `TreeSource` (tree_items). This
module keeps the editing keys, their messages, and how a row is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive

from vicechat_tui.widgets.component_style import component_style
from vicechat_tui.widgets.safe_text import plain
from vicechat_tui.widgets.tree_items import Node, TreeEdit
from vicechat_tui.widgets.tree_loading import TreeLoading

STATUS_MARKERS = {"draft": "○", "review": "◐", "final": "●"}
RUNNING_MARKER = " ⟳"
NEEDS_SELECTION = {"new_section", "rename", "delete"}


class DocumentTree(TreeLoading):
    """Documents and sections; Enter/space expand, the screen's keys edit."""

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

    def show_user(self, user: str) -> None:
        """Say whose tree this is (in the top border): who one is to the database."""
        self.border_title = plain(f"you: {user}")

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
                label.stylize(component_style(self, "document-tree--more"))
            elif item is not None:
                label.stylize(Style(bold=True))
                if item.owner:  # someone else's, shared with one: say whose (and if to view)
                    shared = component_style(self, "document-tree--shared")
                    said = plain(f" · {item.owner}" + (" · view" if item.read_only else ""))
                    said.stylize(shared)
                    return Text.assemble(prefix, label, said)
            return Text.assemble(prefix, label)
        marker_style = component_style(self, f"document-tree--{item.status}")
        parts = [
            prefix,
            Text(STATUS_MARKERS.get(item.status, "?") + " ", style=marker_style),
            label,
        ]
        if item.section_id in self.running_sections:
            running = component_style(self, "document-tree--running")
            parts.append(Text(RUNNING_MARKER, style=running))
        return Text.assemble(*parts)
