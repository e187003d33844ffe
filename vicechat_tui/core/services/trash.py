"""The trash: deleted documents and sections, kept hidden until restored or purged.

`DocumentService.delete` and `SectionService.delete` are the one way into the trash (the UI,
the CLI and anything scripted call them); they mark the rows (`trashed_at`, `trashed_by`,
and for a section's subtree `trashed_with`) and every read path of `services.access` then
treats them as missing. This service lists what is there, puts it back, and deletes it for
good — by hand, or after `KEPT_FOR` on its own (`purge_expired`).

Who may: a document's owner restores or purges it (as only they delete it); whoever may
edit a document restores or purges its sections. The trash lists exactly that.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.models import Document, Section, utc_now
from vicechat_tui.core.services.access import (
    Level,
    checked,
    editable_by,
    live_document,
)
from vicechat_tui.core.services.section_order import renumber, sibling_ids

KEPT_FOR = timedelta(days=30)
"""How long a deleted document or section stays in the trash before it is purged."""

TrashKind = Literal["document", "section"]


@dataclass(frozen=True, slots=True)
class TrashedItem:
    """One thing in the trash: a document, or a section with the subsections it took."""

    kind: TrashKind
    id: int
    document_id: int
    title: str
    document_title: str
    trashed_at: datetime
    trashed_by: str
    sections: int
    """How many sections went with it (a section counts itself)."""

    @property
    def key(self) -> str:
        """How the CLI names it: d12 for document 12, s34 for section 34."""
        return f"{self.kind[0]}{self.id}"


def parse_trash_key(text: str) -> tuple[TrashKind, int]:
    """("document", 12) for "d12", ("section", 34) for "s34"; InvalidInputError otherwise."""
    cleaned = text.strip().lower()
    kinds: dict[str, TrashKind] = {"d": "document", "s": "section"}
    if len(cleaned) > 1 and cleaned[0] in kinds and cleaned[1:].isdigit():
        return kinds[cleaned[0]], int(cleaned[1:])
    raise InvalidInputError(
        f"{text!r} names nothing in the trash: use the id 'vicechat trash list' shows, "
        "like d12 (a document) or s34 (a section)."
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class TrashService:
    """Deleted documents and sections this user may restore or purge."""

    def __init__(self, database: Database, user: str) -> None:
        self._database = database
        self.user = user

    async def list(self) -> builtins.list[TrashedItem]:
        """Everything in this user's trash, most recently deleted first."""
        async with self._database.session() as db:
            items = await self._documents(db) + await self._sections(db)
        return sorted(items, key=lambda item: (_aware(item.trashed_at), item.id), reverse=True)

    async def _documents(self, db: AsyncSession) -> builtins.list[TrashedItem]:
        counts = (
            select(func.count())
            .where(col(Section.document_id) == col(Document.id))
            .scalar_subquery()
        )
        query = select(Document, counts).where(
            col(Document.owner) == self.user, col(Document.trashed_at).is_not(None)
        )
        found = []
        for document, count in (await db.execute(query)).all():
            assert document.id is not None and document.trashed_at is not None
            found.append(
                TrashedItem(
                    "document",
                    document.id,
                    document.id,
                    document.title,
                    document.title,
                    document.trashed_at,
                    document.trashed_by or document.owner,
                    int(count),
                )
            )
        return found

    async def _sections(self, db: AsyncSession) -> builtins.list[TrashedItem]:
        taken = Section.__table__.alias("taken")  # type: ignore[attr-defined]
        counts = (
            select(func.count()).where(taken.c.trashed_with == col(Section.id)).scalar_subquery()
        )
        query = (
            select(Section, col(Document.title), counts)
            .join(Document, col(Document.id) == col(Section.document_id))
            .where(
                col(Section.trashed_with) == col(Section.id),
                editable_by(self.user),
                live_document(),
            )
        )
        found = []
        for section, document_title, count in (await db.execute(query)).all():
            assert section.id is not None and section.trashed_at is not None
            found.append(
                TrashedItem(
                    "section",
                    section.id,
                    section.document_id,
                    section.title,
                    str(document_title),
                    section.trashed_at,
                    section.trashed_by or "",
                    int(count),
                )
            )
        return found

    # -- restoring ---------------------------------------------------------------------------

    async def restore_document(self, document_id: int) -> Document:
        """Take a document out of the trash, with its sections as they were (owner only)."""
        async with self._database.session() as db:
            document = await self._trashed_document(db, document_id, "restore it")
            document.trashed_at = None
            document.trashed_by = None
            await db.commit()
            await db.refresh(document)
            return document

    async def restore_section(self, section_id: int) -> Section:
        """Put a deleted section back where it was, with the subsections it took along."""
        async with self._database.session() as db:
            section = await self._trashed_section(db, section_id, "restore it")
            if section.parent_id is not None:
                parent = await db.get(Section, section.parent_id)
                if parent is not None and parent.trashed_at is not None:
                    raise InvalidInputError(
                        f"Section {section_id} was inside “{parent.title}”, which is in the "
                        "trash too: restore that one first."
                    )
            siblings = await sibling_ids(db, section.document_id, section.parent_id)
            siblings.insert(min(section.position, len(siblings)), section_id)
            await db.execute(
                update(Section)
                .where(col(Section.trashed_with) == section_id)
                .values(trashed_at=None, trashed_by=None, trashed_with=None)
            )
            await renumber(db, siblings)
            await db.commit()
            await db.refresh(section)
            return section

    # -- purging -----------------------------------------------------------------------------

    async def purge_document(self, document_id: int) -> None:
        """Delete a document in the trash for good (owner only): it cannot come back."""
        async with self._database.session() as db:
            document = await self._trashed_document(db, document_id, "delete it for good")
            await db.delete(document)
            await db.commit()

    async def purge_section(self, section_id: int) -> None:
        """Delete a section in the trash for good, with what it took along."""
        async with self._database.session() as db:
            await self._trashed_section(db, section_id, "delete it for good")
            await db.execute(delete(Section).where(col(Section.trashed_with) == section_id))
            await db.execute(delete(Section).where(col(Section.id) == section_id))
            await db.commit()

    async def purge_all(
        self, *, older_than: timedelta | None = None, now: datetime | None = None
    ) -> int:
        """Delete for good everything in the trash (or only what was deleted longer than
        `older_than` before `now`); returns how many documents and sections went."""
        now = now or utc_now()
        purged = 0
        for item in await self.list():
            if older_than is not None and now - _aware(item.trashed_at) < older_than:
                continue
            if item.kind == "document":
                await self.purge_document(item.id)
            else:
                await self.purge_section(item.id)
            purged += 1
        return purged

    async def purge_expired(self, *, now: datetime | None = None) -> int:
        """Purge what has been in the trash longer than `KEPT_FOR` (writes only if any)."""
        return await self.purge_all(older_than=KEPT_FOR, now=now)

    # -- finding -----------------------------------------------------------------------------

    async def _trashed_document(self, db: AsyncSession, document_id: int, doing: str) -> Document:
        document, _ = await checked(
            db, self.user, Document, document_id, Level.OWNER, action=doing, in_trash=True
        )
        if document.trashed_at is None:
            raise InvalidInputError(f"Document {document_id} is not in the trash.")
        return document

    async def _trashed_section(self, db: AsyncSession, section_id: int, doing: str) -> Section:
        section: Any
        section, access = await checked(
            db, self.user, Section, section_id, Level.EDIT, action=doing, in_trash=True
        )
        if access.document.trashed_at is not None:
            raise InvalidInputError(
                f"Section {section_id} belongs to document {access.document.id}, which is in "
                "the trash: restore or purge the document."
            )
        if section.trashed_at is None:
            raise InvalidInputError(f"Section {section_id} is not in the trash.")
        if section.trashed_with != section.id:
            raise InvalidInputError(
                f"Section {section_id} went to the trash with section {section.trashed_with}: "
                "restore or purge that one."
            )
        assert isinstance(section, Section)
        return section
