"""The remembered section, read with the standard library for the first screen.

A start that reopens where the person left off needs the section's text and the tree rows
down to it, not the ORM (benchmarks/RESULTS.md, figure 9). `read_place` reads them on the
connection `tree_preview` opened, with the services' visibility: the document is the
person's or shared with them, neither it nor the section is in the trash
(`access.checked`); the rows of each level are `SectionService.children`'s, in its order.
Anything it cannot vouch for gives None, and the core reads the place instead.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from vicechat_tui.core.section_rows import SectionSummary

_SECTION = """
SELECT section.id, section.document_id, section.parent_id, section.title, section.content,
       section.version, section.status
FROM section
JOIN document ON document.id = section.document_id
LEFT JOIN document_share AS share ON share.document_id = document.id AND share.user = :user
WHERE section.id = :section AND section.document_id = :document
  AND section.trashed_at IS NULL AND document.trashed_at IS NULL
  AND (document.owner = :user OR share.user IS NOT NULL)
"""
_PARENT = "SELECT parent_id FROM section WHERE id = :id AND trashed_at IS NULL"
_CHILDREN = """
SELECT section.id, section.parent_id, section.position, section.title, section.status,
       (SELECT count(*) FROM section AS child
        WHERE child.parent_id = section.id AND child.trashed_at IS NULL)
FROM section
WHERE section.document_id = :document AND section.parent_id IS :parent
  AND section.trashed_at IS NULL
ORDER BY section.position, section.id
"""
MAX_DEPTH = 64
"""Deeper than any tree a person builds; a longer parent chain is a damaged file."""


@dataclass(frozen=True, slots=True)
class PreviewSection:
    """What the editor shows of a section (the fields of `models.Section` it reads)."""

    id: int
    document_id: int
    parent_id: int | None
    title: str
    content: str
    version: int
    status: str


@dataclass(frozen=True, slots=True)
class PlacePreview:
    """The remembered section and the tree's rows on the way down to it."""

    section: PreviewSection
    path: list[int]
    """The section's ancestors from the top level down, then the section itself."""
    levels: dict[int | None, list[SectionSummary]]
    """The children of the document (key None) and of each ancestor, as the tree lists them."""

    def children(self, document_id: int, parent_id: int | None) -> list[SectionSummary] | None:
        """The rows of one level, if this preview read it."""
        if document_id != self.section.document_id:
            return None
        return self.levels.get(parent_id)


def read_place(
    connection: sqlite3.Connection, user: str, document_id: int, section_id: int
) -> PlacePreview | None:
    """Section `section_id` of `document_id` as `user` may see it, with the rows down to it;
    None when it is not there for them (deleted, in the trash, no longer shared)."""
    names = {"user": user, "document": document_id, "section": section_id}
    found = connection.execute(_SECTION, names).fetchone()
    if found is None:
        return None
    identifier, document, parent_id, title, content, version, status = found
    section = PreviewSection(identifier, document, parent_id, title, content, version, status)
    path = [section_id]
    while parent_id is not None:
        row = connection.execute(_PARENT, {"id": parent_id}).fetchone()
        if row is None or len(path) > MAX_DEPTH:
            return None  # an ancestor in the trash hides the section; a loop is damage
        path.insert(0, parent_id)
        parent_id = row[0]
    levels: dict[int | None, list[SectionSummary]] = {}
    for parent in [None, *path[:-1]]:
        rows = connection.execute(_CHILDREN, {"document": document_id, "parent": parent})
        levels[parent] = [
            SectionSummary(row_id, document_id, row_parent, position, row_title, row_status, n)
            for row_id, row_parent, position, row_title, row_status, n in rows
        ]
    return PlacePreview(section, path, levels)
