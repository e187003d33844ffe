"""Passages that answer a question: ranked full-text search over a person's collections.

The question is read as any-word search (`search.query.question_query`: words like "the"
left out, more words matched ranks higher) and runs on the passages' full-text index
(`search.indexes.PASSAGE_INDEX`: bm25 on SQLite, ts_rank on PostgreSQL), limited to the
collections given, which the caller has already checked are the person's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.models import KnowledgeCollection, KnowledgeFile, KnowledgePassage
from vicechat_tui.core.search.indexes import PASSAGE_INDEX
from vicechat_tui.core.search.matching import IndexQuery
from vicechat_tui.core.search.query import question_query

MAX_PASSAGES = 50


@dataclass(frozen=True, slots=True)
class PassageHit:
    """A retrieved passage: its collection, file, place, offsets, text and score."""

    passage_id: int
    collection: str
    path: str
    location: str
    start: int
    end: int
    text: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "path": self.path,
            "location": self.location,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 6),
            "passage": self.text,
        }


async def keyword_passages(
    db: AsyncSession, dialect: str, collection_ids: Sequence[int], question: str, limit: int
) -> list[PassageHit]:
    """The best `limit` passages of these collections for `question`, best first."""
    matcher = IndexQuery(PASSAGE_INDEX, question_query(question), dialect, _table(KnowledgePassage))
    if not matcher.searchable or not collection_ids:
        return []
    statement = (
        select(
            matcher.key.label("key"),
            matcher.score.label("score"),
            col(KnowledgeCollection.name),
            col(KnowledgeFile.path),
            col(KnowledgePassage.location),
            col(KnowledgePassage.start),
            col(KnowledgePassage.end),
            col(KnowledgePassage.text),
        )
        .select_from(matcher.source)
        .join(KnowledgeFile, col(KnowledgeFile.id) == col(KnowledgePassage.file_id))
        .join(
            KnowledgeCollection,
            col(KnowledgeCollection.id) == col(KnowledgePassage.collection_id),
        )
        .where(matcher.condition, col(KnowledgePassage.collection_id).in_(list(collection_ids)))
        .order_by(matcher.score.desc(), matcher.key)
        .limit(max(1, min(limit, MAX_PASSAGES)))
    )
    rows = await db.execute(statement)
    return [
        PassageHit(int(key), name, path, location, start, end, text, float(score or 0.0))
        for key, score, name, path, location, start, end, text in rows
    ]


def _table(model: type[Any]) -> Any:
    return model.__table__
