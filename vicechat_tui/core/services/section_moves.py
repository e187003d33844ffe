"""Moving sections in a document's tree: to another parent or place, up and down among
their siblings, in and out a level, and to the trash with everything under them."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.models import Section, utc_now
from vicechat_tui.core.services.access import Level, visible_section
from vicechat_tui.core.services.section_order import live_subtree, renumber, sibling_ids


class SectionMoves:
    """The tree-moving part of `SectionService` (which sets these attributes)."""

    _database: Database
    user: str

    async def move(
        self, section_id: int, *, parent_id: int | None, position: int | None = None
    ) -> Section:
        """Put a section under `parent_id` (None: top level) at `position` (None: last)."""
        async with self._database.session() as db:
            section = await visible_section(db, self.user, section_id, need=Level.EDIT)
            if parent_id is not None:
                await visible_section(db, self.user, parent_id, section.document_id)
                await self._refuse_cycle(db, section_id, parent_id)
            old_siblings = await sibling_ids(db, section.document_id, section.parent_id)
            old_siblings.remove(section_id)
            await renumber(db, old_siblings)
            new_siblings = await sibling_ids(db, section.document_id, parent_id)
            if section_id in new_siblings:
                new_siblings.remove(section_id)
            index = (
                len(new_siblings) if position is None else max(0, min(position, len(new_siblings)))
            )
            new_siblings.insert(index, section_id)
            section.parent_id = parent_id
            section.updated_at = utc_now()
            await db.flush()
            await renumber(db, new_siblings)
            await db.commit()
            await db.refresh(section)
            return section

    async def _visible(self, section_id: int, need: Level = Level.VIEW) -> Section:
        async with self._database.session() as db:
            return await visible_section(db, self.user, section_id, need=need)

    async def shift(self, section_id: int, delta: int) -> Section:
        """Move a section `delta` places among its siblings (negative: up)."""
        section = await self._visible(section_id, Level.EDIT)
        return await self.move(
            section_id, parent_id=section.parent_id, position=max(0, section.position + delta)
        )

    async def indent(self, section_id: int) -> Section:
        """Nest a section as the last child of the sibling above it."""
        section = await self._visible(section_id, Level.EDIT)
        async with self._database.session() as db:
            siblings = await sibling_ids(db, section.document_id, section.parent_id)
        index = siblings.index(section_id)
        if index == 0:
            raise InvalidInputError("There is no section above to nest this one under.")
        return await self.move(section_id, parent_id=siblings[index - 1])

    async def outdent(self, section_id: int) -> Section:
        """Move a nested section out to just after its parent."""
        section = await self._visible(section_id, Level.EDIT)
        if section.parent_id is None:
            raise InvalidInputError("This section is already at the top level.")
        parent = await self._visible(section.parent_id)
        return await self.move(section_id, parent_id=parent.parent_id, position=parent.position + 1)

    async def delete(self, section_id: int) -> list[int]:
        """Move a section with its children, versions and chats to the trash: hidden
        everywhere, restored or purged through `services.trash`. Returns the ids of the
        sections that went (the section first, then its subsections)."""
        async with self._database.session() as db:
            section = await visible_section(db, self.user, section_id, need=Level.EDIT)
            document_id, parent_id = section.document_id, section.parent_id
            taken = await live_subtree(db, section_id)
            await db.execute(
                update(Section)
                .where(col(Section.id).in_(taken))
                .values(trashed_at=utc_now(), trashed_by=self.user, trashed_with=section_id)
            )
            await renumber(db, await sibling_ids(db, document_id, parent_id))
            await db.commit()
            return taken

    async def _refuse_cycle(self, db: AsyncSession, section_id: int, parent_id: int) -> None:
        current: int | None = parent_id
        while current is not None:
            if current == section_id:
                raise InvalidInputError("A section cannot be moved inside itself.")
            current = (
                await db.execute(select(col(Section.parent_id)).where(col(Section.id) == current))
            ).scalar_one_or_none()
