"""Giving a collection's passages vectors after files are added: a batch at a time, each
committed, from the provider's embedding model (`knowledge/vector_store.py` stores them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import ProviderError
from vicechat_tui.core.knowledge.ingest import IngestProgress, IngestReport
from vicechat_tui.core.knowledge.vector_store import count_missing, store_vectors, without_vectors
from vicechat_tui.core.knowledge.vectors import VectorCache

if TYPE_CHECKING:
    from vicechat_tui.core.providers.embeddings import EmbeddingsClient

ProgressCallback = Callable[[IngestProgress], None]
EmbeddingsSource = Callable[[], "EmbeddingsClient | None"]
"""The client that makes vectors (the providers' `embeddings()`); None: keyword only."""


def ingest_progress(report: IngestReport, done: int, total: int, current: str) -> IngestProgress:
    """Where adding files stands: `done` of `total` files, `current` being read."""
    return IngestProgress(
        done, total, current, len(report.indexed), report.unchanged, len(report.failed)
    )


class KnowledgeEmbedding:
    """The vector-making part of `KnowledgeService` (which sets these attributes)."""

    _database: Database
    _embeddings: EmbeddingsSource
    _vectors: VectorCache

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
            _embedding_progress(on_progress, report, files, done, missing)
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
            _embedding_progress(on_progress, report, files, done, missing)
        self._vectors.forget(collection_id)


def _embedding_progress(
    on_progress: ProgressCallback | None,
    report: IngestReport,
    files: int,
    done: int,
    missing: int,
) -> None:
    if on_progress is not None:
        progress = ingest_progress(report, files, files, "")
        on_progress(replace(progress, embedded=done, to_embed=missing))
