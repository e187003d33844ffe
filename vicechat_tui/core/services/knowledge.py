"""Knowledge collections: create, fill from files, search, attach to documents — one's own.

Every method reads through `services.access` (`own_collection(s)`: a collection is its
owner's alone) and, for attachments, the document's level; on PostgreSQL the policies of
migration 0005 enforce the same.

Adding files reads one file at a time (its parsing off the event loop), stores each file's
passages in batches and commits file by file, so memory stays flat however large the
collection, a cancelled ingestion keeps the files already done, and a file whose content
hash has not changed is skipped.

When a provider has an `embedding_model`, adding ends by giving vectors to the passages
that have none from that model (`knowledge/vector_store.py`, in batches, each committed);
a provider's failure is reported and leaves keyword search as it was. Search is then hybrid:
the keyword ranking and the nearest vectors fused by rank (`knowledge/vectors.py`).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.chat_config import MAX_COLLECTION_NAME_CHARS
from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import InvalidInputError, ProviderError
from vicechat_tui.core.knowledge.chunking import Passage, chunk
from vicechat_tui.core.knowledge.ingest import (
    MAX_FILE_BYTES,
    BadFile,
    IngestProgress,
    IngestReport,
    bad_file,
    collect,
    read_file,
)
from vicechat_tui.core.knowledge.readers import UnreadableFile, read_blocks
from vicechat_tui.core.knowledge.retrieval import (
    MAX_PASSAGES,
    PassageHit,
    Retrieval,
    keyword_passages,
    passages_by_id,
)
from vicechat_tui.core.knowledge.vector_store import (
    count_missing,
    restore_vectors,
    store_vectors,
    vectors_by_text,
    without_vectors,
)
from vicechat_tui.core.knowledge.vectors import VectorCache, fused_ranking
from vicechat_tui.core.models import (
    DocumentKnowledge,
    FileStatus,
    KnowledgeCollection,
    KnowledgeFile,
    KnowledgePassage,
    utc_now,
)
from vicechat_tui.core.services.access import (
    Level,
    document_access,
    own_collection,
    own_collections,
)

if TYPE_CHECKING:
    from vicechat_tui.core.providers.embeddings import EmbeddingsClient

BATCH_PASSAGES = 500
MAX_QUESTION_CHARS = 4_000
"""Most of a question embedded (embedding models take a few thousand tokens at most)."""
ProgressCallback = Callable[[IngestProgress], None]
EmbeddingsSource = Callable[[], "EmbeddingsClient | None"]
"""The client that makes vectors (the providers' `embeddings()`); None: keyword only."""


@dataclass(frozen=True, slots=True)
class CollectionSummary:
    name: str
    files: int
    passages: int
    failed: int
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "files": self.files,
            "passages": self.passages,
            "failed": self.failed,
            "updated_at": self.updated_at.isoformat(),
        }


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


