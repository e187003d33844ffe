"""Creating sections: one at a place in the tree, or a whole tree of drafts (an import)
in a handful of round trips."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.database import Database
from vicechat_tui.core.models import (
    Section,
    SectionStatus,
    SectionVersion,
    VersionSource,
    utc_now,
)
from vicechat_tui.core.services.access import (
    Level,
    live_section,
    visible_document,
    visible_section,
)
from vicechat_tui.core.services.section_order import renumber, sibling_ids
from vicechat_tui.core.services.section_versions import version_of
from vicechat_tui.core.titles import clean_title


class SectionDraft(Protocol):
    """A section to create with its subsections (e.g. a parsed Markdown heading)."""

    @property
    def title(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def children(self) -> Sequence[SectionDraft]: ...


class SectionCreation:
    """The creating part of `SectionService` (which sets these attributes)."""

    _database: Database
    user: str

    async def create(
        self,
        document_id: int,
        title: str,
        *,
        parent_id: int | None = None,
        content: str = "",
        position: int | None = None,
    ) -> Section:
        """Add a section under `parent_id` (top level when None), at the end by default."""
        title = clean_title(title)
        async with self._database.session() as db:
            await visible_document(db, self.user, document_id, Level.EDIT)
            if parent_id is not None:
                await visible_section(db, self.user, parent_id, document_id)
            siblings = await sibling_ids(db, document_id, parent_id)
            index = len(siblings) if position is None else max(0, min(position, len(siblings)))
            section = Section(
                document_id=document_id,
                parent_id=parent_id,
                title=title,
                content=content,
                position=index,
            )
            db.add(section)
            await db.flush()
            assert section.id is not None
            siblings.insert(index, section.id)
            await renumber(db, siblings)
            db.add(version_of(section, VersionSource.CREATE, self.user))
            await db.commit()
            await db.refresh(section)
            return section

    async def create_tree(
        self, document_id: int, drafts: Sequence[SectionDraft], *, parent_id: int | None = None
    ) -> int:
        """Append a whole tree of sections in one transaction; returns how many were made.

        Inserts level by level: one executemany per level, then one query for the new ids
        by (parent, position), plus one executemany for the versions — so importing
        thousands of headings costs a handful of round trips. (INSERT … RETURNING would
        run row by row on SQLite: 2,000 headings took over a second.)
        """
        now = utc_now()
        async with self._database.session() as db:
            await visible_document(db, self.user, document_id, Level.EDIT)
            if parent_id is not None:
                await visible_section(db, self.user, parent_id, document_id)
            start = len(await sibling_ids(db, document_id, parent_id))
            level = [(draft, parent_id, start + index) for index, draft in enumerate(drafts)]
            versions: list[dict[str, object]] = []
            while level:
                rows = [
                    {
                        "document_id": document_id,
                        "parent_id": parent,
                        "position": position,
                        "title": clean_title(draft.title),
                        "content": draft.content,
                        "status": SectionStatus.DRAFT.value,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for draft, parent, position in level
                ]
                await db.execute(insert(Section), rows)
                places = [(parent, position) for _, parent, position in level]
                ids = await self._ids_at(db, document_id, places)
                versions.extend(
                    {
                        "section_id": section_id,
                        "version": 1,
                        "title": row["title"],
                        "content": row["content"],
                        "source": VersionSource.CREATE.value,
                        "created_by": self.user,
                        "created_at": now,
                    }
                    for section_id, row in zip(ids, rows, strict=True)
                )
                level = [
                    (child, section_id, index)
                    for (draft, _, _), section_id in zip(level, ids, strict=True)
                    for index, child in enumerate(draft.children)
                ]
            if versions:
                await db.execute(insert(SectionVersion), versions)
            await db.commit()
            return len(versions)

    async def _ids_at(
        self, db: AsyncSession, document_id: int, places: list[tuple[int | None, int]]
    ) -> list[int]:
        """The ids of the sections at these (parent, position) places, in the same order."""
        parents = sorted({parent for parent, _ in places if parent is not None})
        found: dict[tuple[int | None, int], int] = {}
        clauses = [
            col(Section.parent_id).in_(parents[i : i + 500]) for i in range(0, len(parents), 500)
        ]
        if any(parent is None for parent, _ in places):
            clauses.append(col(Section.parent_id).is_(None))
        for clause in clauses:
            query = select(col(Section.id), col(Section.parent_id), col(Section.position)).where(
                col(Section.document_id) == document_id, clause, live_section()
            )
            found.update(
                ((parent, position), section_id)
                for section_id, parent, position in await db.execute(query)
                if section_id is not None
            )
        return [found[place] for place in places]
