"""Knowledge collections: create, fill from files, search, attach to documents — one's own.

Every method reads through `services.access` (`own_collection(s)`: a collection is its
owner's alone) and, for attachments, the document's level; on PostgreSQL the policies of
migration 0005 enforce the same.

`KnowledgeService` is one service made of parts, each in its own module: the collections
themselves (here), adding and removing files (`knowledge_ingestion`), giving passages
vectors (`knowledge_embedding`), searching them (`knowledge_retrieval`) and attaching
collections to documents (`knowledge_attachments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from vicechat_tui.core.chat_config import MAX_COLLECTION_NAME_CHARS
from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.knowledge.vectors import VectorCache
from vicechat_tui.core.models import (
    FileStatus,
    KnowledgeCollection,
    KnowledgeFile,
    KnowledgePassage,
    KnowledgeVector,
)
from vicechat_tui.core.services.access import own_collection, own_collections
from vicechat_tui.core.services.knowledge_attachments import KnowledgeAttachments
from vicechat_tui.core.services.knowledge_embedding import EmbeddingsSource
from vicechat_tui.core.services.knowledge_ingestion import KnowledgeIngestion
from vicechat_tui.core.services.knowledge_retrieval import KnowledgeRetrieval


@dataclass(frozen=True, slots=True)
class CollectionSummary:
    name: str
    files: int
    passages: int
    failed: int
    updated_at: datetime
    vectors: int = 0
    """Passages with a vector from `embedding_model` (what search by meaning uses)."""
    embedding_model: str | None = None
    """The model that makes vectors now (None: no provider has one; keyword search only)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "files": self.files,
            "passages": self.passages,
            "failed": self.failed,
            "vectors": self.vectors,
            "embedding_model": self.embedding_model,
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class FileVectors:
    """How many passages of each file of a collection have a vector from the current model."""

    embedding_model: str | None
    by_file: dict[int, int]
    """File id → passages with a vector (files with none are left out)."""


def collection_name(text: str) -> str:
    """A usable collection name, or InvalidInputError saying what is wrong with it."""
    name = text.strip()
    if not name:
        raise InvalidInputError("A collection needs a name.")
    if len(name) > MAX_COLLECTION_NAME_CHARS:
        raise InvalidInputError(
            f"A collection name has at most {MAX_COLLECTION_NAME_CHARS} characters."
        )
    if any(not character.isprintable() for character in name):
        raise InvalidInputError("A collection name cannot hold control characters.")
    return name


class KnowledgeService(KnowledgeIngestion, KnowledgeRetrieval, KnowledgeAttachments):
    """One person's knowledge collections; the methods of its parts are in their modules."""

    def __init__(
        self, database: Database, user: str, *, embeddings: EmbeddingsSource | None = None
    ) -> None:
        self._database = database
        self.user = user
        self._embeddings = embeddings or (lambda: None)
        self._vectors = VectorCache()

    # -- collections -------------------------------------------------------------------------

    async def create(self, name: str) -> KnowledgeCollection:
        """A new, empty collection; InvalidInputError when the name is taken or unusable."""
        collection = KnowledgeCollection(owner=self.user, name=collection_name(name))
        async with self._database.session() as db:
            db.add(collection)
            try:
                await db.commit()
            except IntegrityError:
                raise InvalidInputError(
                    f"You already have a collection called {collection.name!r}."
                ) from None
            await db.refresh(collection)
        return collection

    def _embedding_model(self) -> str | None:
        client = self._embeddings()
        return None if client is None else client.model

    async def collections(self) -> list[CollectionSummary]:
        """The person's collections by name, with their counts (vectors: from the current
        embedding model)."""
        model = self._embedding_model()
        files = (
            select(
                col(KnowledgeFile.collection_id).label("collection_id"),
                func.count().label("files"),
                func.coalesce(func.sum(col(KnowledgeFile.passages)), 0).label("passages"),
                func.sum(
                    case((col(KnowledgeFile.status) == FileStatus.FAILED.value, 1), else_=0)
                ).label("failed"),
            )
            .group_by(col(KnowledgeFile.collection_id))
            .subquery()
        )
        vectors = (
            select(
                col(KnowledgeVector.collection_id).label("collection_id"),
                func.count().label("vectors"),
            )
            .where(col(KnowledgeVector.model) == (model or ""))
            .group_by(col(KnowledgeVector.collection_id))
            .subquery()
        )
        statement = (
            select(
                KnowledgeCollection,
                files.c.files,
                files.c.passages,
                files.c.failed,
                vectors.c.vectors,
            )
            .outerjoin(files, files.c.collection_id == col(KnowledgeCollection.id))
            .outerjoin(vectors, vectors.c.collection_id == col(KnowledgeCollection.id))
            .where(own_collections(self.user))
            .order_by(col(KnowledgeCollection.name))
        )
        async with self._database.session() as db:
            rows = (await db.execute(statement)).all()
        return [
            CollectionSummary(
                c.name, int(n or 0), int(p or 0), int(f or 0), c.updated_at, int(v or 0), model
            )
            for c, n, p, f, v in rows
        ]

    async def delete(self, name: str) -> None:
        """Delete the collection with its files, passages and attachments."""
        async with self._database.session() as db:
            collection = await own_collection(db, self.user, name)
            await db.delete(collection)
            await db.commit()

    async def files(self, name: str) -> list[KnowledgeFile]:
        """The collection's files by path (failed ones with their reason)."""
        async with self._database.session() as db:
            collection = await own_collection(db, self.user, name)
            found = await db.execute(
                select(KnowledgeFile)
                .where(col(KnowledgeFile.collection_id) == collection.id)
                .order_by(col(KnowledgeFile.path))
            )
            return list(found.scalars())

    async def file_vectors(self, name: str) -> FileVectors:
        """How many passages of each of the collection's files have a vector from the
        current embedding model (none counted when there is no such model)."""
        model = self._embedding_model()
        async with self._database.session() as db:
            collection = await own_collection(db, self.user, name)
            if model is None:
                return FileVectors(None, {})
            rows = await db.execute(
                select(col(KnowledgePassage.file_id), func.count())
                .join(KnowledgeVector, col(KnowledgeVector.passage_id) == col(KnowledgePassage.id))
                .where(
                    col(KnowledgeVector.collection_id) == collection.id,
                    col(KnowledgeVector.model) == model,
                )
                .group_by(col(KnowledgePassage.file_id))
            )
            return FileVectors(model, {int(file_id): int(count) for file_id, count in rows})