class KnowledgeService:
    """One person's knowledge collections."""

    def __init__(
        self, database: Database, user: str, *, embeddings: EmbeddingsSource | None = None
    ) -> None:
        self._database = database
        self.user = user
        self._embeddings = embeddings or (lambda: None)
        self._vectors = VectorCache()

    @property
    def _dialect(self) -> str:
        return "sqlite" if self._database.is_sqlite else "postgresql"

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

    async def collections(self) -> list[CollectionSummary]:
        """The person's collections by name, with their counts."""
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
        statement = (
            select(KnowledgeCollection, files.c.files, files.c.passages, files.c.failed)
            .outerjoin(files, files.c.collection_id == col(KnowledgeCollection.id))
            .where(own_collections(self.user))
            .order_by(col(KnowledgeCollection.name))
        )
        async with self._database.session() as db:
            rows = (await db.execute(statement)).all()
        return [
            CollectionSummary(c.name, int(n or 0), int(p or 0), int(f or 0), c.updated_at)
            for c, n, p, f in rows
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

    # -- files -------------------------------------------------------------------------------

    async def add(
        self,
        name: str,
        paths: Sequence[Path],
        *,
        on_progress: ProgressCallback | None = None,
        max_file_bytes: int = MAX_FILE_BYTES,
    ) -> IngestReport:
        """Read files and folders (recursively) into the collection; see the module doc."""
        async with self._database.session() as db:
            collection = await own_collection(db, self.user, name)
            stored = await self._stored_files(db, collection)
        assert collection.id is not None
        walk = await asyncio.to_thread(collect, paths)
        report = IngestReport(failed=list(walk.bad))
        total = len(walk.files)
        for done, path in enumerate(walk.files):
            if on_progress is not None:
                on_progress(self._progress(report, done, total, str(path)))
            known = stored.get(str(path))
            try:
                content = await asyncio.to_thread(read_file, path, max_file_bytes)
            except (OSError, ValueError) as error:
                report.failed.append(bad_file(path, error))
                continue
            if known is not None and known == content.content_hash:
                report.unchanged += 1
                continue
            try:
                count = await self._store_file(
                    collection.id, path, content.data, content.content_hash
                )
            except UnreadableFile as error:
                report.failed.append(BadFile(str(path), error.reason))
                continue
            report.indexed.append(str(path))
            report.passages += count
        await self._record_failures(collection.id, report.failed)
        report.removed = await self._drop_missing(collection.id, stored, walk.folders, walk.files)
        await self._touch(collection.id)
        await self._embed_missing(collection.id, report, total, on_progress)
        if on_progress is not None:
            on_progress(self._progress(report, total, total, ""))
        return report

    @staticmethod
    def _progress(report: IngestReport, done: int, total: int, current: str) -> IngestProgress:
        return IngestProgress(
            done, total, current, len(report.indexed), report.unchanged, len(report.failed)
        )

    async def _stored_files(
        self, db: AsyncSession, collection: KnowledgeCollection
    ) -> dict[str, str | None]:
        """path → content hash of the files stored (None for failed ones: read them again)."""
        rows = await db.execute(
            select(
                col(KnowledgeFile.path), col(KnowledgeFile.content_hash), col(KnowledgeFile.status)
            ).where(col(KnowledgeFile.collection_id) == collection.id)
        )
        return {
            path: digest if status == FileStatus.INDEXED.value else None
            for path, digest, status in rows
        }

    async def _store_file(self, collection_id: int, path: Path, data: bytes, digest: str) -> int:
        """Replace the file's passages with its new ones, in one transaction; their count."""
        passages: Iterator[Passage] = chunk(read_blocks(path, data))
        count = 0
        async with self._database.session() as db:
            file_id = await self._file_row(db, collection_id, str(path))
            kept = await vectors_by_text(db, file_id)
            await db.execute(
                delete(KnowledgePassage).where(col(KnowledgePassage.file_id) == file_id)
            )
            while batch := await asyncio.to_thread(_take, passages, BATCH_PASSAGES):
                await db.execute(
                    insert(KnowledgePassage),
                    [
                        {
                            "collection_id": collection_id,
                            "file_id": file_id,
                            "position": count + index,
                            "location": passage.location,
                            "start": passage.start,
                            "end": passage.end,
                            "text": passage.text,
                        }
                        for index, passage in enumerate(batch)
                    ],
                )
                count += len(batch)
            if kept:
                await restore_vectors(db, collection_id, file_id, kept)
            file = await db.get(KnowledgeFile, file_id)
            assert file is not None
            file.content_hash, file.size, file.passages = digest, len(data), count
            file.status, file.error, file.updated_at = FileStatus.INDEXED.value, None, utc_now()
            await db.commit()
        return count

    # -- vectors -----------------------------------------------------------------------------

    async def _embed_missing(
        self,
        collection_id: int,
        report: IngestReport,
        files: int,
        on_progress: ProgressCallback | None,
    ) -> None:
        """Give vectors to the collection's passages that have none from the current
        embedding model, a batch at a time, each batch committed (a cancelled or failed run
        keeps what was done; keyword search works throughout). A provider's failure ends
        this step with `report.embedding_problem` saying why."""
        client = self._embeddings()
        if client is None:
            return
        report.embedding_model = client.model
        async with self._database.session() as db:
            missing = await count_missing(db, collection_id, client.model)
        done = 0
        while done < missing:
            self._embedding_progress(on_progress, report, files, done, missing)
            async with self._database.session() as db:
                batch = list(
                    await db.execute(
                        without_vectors(collection_id, client.model).limit(client.batch)
                    )
                )
            if not batch:
                break
            try:
                vectors = await client.embed([text for _, text in batch])
            except ProviderError as error:
                report.embedding_problem = error.message
                break
            ids = [passage_id for passage_id, _ in batch if passage_id is not None]
            async with self._database.session() as db:
                await store_vectors(db, collection_id, client.model, ids, vectors)
                await db.commit()
            done += len(batch)
            report.embedded += len(batch)
        if done:
            self._embedding_progress(on_progress, report, files, done, missing)
        self._vectors.forget(collection_id)

    def _embedding_progress(
        self,
        on_progress: ProgressCallback | None,
        report: IngestReport,
        files: int,
        done: int,
        missing: int,
    ) -> None:
        if on_progress is not None:
            progress = self._progress(report, files, files, "")
            on_progress(replace(progress, embedded=done, to_embed=missing))

    async def _file_row(self, db: AsyncSession, collection_id: int, path: str) -> int:
        found = (
            await db.execute(
                select(col(KnowledgeFile.id)).where(
                    col(KnowledgeFile.collection_id) == collection_id,
                    col(KnowledgeFile.path) == path,
                )
            )
        ).scalar_one_or_none()
        if found is not None:
            return int(found)
        row = KnowledgeFile(collection_id=collection_id, path=path)
        db.add(row)
        await db.flush()
        assert row.id is not None
        return row.id

    async def _record_failures(self, collection_id: int, failed: Iterable[BadFile]) -> None:
        """A row per bad file (status failed, its reason), without passages."""
        async with self._database.session() as db:
            for bad in failed:
                file_id = await self._file_row(db, collection_id, bad.path)
                await db.execute(
                    delete(KnowledgePassage).where(col(KnowledgePassage.file_id) == file_id)
                )
                file = await db.get(KnowledgeFile, file_id)
                assert file is not None
                file.status, file.error, file.passages = FileStatus.FAILED.value, bad.reason, 0
                file.content_hash, file.updated_at = "", utc_now()
            await db.commit()

    async def _drop_missing(
        self,
        collection_id: int,
        stored: dict[str, str | None],
        folders: Sequence[Path],
        found: Sequence[Path],
    ) -> list[str]:
        """Stored files under the folders walked that are not there any more."""
        present = {str(path) for path in found}
        prefixes = tuple(str(folder) + os.sep for folder in folders)
        gone = [path for path in stored if path.startswith(prefixes) and path not in present]
        if gone:
            await self._delete_files(collection_id, gone)
        return sorted(gone)

    async def _delete_files(self, collection_id: int, paths: Sequence[str]) -> None:
        async with self._database.session() as db:
            await db.execute(
                delete(KnowledgeFile).where(
                    col(KnowledgeFile.collection_id) == collection_id,
                    col(KnowledgeFile.path).in_(list(paths)),
                )
            )
            await db.commit()

    async def _touch(self, collection_id: int) -> None:
        async with self._database.session() as db:
            collection = await db.get(KnowledgeCollection, collection_id)
            if collection is not None:
                collection.updated_at = utc_now()
                await db.commit()

    async def remove(self, name: str, paths: Sequence[Path]) -> list[str]:
        """Take files (or every file under a folder) out of the collection; the paths removed."""
        async with self._database.session() as db:
            collection = await own_collection(db, self.user, name)
            stored = await self._stored_files(db, collection)
        assert collection.id is not None
        wanted = [str(Path(os.path.abspath(path))) for path in paths]
        prefixes = tuple(path + os.sep for path in wanted)
        gone = sorted(p for p in stored if p in wanted or p.startswith(prefixes))
        if gone:
            await self._delete_files(collection.id, gone)
            await self._touch(collection.id)  # searches' cached vectors follow
        return gone

    # -- retrieval ---------------------------------------------------------------------------

    async def search(
        self, names: Sequence[str], question: str, *, limit: int = 8
    ) -> list[PassageHit]:
        """The passages of these collections (the person's own) that best match `question`."""
        return (await self.retrieve(names, question, limit=limit)).hits

    async def retrieve(self, names: Sequence[str], question: str, *, limit: int = 8) -> Retrieval:
        """`search`, saying how it searched: hybrid when the collections have vectors from
        the current embedding model (keyword and vector ranks fused), else keyword only."""
        limit = max(1, min(limit, MAX_PASSAGES))
        client = self._embeddings() if question.strip() else None
        # The question's vector is asked for while the keyword search runs.
        asking = (
            asyncio.create_task(client.embed([question[:MAX_QUESTION_CHARS]])) if client else None
        )
        try:
            async with self._database.session() as db:
                found = [(await own_collection(db, self.user, name)).id for name in names]
                ids = [i for i in found if i is not None]
                keyword = await keyword_passages(db, self._dialect, ids, question, MAX_PASSAGES)
                if client is None or asking is None or not ids:
                    return Retrieval(keyword[:limit], "keyword")
                if not await self._vectors.has_vectors(db, ids, client.model):
                    note = f"no passage has a vector from {client.model} yet (run kb add again)"
                    return Retrieval(keyword[:limit], "keyword", note)
            try:
                asked = await asking
            except ProviderError as error:
                return Retrieval(keyword[:limit], "keyword", error.message)
        finally:
            if asking is not None and not asking.done():
                asking.cancel()
            elif asking is not None and not asking.cancelled():
                asking.exception()  # a failure not needed any more is not an unseen one
        async with self._database.session() as db:
            nearest = await self._vectors.nearest(db, ids, client.model, asked[0], MAX_PASSAGES)
            fused = fused_ranking([hit.passage_id for hit in keyword], nearest)[:limit]
            known = {hit.passage_id: hit for hit in keyword}
            loaded = await passages_by_id(db, [i for i, _ in fused if i not in known])
        hits = [
            replace(hit, score=score)
            for passage_id, score in fused
            if (hit := known.get(passage_id) or loaded.get(passage_id)) is not None
        ]
        return Retrieval(hits, "hybrid")

    # -- documents ---------------------------------------------------------------------------

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


def _take(passages: Iterator[Passage], size: int) -> list[Passage]:
    """The next `size` passages; a reader's unexpected failure becomes UnreadableFile."""
    try:
        return list(itertools.islice(passages, size))
    except UnreadableFile:
        raise
    except Exception as error:  # a library choking on a hostile file: report it, go on
        raise UnreadableFile(f"could not be read ({type(error).__name__})") from None
