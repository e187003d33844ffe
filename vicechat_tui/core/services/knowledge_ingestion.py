"""Adding files to a knowledge collection and taking them out.

Adding reads one file at a time (its parsing off the event loop), stores each file's
passages in batches and commits file by file, so memory stays flat however large the
collection, a cancelled ingestion keeps the files already done, and a file whose content
hash has not changed is skipped. It ends by giving the new passages vectors
(`knowledge_embedding`).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.database import Database
from vicechat_tui.core.knowledge.chunking import Passage, chunk
from vicechat_tui.core.knowledge.ingest import (
    MAX_FILE_BYTES,
    BadFile,
    IngestReport,
    bad_file,
    collect,
    read_file,
)
from vicechat_tui.core.knowledge.readers import UnreadableFile, read_blocks
from vicechat_tui.core.knowledge.vector_store import restore_vectors, vectors_by_text
from vicechat_tui.core.models import (
    FileStatus,
    KnowledgeCollection,
    KnowledgeFile,
    KnowledgePassage,
    utc_now,
)
from vicechat_tui.core.services.access import own_collection
from vicechat_tui.core.services.knowledge_embedding import (
    KnowledgeEmbedding,
    ProgressCallback,
    ingest_progress,
)

BATCH_PASSAGES = 500


class KnowledgeIngestion(KnowledgeEmbedding):
    """The file-adding part of `KnowledgeService` (which sets these attributes)."""

    _database: Database
    user: str

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
            stored = await _stored_files(db, collection)
        assert collection.id is not None
        walk = await asyncio.to_thread(collect, paths)
        report = IngestReport(failed=list(walk.bad))
        total = len(walk.files)
        for done, path in enumerate(walk.files):
            if on_progress is not None:
                on_progress(ingest_progress(report, done, total, str(path)))
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
            on_progress(ingest_progress(report, total, total, ""))
        return report

    async def _store_file(self, collection_id: int, path: Path, data: bytes, digest: str) -> int:
        """Replace the file's passages with its new ones, in one transaction; their count."""
        passages: Iterator[Passage] = chunk(read_blocks(path, data))
        count = 0
        async with self._database.session() as db:
            file_id = await _file_row(db, collection_id, str(path))
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

    async def _record_failures(self, collection_id: int, failed: Iterable[BadFile]) -> None:
        """A row per bad file (status failed, its reason), without passages."""
        async with self._database.session() as db:
            for bad in failed:
                file_id = await _file_row(db, collection_id, bad.path)
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
            stored = await _stored_files(db, collection)
        assert collection.id is not None
        wanted = [str(Path(os.path.abspath(path))) for path in paths]
        prefixes = tuple(path + os.sep for path in wanted)
        gone = sorted(p for p in stored if p in wanted or p.startswith(prefixes))
        if gone:
            await self._delete_files(collection.id, gone)
            await self._touch(collection.id)  # searches' cached vectors follow
        return gone


async def _stored_files(db: AsyncSession, collection: KnowledgeCollection) -> dict[str, str | None]:
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


async def _file_row(db: AsyncSession, collection_id: int, path: str) -> int:
    """The id of the collection's row for `path`, made (without passages) when there is none."""
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


def _take(passages: Iterator[Passage], size: int) -> list[Passage]:
    """The next `size` passages; a reader's unexpected failure becomes UnreadableFile."""
    try:
        return list(itertools.islice(passages, size))
    except UnreadableFile:
        raise
    except Exception as error:  # a library choking on a hostile file: report it, go on
        raise UnreadableFile(f"could not be read ({type(error).__name__})") from None
