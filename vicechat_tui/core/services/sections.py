"""Sections: a nested, ordered tree per document, with versioned content.

`SectionService` is one service made of parts, each in its own module: reading the tree
and editing a section's title and status (here), creating sections
(`section_creation`), saving content and its versions (`section_versions`) and moving
sections in the tree (`section_moves`); the order among siblings is `section_order`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import col

from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.models import Section, SectionStatus, utc_now
from vicechat_tui.core.section_rows import SectionSummary
from vicechat_tui.core.services.access import (
    Level,
    live_section,
    visible_document,
    visible_section,
)
from vicechat_tui.core.services.section_creation import SectionCreation
from vicechat_tui.core.services.section_moves import SectionMoves
from vicechat_tui.core.services.section_order import parent_clause
from vicechat_tui.core.services.section_versions import SectionVersions
from vicechat_tui.core.titles import clean_title


@dataclass(slots=True)
class SectionNode:
    section: Section
    children: list[SectionNode] = field(default_factory=list)


class SectionService(SectionCreation, SectionVersions, SectionMoves):
    """One person's sections; the methods of its parts are listed in their modules."""

    def __init__(self, database: Database, user: str) -> None:
        self._database = database
        self.user = user

    # -- reading ---------------------------------------------------------------------------

    async def get(self, section_id: int, *, document_id: int | None = None) -> Section:
        async with self._database.session() as db:
            return await visible_section(db, self.user, section_id, document_id)

    async def children(
        self, document_id: int, parent_id: int | None = None
    ) -> list[SectionSummary]:
        """One level of the tree, in order, with each row's number of children."""
        async with self._database.session() as db:
            await visible_document(db, self.user, document_id)
            child = Section.__table__.alias("child")  # type: ignore[attr-defined]
            counts = (
                select(func.count())
                .where(child.c.parent_id == col(Section.id), child.c.trashed_at.is_(None))
                .scalar_subquery()
            )
            query = (
                select(
                    col(Section.id),
                    col(Section.parent_id),
                    col(Section.position),
                    col(Section.title),
                    col(Section.status),
                    counts,
                )
                .where(
                    col(Section.document_id) == document_id,
                    parent_clause(parent_id),
                    live_section(),
                )
                .order_by(col(Section.position), col(Section.id))
            )
            rows = (await db.execute(query)).all()
        return [
            SectionSummary(row[0], document_id, row[1], row[2], row[3], row[4], int(row[5]))
            for row in rows
        ]

    async def tree(self, document_id: int) -> list[SectionNode]:
        """The whole tree of a document, with content (for export and outlines)."""
        async with self._database.session() as db:
            await visible_document(db, self.user, document_id)
            rows = (
                await db.execute(
                    select(Section)
                    .where(col(Section.document_id) == document_id, live_section())
                    .order_by(col(Section.position), col(Section.id))
                )
            ).scalars()
            nodes = {section.id: SectionNode(section) for section in rows}
        roots: list[SectionNode] = []
        for node in nodes.values():
            parent = nodes.get(node.section.parent_id) if node.section.parent_id else None
            (parent.children if parent else roots).append(node)
        return roots

    async def outline(self, document_id: int) -> list[tuple[int, str]]:
        """(depth, title) for every section in reading order."""
        result: list[tuple[int, str]] = []

        def walk(nodes: list[SectionNode], depth: int) -> None:
            for node in nodes:
                result.append((depth, node.section.title))
                walk(node.children, depth + 1)

        walk(await self.tree(document_id), 0)
        return result

    # -- editing a section's title and status ----------------------------------------------

    async def rename(self, section_id: int, title: str) -> Section:
        async with self._database.session() as db:
            section = await visible_section(db, self.user, section_id, need=Level.EDIT)
            section.title = clean_title(title)
            section.updated_at = utc_now()
            await db.commit()
            await db.refresh(section)
            return section

    async def set_status(self, section_id: int, status: str) -> Section:
        try:
            value = SectionStatus(status).value
        except ValueError:
            allowed = ", ".join(s.value for s in SectionStatus)
            raise InvalidInputError(f"Unknown status {status!r}; use one of {allowed}.") from None
        async with self._database.session() as db:
            section = await visible_section(db, self.user, section_id, need=Level.EDIT)
            section.status = value
            section.updated_at = utc_now()
            await db.commit()
            await db.refresh(section)
            return section
