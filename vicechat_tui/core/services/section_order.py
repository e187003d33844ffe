"""The order of sections among their siblings: who is under a parent, renumbering after a
change, and a section's live subtree. Shared by the section and trash services."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.models import Section
from vicechat_tui.core.services.access import live_section


def parent_clause(parent_id: int | None) -> ColumnElement[bool]:
    """The sections directly under `parent_id` (None: the top level)."""
    return (
        col(Section.parent_id).is_(None)
        if parent_id is None
        else col(Section.parent_id) == parent_id
    )


async def sibling_ids(db: AsyncSession, document_id: int, parent_id: int | None) -> list[int]:
    """The live sections under `parent_id` (None: top level), in order."""
    query = (
        select(col(Section.id))
        .where(col(Section.document_id) == document_id, parent_clause(parent_id), live_section())
        .order_by(col(Section.position), col(Section.id))
    )
    return [int(value) for value in (await db.execute(query)).scalars() if value is not None]


async def renumber(db: AsyncSession, ordered_ids: list[int]) -> None:
    """Positions 0, 1, 2… for `ordered_ids`, writing only the ones that change."""
    for position, sibling_id in enumerate(ordered_ids):
        await db.execute(
            update(Section)
            .where(col(Section.id) == sibling_id, col(Section.position) != position)
            .values(position=position)
        )


async def live_subtree(db: AsyncSession, section_id: int) -> list[int]:
    """`section_id` and every live section under it, level by level."""
    found = [section_id]
    level = [section_id]
    while level:
        query = select(col(Section.id)).where(col(Section.parent_id).in_(level), live_section())
        level = [int(value) for value in (await db.execute(query)).scalars() if value is not None]
        found.extend(level)
    return found
