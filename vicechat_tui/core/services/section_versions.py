"""A section's content saves and its versions: checkpoints, autosaves kept in one version,
reading old versions and restoring one.

Versions are kept at meaningful moments, not at every autosave: a save is a checkpoint
(a new version) unless the caller says it is an autosave. Autosaves of one person go into
one version, updated in place, until a checkpoint or `AUTOSAVE_SPAN` after it began; so a
5 MB section typed in for an hour holds a handful of copies, not one per pause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import EditConflictError, InvalidInputError, VersionNotFoundError
from vicechat_tui.core.models import Section, SectionVersion, VersionSource, utc_now
from vicechat_tui.core.services.access import Level, visible, visible_section

AUTOSAVE_SPAN = timedelta(minutes=10)
"""How long autosaves go on updating the version the first of them made."""


@dataclass(frozen=True, slots=True)
class KeptChanges:
    """A version saved from a review: `kept` of its `total` changes were kept."""

    kept: int
    total: int


def version_of(section: Section, source: VersionSource, user: str) -> SectionVersion:
    """A new version row holding the section's current title and content."""
    assert section.id is not None
    return SectionVersion(
        section_id=section.id,
        version=section.version,
        title=section.title,
        content=section.content,
        source=source.value,
        created_by=user,
    )


class SectionVersions:
    """The saving and versions part of `SectionService` (which sets these attributes)."""

    _database: Database
    user: str

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
                version = version_of(
                    section, VersionSource.AUTOSAVE if autosave else source, self.user
                )
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
