"""Finding the passages of one's collections that answer a question: keyword search, made
hybrid (keyword and nearest-vector ranks fused, `knowledge/vectors.py`) when the passages
have vectors from the current embedding model."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import ProviderError
from vicechat_tui.core.knowledge.retrieval import (
    MAX_PASSAGES,
    PassageHit,
    Retrieval,
    keyword_passages,
    passages_by_id,
)
from vicechat_tui.core.knowledge.vectors import VectorCache, fused_ranking
from vicechat_tui.core.services.access import own_collection
from vicechat_tui.core.services.knowledge_embedding import EmbeddingsSource

MAX_QUESTION_CHARS = 4_000
"""Most of a question embedded (embedding models take a few thousand tokens at most)."""


class KnowledgeRetrieval:
    """The searching part of `KnowledgeService` (which sets these attributes)."""

    _database: Database
    _embeddings: EmbeddingsSource
    _vectors: VectorCache
    user: str

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
        dialect = "sqlite" if self._database.is_sqlite else "postgresql"
        # The question's vector is asked for while the keyword search runs.
        asking = (
            asyncio.create_task(client.embed([question[:MAX_QUESTION_CHARS]])) if client else None
        )
        try:
            async with self._database.session() as db:
                found = [(await own_collection(db, self.user, name)).id for name in names]
                ids = [i for i in found if i is not None]
                keyword = await keyword_passages(db, dialect, ids, question, MAX_PASSAGES)
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
