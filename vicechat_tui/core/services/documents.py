"""Documents: create, rename, describe, delete, list, share."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlmodel import col

from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.models import Document, DocumentShare, utc_now
from vicechat_tui.core.services.access import visible_document, visible_to
from vicechat_tui.core.titles import clean_title


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

    async def list(self, *, offset: int = 0, limit: int | None = None) -> list[Document]:
        """Visible documents, most recently updated first."""
        query = (
            select(Document)
            .where(visible_to(self.user))
            .order_by(col(Document.updated_at).desc(), col(Document.id).desc())
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        async with self._database.session() as db:
            return list((await db.execute(query)).scalars())

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
        async with self._database.session() as db:
            document = await visible_document(db, self.user, document_id)
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
        """Delete a document with all its sections, versions and chats."""
        async with self._database.session() as db:
            document = await visible_document(db, self.user, document_id)
            await db.delete(document)
            await db.commit()

    async def share(self, document_id: int, user: str) -> None:
        """Let `user` see and edit the document. Only its owner may share it."""
        user = user.strip()
        if not user:
            raise InvalidInputError("Name the user to share the document with.")
        async with self._database.session() as db:
            document = await visible_document(db, self.user, document_id)
            if document.owner != self.user:
                raise InvalidInputError("Only the document's owner can share it.")
            if user != self.user and await db.get(DocumentShare, (document_id, user)) is None:
                db.add(DocumentShare(document_id=document_id, user=user))
                await db.commit()

    async def unshare(self, document_id: int, user: str) -> None:
        async with self._database.session() as db:
            document = await visible_document(db, self.user, document_id)
            if document.owner != self.user:
                raise InvalidInputError("Only the document's owner can change who sees it.")
            await db.execute(
                delete(DocumentShare).where(
                    col(DocumentShare.document_id) == document_id,
                    col(DocumentShare.user) == user,
                )
            )
            await db.commit()

    async def shared_with(self, document_id: int) -> builtins.list[str]:
        async with self._database.session() as db:
            await visible_document(db, self.user, document_id)
            query = select(col(DocumentShare.user)).where(
                col(DocumentShare.document_id) == document_id
            )
            return sorted((await db.execute(query)).scalars())
