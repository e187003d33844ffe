"""Passage vectors in the database (`models.KnowledgeVector`): what still needs one, storing
a batch, and keeping the vectors of passages whose text did not change when their file is
read again (keyed by the text's digest and the model)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.knowledge.vectors import as_rows
from vicechat_tui.core.models import (
    KnowledgeCollection,
    KnowledgePassage,
    KnowledgeVector,
    utc_now,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

KeptVectors = dict[tuple[str, str], tuple[int, bytes]]
"""(passage text digest, model) → (dimensions, vector bytes)."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


async def vectors_by_text(db: AsyncSession, file_id: int) -> KeptVectors:
    """The file's stored vectors by the text of their passage and their model."""
    rows = await db.execute(
        select(
            col(KnowledgePassage.text),
            col(KnowledgeVector.model),
            col(KnowledgeVector.dimensions),
            col(KnowledgeVector.vector),
        )
        .join(KnowledgeVector, col(KnowledgeVector.passage_id) == col(KnowledgePassage.id))
        .where(col(KnowledgePassage.file_id) == file_id)
    )
    return {(_digest(text), model): (size, bytes(vector)) for text, model, size, vector in rows}


async def restore_vectors(
    db: AsyncSession, collection_id: int, file_id: int, kept: KeptVectors
) -> None:
    """Give the file's (new) passages the `kept` vectors of the same text."""
    rows = await db.execute(
        select(col(KnowledgePassage.id), col(KnowledgePassage.text)).where(
            col(KnowledgePassage.file_id) == file_id
        )
    )
    models = {model for _, model in kept}
    restored = [
        {
            "passage_id": passage_id,
            "collection_id": collection_id,
            "model": model,
            "dimensions": kept[key][0],
            "vector": kept[key][1],
        }
        for passage_id, text in rows
        for model in models
        if (key := (_digest(text), model)) in kept
    ]
    if restored:
        await db.execute(insert(KnowledgeVector), restored)


def without_vectors(collection_id: int, model: str) -> Select[int | None, str]:
    """(id, text) of the collection's passages with no vector from `model`, by id."""
    vector = KnowledgeVector.__table__  # type: ignore[attr-defined]
    return (
        select(col(KnowledgePassage.id), col(KnowledgePassage.text))
        .outerjoin(
            vector,
            (vector.c.passage_id == col(KnowledgePassage.id)) & (vector.c.model == model),
        )
        .where(col(KnowledgePassage.collection_id) == collection_id, vector.c.passage_id.is_(None))
        .order_by(col(KnowledgePassage.id))
    )


async def count_missing(db: AsyncSession, collection_id: int, model: str) -> int:
    """How many of the collection's passages have no vector from `model`."""
    counted = select(func.count()).select_from(
        without_vectors(collection_id, model).order_by(None).subquery()
    )
    return int((await db.execute(counted)).scalar_one())


async def store_vectors(
    db: AsyncSession,
    collection_id: int,
    model: str,
    passage_ids: Sequence[int],
    vectors: npt.NDArray[np.float32],
) -> None:
    """The passages' vectors from `model`, replacing any they had (from another model);
    the collection's `updated_at` moves, so searches of other processes read them."""
    ids = list(passage_ids)
    await db.execute(
        update(KnowledgeCollection)
        .where(col(KnowledgeCollection.id) == collection_id)
        .values(updated_at=utc_now())
    )
    await db.execute(delete(KnowledgeVector).where(col(KnowledgeVector.passage_id).in_(ids)))
    await db.execute(
        insert(KnowledgeVector),
        [
            {
                "passage_id": passage_id,
                "collection_id": collection_id,
                "model": model,
                "dimensions": int(vectors.shape[1]),
                "vector": blob,
            }
            for passage_id, blob in zip(ids, as_rows(vectors), strict=True)
        ],
    )
