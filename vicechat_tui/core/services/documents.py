"""Documents: create, rename, describe, delete, list, share."""

from __future__ import annotations

import builtins
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, or_, select, text
from sqlmodel import col

from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.models import Document, DocumentShare, ShareLevel, utc_now
from vicechat_tui.core.services.access import (
    DocumentAccess,
    Level,
    document_access,
    level_of,
    live_document,
    visible_document,
    visible_to,
)
from vicechat_tui.core.titles import clean_title

MAX_USER_NAME = 63
"""PostgreSQL's limit for a role name (longer names are cut there, silently)."""


@dataclass(frozen=True, slots=True)
class Share:
    """Who a document is shared with, and how."""

    user: str
    level: str


def clean_user_name(name: str) -> str:
    """A user name as given, or InvalidInputError: empty, too long, spaces or controls."""
    name = name.strip()
    if not name:
        raise InvalidInputError("Name the user to share the document with.")
    if len(name) > MAX_USER_NAME:
        raise InvalidInputError(f"A user name has at most {MAX_USER_NAME} characters.")
    if any(char.isspace() or unicodedata.category(char)[0] in "CZ" for char in name):
        raise InvalidInputError(
            "A user name cannot hold spaces or control characters; give the name they log in with."
        )
    return name


def share_level(level: str) -> ShareLevel:
    try:
        return ShareLevel(level)
    except ValueError:
        raise InvalidInputError(
            f"Unknown share level {level!r}: use 'view' (read only) or 'edit'."
        ) from None


class DocumentService:
    """Documents visible to one user (their own and those shared with them)."""

    def __init__(self, database: Database, user: str) -> None:
        self._database = database
        self.user = user

    async def create(
        self, title: str, *, description: str = "", tags: Sequence[str] = ()
    ) -> Document:
        document = Document(
            title=clean_title(title), description=description, owner=self.user, tags=list(tags)
        )
        async with self._database.session() as db:
            db.add(document)
            await db.commit()
            await db.refresh(document)
        return document

    async def get(self, document_id: int) -> Document:
        async with self._database.session() as db:
            return await visible_document(db, self.user, document_id)

    async def access(self, document_id: int) -> DocumentAccess:
        """The document and what this user may do with it (view, edit or own)."""
        async with self._database.session() as db:
            return await document_access(db, self.user, document_id)

    async def list(self, *, offset: int = 0, limit: int | None = None) -> list[Document]:
        """Visible documents, most recently updated first."""
        return [entry.document for entry in await self.list_access(offset=offset, limit=limit)]

    async def list_access(
        self, *, offset: int = 0, limit: int | None = None
    ) -> builtins.list[DocumentAccess]:
        """Visible documents with this user's level on each, most recently updated first."""
        mine = and_(
            col(DocumentShare.document_id) == col(Document.id),
            col(DocumentShare.user) == self.user,
        )
        query = (
            select(Document, col(DocumentShare.level))
            .outerjoin(DocumentShare, mine)
            .where(or_(col(Document.owner) == self.user, col(DocumentShare.user).is_not(None)))
            .where(live_document())
            .order_by(col(Document.updated_at).desc(), col(Document.id).desc())
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        async with self._database.session() as db:
            rows = (await db.execute(query)).all()
        listed = []
        for document, level in rows:
            found = level_of(document, level, self.user)
            if found is not None:
                listed.append(DocumentAccess(document, found))
        return listed

    async def count(self) -> int:
        async with self._database.session() as db:
            query = select(func.count()).select_from(Document).where(visible_to(self.user))
            return int((await db.execute(query)).scalar_one())

    async def rename(self, document_id: int, title: str) -> Document:
        return await self.update(document_id, title=title)

    async def update(
        self,
        document_id: int,
        *,
        title: str | None = None,
        description: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> Document:
        """Change the title, description or tags (the owner and `edit` shares may)."""
        async with self._database.session() as db:
            document = await visible_document(
                db, self.user, document_id, Level.EDIT, action="rename it"
            )
            if title is not None:
                document.title = clean_title(title)
            if description is not None:
                document.description = description
            if tags is not None:
                document.tags = list(tags)
            document.updated_at = utc_now()
            await db.commit()
            await db.refresh(document)
            return document

    async def delete(self, document_id: int) -> None:
        """Move a document with all its sections, versions and chats to the trash (its
        owner only): hidden everywhere, restored or purged through `services.trash`."""
        async with self._database.session() as db:
            document = await visible_document(
                db, self.user, document_id, Level.OWNER, action="delete it"
            )
            document.trashed_at = utc_now()
            document.trashed_by = self.user
            await db.commit()

    async def share(self, document_id: int, user: str, level: str = ShareLevel.VIEW) -> Share:
        """Let `user` read (`view`) or also change (`edit`) the document; owner only.

        Sharing again changes the level. On PostgreSQL `user` must be an existing role.
        """
        user = clean_user_name(user)
        wanted = share_level(level)
        async with self._database.session() as db:
            await visible_document(
                db, self.user, document_id, Level.OWNER, action="change who it is shared with"
            )
            if user == self.user:
                raise InvalidInputError("This is your own document: you already have it.")
            if not self._database.is_sqlite:
                known = await db.execute(
                    text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": user}
                )
                if known.first() is None:
                    raise InvalidInputError(
                        f"There is no user {user!r} in this database; the team lead adds "
                        "people with 'vicechat team add NAME'."
                    )
            share = await db.get(DocumentShare, (document_id, user))
            if share is None:
                db.add(
                    DocumentShare(
                        document_id=document_id, user=user, level=wanted.value, owner=self.user
                    )
                )
            else:
                share.level = wanted.value
            await db.commit()
        return Share(user, wanted.value)

    async def unshare(self, document_id: int, user: str) -> bool:
        """Stop sharing the document with `user` (owner only); False when it was not."""
        async with self._database.session() as db:
            await visible_document(
                db, self.user, document_id, Level.OWNER, action="change who it is shared with"
            )
            result = await db.execute(
                delete(DocumentShare).where(
                    col(DocumentShare.document_id) == document_id,
                    col(DocumentShare.user) == user.strip(),
                )
            )
            await db.commit()
            return int(getattr(result, "rowcount", 0)) > 0

    async def shares(self, document_id: int) -> builtins.list[Share]:
        """Who the document is shared with, by name. Its owner sees every share; someone
        it is shared with sees only their own (as PostgreSQL's policy shows them)."""
        async with self._database.session() as db:
            access = await document_access(db, self.user, document_id)
            query = (
                select(col(DocumentShare.user), col(DocumentShare.level))
                .where(col(DocumentShare.document_id) == document_id)
                .order_by(col(DocumentShare.user))
            )
            if access.level is not Level.OWNER:
                query = query.where(col(DocumentShare.user) == self.user)
            return [Share(user, level) for user, level in await db.execute(query)]

    async def shared_with(self, document_id: int) -> builtins.list[str]:
        """The names in `shares`."""
        return [share.user for share in await self.shares(document_id)]
