"""Passage vectors: stored as float32 bytes, searched by brute force over a cached matrix.

A passage's vector (`models.KnowledgeVector`) is kept at unit length, so the cosine
similarity of a question is one matrix-vector product (numpy: ~30 ms for 100,000 passages
of 768 numbers, where pure Python takes seconds). Each (collection, model) pair's vectors
are read once per process into a float32 matrix, at most `CACHE_NUMBERS` numbers in all
(past it the oldest matrices are dropped; one larger than the bound is read each search).
Before each search the cache is checked against the collection's `updated_at`, which
every change of its passages or vectors moves (one primary-key read, where counting the
vectors would read every row), so what another process added or removed is seen.

Fusion: reciprocal rank fusion (score = Σ 1 / (60 + rank)), which needs no calibration
between BM25 scores and cosines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.models import KnowledgeCollection, KnowledgeVector

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

RRF_K = 60
"""The constant of reciprocal rank fusion (the value of its paper, robust across corpora)."""
CACHE_NUMBERS = 64_000_000
"""Most float32 numbers kept in the cache across collections (256 MB)."""


def as_rows(matrix: npt.NDArray[np.float32]) -> list[bytes]:
    """The rows scaled to unit length, each as little-endian float32 bytes."""
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = (matrix / np.where(norms == 0, 1, norms)).astype("<f4")
    return [row.tobytes() for row in unit]


def unit(vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    import numpy as np

    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


@dataclass(frozen=True, slots=True)
class _Matrix:
    fingerprint: datetime | None
    ids: npt.NDArray[np.int64]
    rows: npt.NDArray[np.float32]


class VectorCache:
    """Per (collection, model): the vectors' passage ids and their matrix."""

    def __init__(self, max_numbers: int = CACHE_NUMBERS) -> None:
        self._matrices: dict[tuple[int, str, int], _Matrix] = {}
        self._max_numbers = max_numbers

    def forget(self, collection_id: int) -> None:
        """Drop a collection's matrices (its vectors changed in this process)."""
        for key in [key for key in self._matrices if key[0] == collection_id]:
            del self._matrices[key]

    async def has_vectors(
        self, db: AsyncSession, collection_ids: Sequence[int], model: str
    ) -> bool:
        found = await db.execute(
            select(col(KnowledgeVector.passage_id))
            .where(
                col(KnowledgeVector.collection_id).in_(list(collection_ids)),
                col(KnowledgeVector.model) == model,
            )
            .limit(1)
        )
        return found.first() is not None

    async def nearest(
        self,
        db: AsyncSession,
        collection_ids: Sequence[int],
        model: str,
        question: npt.NDArray[np.float32],
        limit: int,
    ) -> list[int]:
        """The passage ids of these collections closest to `question` (cosine), best first;
        only those pointing the same way at all (cosine above 0)."""
        import numpy as np

        query = unit(question.astype(np.float32))
        ids: list[npt.NDArray[np.int64]] = []
        scores: list[npt.NDArray[np.float32]] = []
        for collection_id in collection_ids:
            matrix = await self._matrix(db, collection_id, model, len(query))
            if len(matrix.ids):
                ids.append(matrix.ids)
                scores.append(matrix.rows @ query)
        if not ids:
            return []
        every_id, every_score = np.concatenate(ids), np.concatenate(scores)
        related = every_score > 0
        every_id, every_score = every_id[related], every_score[related]
        count = min(limit, len(every_id))
        if count == 0:
            return []
        best = np.argpartition(-every_score, count - 1)[:count]
        ordered = best[np.lexsort((every_id[best], -every_score[best]))]
        return [int(every_id[index]) for index in ordered]

    async def _matrix(
        self, db: AsyncSession, collection_id: int, model: str, dimensions: int
    ) -> _Matrix:
        import numpy as np

        mine = (
            col(KnowledgeVector.collection_id) == collection_id,
            col(KnowledgeVector.model) == model,
            col(KnowledgeVector.dimensions) == dimensions,
        )
        fingerprint = (
            await db.execute(
                select(col(KnowledgeCollection.updated_at)).where(
                    col(KnowledgeCollection.id) == collection_id
                )
            )
        ).scalar_one_or_none()
        key = (collection_id, model, dimensions)
        cached = self._matrices.get(key)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        rows = await db.execute(
            select(col(KnowledgeVector.passage_id), col(KnowledgeVector.vector))
            .where(*mine)
            .order_by(col(KnowledgeVector.passage_id))
        )
        ids: list[int] = []
        blobs: list[bytes] = []
        for passage_id, blob in rows:
            ids.append(int(passage_id))
            blobs.append(bytes(blob))
        matrix = _Matrix(
            fingerprint,
            np.asarray(ids, dtype=np.int64),
            np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(ids), dimensions),
        )
        self._matrices.pop(key, None)
        self._keep(key, matrix)
        return matrix

    def _keep(self, key: tuple[int, str, int], matrix: _Matrix) -> None:
        """Cache the matrix, dropping the oldest ones past the bound (a too large one is not
        kept: it is read again each search)."""
        if matrix.rows.size > self._max_numbers:
            return
        while self._matrices and self._cached_numbers() + matrix.rows.size > self._max_numbers:
            del self._matrices[next(iter(self._matrices))]
        self._matrices[key] = matrix

    def _cached_numbers(self) -> int:
        return sum(matrix.rows.size for matrix in self._matrices.values())


def fused_ranking(*rankings: Sequence[int]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of ranked passage ids: (id, score), best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, passage_id in enumerate(ranking, start=1):
            scores[passage_id] = scores.get(passage_id, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
