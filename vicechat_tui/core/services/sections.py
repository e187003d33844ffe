"""Sections: a nested, ordered tree per document, with versioned content.

Versions are kept at meaningful moments, not at every autosave: a save is a checkpoint
(a new version) unless the caller says it is an autosave. Autosaves of one person go into
one version, updated in place, until a checkpoint or `AUTOSAVE_SPAN` after it began; so a
5 MB section typed in for an hour holds a handful of copies, not one per pause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Protocol

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import EditConflictError, InvalidInputError, VersionNotFoundError
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
    visible,
    visible_document,
    visible_section,
)
from vicechat_tui.core.titles import clean_title

AUTOSAVE_SPAN = timedelta(minutes=10)
"""How long autosaves go on updating the version the first of them made."""


@dataclass(frozen=True, slots=True)
class SectionSummary:
    """A section without its content: what a tree row needs."""

    id: int
    document_id: int
    parent_id: int | None
    position: int
    title: str
    status: str
    child_count: int


@dataclass(frozen=True, slots=True)
class KeptChanges:
    """A version saved from a review: `kept` of its `total` changes were kept."""

    kept: int
    total: int


@dataclass(slots=True)
class SectionNode:
    section: Section
    children: list[SectionNode] = field(default_factory=list)


def _parent_clause(parent_id: int | None) -> ColumnElement[bool]:
    return (
        col(Section.parent_id).is_(None)
        if parent_id is None
        else col(Section.parent_id) == parent_id
    )


async def sibling_ids(db: AsyncSession, document_id: int, parent_id: int | None) -> list[int]:
    """The live sections under `parent_id` (None: top level), in order."""
    query = (
        select(col(Section.id))
        .where(col(Section.document_id) == document_id, _parent_clause(parent_id), live_section())
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


class SectionDraft(Protocol):
    """A section to create with its subsections (e.g. a parsed Markdown heading)."""

    @property
    def title(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def children(self) -> Sequence[SectionDraft]: ...


class SectionService:
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
                    _parent_clause(parent_id),
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

    async def versions(self, section_id: int) -> list[SectionVersion]:
        """Every saved version, newest first."""
        async with self._database.session() as db:
            await visible_section(db, self.user, section_id)
            query = (
                select(SectionVersion)
                .where(col(SectionVersion.section_id) == section_id)
                .order_by(col(SectionVersion.version).desc(), col(SectionVersion.id).desc())
            )
            return list((await db.execute(query)).scalars())

    # -- creating and editing --------------------------------------------------------------

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
            db.add(self._snapshot(section, VersionSource.CREATE))
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

    async def save_content(
        self,
        section_id: int,
        content: str,
        *,
        based_on_version: int,
        source: VersionSource = VersionSource.EDIT,
        checkpoint: bool = True,
        reviewed: KeptChanges | None = None,
    ) -> Section:
        """Save new content if the section is still at `based_on_version`; else conflict.

        The check and the write are one atomic UPDATE, and the section's version number
        goes up by one on every save. A checkpoint records a new SectionVersion; an edit
        saved with `checkpoint=False` (an autosave) updates the newest version instead when
        that is this person's autosave begun less than `AUTOSAVE_SPAN` ago, else it records
        a new version marked "autosave". Applied replies and restores are always checkpoints.
        A save from the review screen says how many of its changes were kept (`reviewed`).
        """
        autosave = not checkpoint and source == VersionSource.EDIT
        async with self._database.session() as db:
            await visible_section(db, self.user, section_id, need=Level.EDIT)
            result = await db.execute(
                update(Section)
                .where(col(Section.id) == section_id, col(Section.version) == based_on_version)
                .values(content=content, version=based_on_version + 1, updated_at=utc_now())
            )
            if getattr(result, "rowcount", 0) == 0:
                await db.rollback()
                current = await visible_section(db, self.user, section_id)
                raise EditConflictError(
                    section_id,
                    based_on_version=based_on_version,
                    current_version=current.version,
                    current_title=current.title,
                    current_content=current.content,
                )
            section = await db.get(Section, section_id, populate_existing=True)
            assert section is not None
            if not (autosave and await self._update_autosave(db, section)):
                version = self._snapshot(section, VersionSource.AUTOSAVE if autosave else source)
                if reviewed is not None:
                    version.changes_kept, version.changes_total = reviewed.kept, reviewed.total
                db.add(version)
            await db.commit()
            await db.refresh(section)
            return section

    async def checkpoint(self, section_id: int) -> bool:
        """Make the section's newest version, if it is this person's autosave, a checkpoint:
        later autosaves start a version of their own. True when there was one to keep."""
        async with self._database.session() as db:
            await visible_section(db, self.user, section_id, need=Level.EDIT)
            newest = await self._newest_version(db, section_id)
            if not self._is_own_autosave(newest):
                return False
            assert newest is not None
            newest.source = VersionSource.EDIT.value
            await db.commit()
            return True

    async def _newest_version(self, db: AsyncSession, section_id: int) -> SectionVersion | None:
        query = (
            select(SectionVersion)
            .where(col(SectionVersion.section_id) == section_id)
            .order_by(col(SectionVersion.version).desc(), col(SectionVersion.id).desc())
            .limit(1)
        )
        return (await db.execute(query)).scalar_one_or_none()

    def _is_own_autosave(self, version: SectionVersion | None) -> bool:
        return (
            version is not None
            and version.source == VersionSource.AUTOSAVE.value
            and version.created_by == self.user
        )

    async def _update_autosave(self, db: AsyncSession, section: Section) -> bool:
        """Put the section's new content into its newest version if that is a recent autosave
        of this person's (see `save_content`); False when a new version is needed."""
        assert section.id is not None
        newest = await self._newest_version(db, section.id)
        if not self._is_own_autosave(newest):
            return False
        assert newest is not None
        begun = newest.created_at
        if begun.tzinfo is None:  # SQLite gives back the UTC time without its zone
            begun = begun.replace(tzinfo=UTC)
        if utc_now() - begun >= AUTOSAVE_SPAN:
            return False
        newest.version = section.version
        newest.title = section.title
        newest.content = section.content
        return True

    async def version(self, section_id: int, number: int) -> SectionVersion:
        """The section's version numbered `number` (the newest row of that number)."""
        async with self._database.session() as db:
            await visible_section(db, self.user, section_id)
            query = (
                select(SectionVersion)
                .where(
                    col(SectionVersion.section_id) == section_id,
                    col(SectionVersion.version) == number,
                )
                .order_by(col(SectionVersion.id).desc())
                .limit(1)
            )
            found = (await db.execute(query)).scalar_one_or_none()
        if found is None:
            raise InvalidInputError(
                f"Section {section_id} has no version {number}; "
                "'vicechat versions' lists the ones it has."
            )
        return found

    async def restore(self, section_id: int, version_id: int, *, based_on_version: int) -> Section:
        """Make an old version's content current again, as a new version."""
        async with self._database.session() as db:
            old = await visible(
                db, self.user, SectionVersion, version_id, Level.EDIT, action="restore it"
            )
            if old.section_id != section_id:
                raise VersionNotFoundError(version_id)
        return await self.save_content(
            section_id,
            old.content,
            based_on_version=based_on_version,
            source=VersionSource.RESTORE,
        )

    def _snapshot(self, section: Section, source: VersionSource) -> SectionVersion:
        assert section.id is not None
        return SectionVersion(
            section_id=section.id,
            version=section.version,
            title=section.title,
            content=section.content,
            source=source.value,
            created_by=self.user,
        )

    # -- moving ----------------------------------------------------------------------------

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

    async def _changeable(self, section_id: int) -> Section:
        async with self._database.session() as db:
            return await visible_section(db, self.user, section_id, need=Level.EDIT)

    async def shift(self, section_id: int, delta: int) -> Section:
        """Move a section `delta` places among its siblings (negative: up)."""
        section = await self._changeable(section_id)
        return await self.move(
            section_id, parent_id=section.parent_id, position=max(0, section.position + delta)
        )

    async def indent(self, section_id: int) -> Section:
        """Nest a section as the last child of the sibling above it."""
        section = await self._changeable(section_id)
        async with self._database.session() as db:
            siblings = await sibling_ids(db, section.document_id, section.parent_id)
        index = siblings.index(section_id)
        if index == 0:
            raise InvalidInputError("There is no section above to nest this one under.")
        return await self.move(section_id, parent_id=siblings[index - 1])

    async def outdent(self, section_id: int) -> Section:
        """Move a nested section out to just after its parent."""
        section = await self._changeable(section_id)
        if section.parent_id is None:
            raise InvalidInputError("This section is already at the top level.")
        parent = await self.get(section.parent_id)
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
