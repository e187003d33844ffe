"""What the document tree's rows stand for (`TreeItem`), the edits its keys ask for
(`TreeEdit`), and what it reads its rows from (`TreeSource`: the core, or the start-up
preview, as protocols so the widget never imports either)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from textual.widgets.tree import TreeNode

if TYPE_CHECKING:
    from vicechat_tui.core.section_rows import SectionSummary

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
