"""Which of one's knowledge collections a document's chats draw on: attaching and
detaching them (the document's edit level), and the ones a chat may use."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlmodel import col

from vicechat_tui.core.database import Database
from vicechat_tui.core.models import DocumentKnowledge, KnowledgeCollection
from vicechat_tui.core.services.access import (
    Level,
    document_access,
    own_collection,
    own_collections,
)


class KnowledgeAttachments:
    """The document part of `KnowledgeService` (which sets these attributes)."""

    _database: Database
    user: str

    async def attach(self, document_id: int, name: str) -> None:
        """Let every chat of the document draw on the collection (idempotent)."""
        async with self._database.session() as db:
            collection = await own_collection(db, self.user, name)
            await document_access(db, self.user, document_id, Level.EDIT, action="attach knowledge")
            assert collection.id is not None
            exists = await db.get(DocumentKnowledge, (document_id, collection.id))
            if exists is None:
                db.add(DocumentKnowledge(document_id=document_id, collection_id=collection.id))
                await db.commit()

    async def detach(self, document_id: int, name: str) -> None:
        """The document's chats no longer draw on the collection."""
        async with self._database.session() as db:
            collection = await own_collection(db, self.user, name)
            await document_access(db, self.user, document_id, Level.EDIT, action="detach knowledge")
            await db.execute(
                delete(DocumentKnowledge).where(
                    col(DocumentKnowledge.document_id) == document_id,
                    col(DocumentKnowledge.collection_id) == collection.id,
                )
            )
            await db.commit()

    async def usable(self, document_id: int, names: Sequence[str]) -> tuple[list[str], list[str]]:
        """For a chat in the document: (the collections it draws on — `names` and the
        document's attached ones that are the person's own —, the `names` that are not)."""
        attached = await self.attached(document_id)
        async with self._database.session() as db:
            found = await db.execute(
                select(col(KnowledgeCollection.name)).where(own_collections(self.user))
            )
            own = set(found.scalars())
        wanted = list(dict.fromkeys([*names, *attached]))
        return [n for n in wanted if n in own], [n for n in wanted if n not in own]

    async def attached(self, document_id: int) -> list[str]:
        """The names of the person's own collections attached to the document."""
        async with self._database.session() as db:
            await document_access(db, self.user, document_id)
            found = await db.execute(
                select(col(KnowledgeCollection.name))
                .join(
                    DocumentKnowledge,
                    col(DocumentKnowledge.collection_id) == col(KnowledgeCollection.id),
                )
                .where(
                    col(DocumentKnowledge.document_id) == document_id, own_collections(self.user)
                )
                .order_by(col(KnowledgeCollection.name))
            )
            return list(found.scalars())
