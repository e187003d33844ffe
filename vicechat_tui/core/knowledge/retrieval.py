"""Passages that answer a question: ranked full-text search over a person's collections.

The question is read as any-word search (`search.query.question_query`: words like "the"
left out, more words matched ranks higher) and runs on the passages' full-text index
(`search.indexes.PASSAGE_INDEX`: bm25 on SQLite, ts_rank on PostgreSQL), limited to the
collections given, which the caller has already checked are the person's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.models import KnowledgeCollection, KnowledgeFile, KnowledgePassage
from vicechat_tui.core.search.indexes import PASSAGE_INDEX
from vicechat_tui.core.search.matching import IndexQuery
from vicechat_tui.core.search.query import question_query

MAX_PASSAGES = 50
CANDIDATES = 300
"""Passages ranked at most: shared among the question's words, each its newest matches."""
MIN_CANDIDATES_PER_WORD = 30


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
    """The best `limit` passages of these collections for `question`, best first.

    Candidates are each word's newest matches in the collections, `CANDIDATES` shared among
    the words (a rare word's matches are never crowded out by a common one's), ranked with the
    search layer's BM25 (`IndexQuery.rank_columns` / `scores`): the cost follows the number
    of words, not how many passages hold a common word.
    """
    query = question_query(question)
    passages = _table(KnowledgePassage)
    matcher = IndexQuery(PASSAGE_INDEX, query, dialect, passages)
    if not matcher.searchable or not collection_ids:
        return []
    wanted = col(KnowledgePassage.collection_id).in_(list(collection_ids))
    keys: set[int] = set()
    per_word = max(MIN_CANDIDATES_PER_WORD, CANDIDATES // len(query.included))
    for term in query.included:
        one = IndexQuery(PASSAGE_INDEX, replace(query, terms=(term,)), dialect, passages)
        newest = (
            select(one.key)
            .select_from(one.source)
            .where(one.condition, wanted)
            .order_by(one.key.desc())
            .limit(per_word)
        )
        keys.update(int(key) for key in (await db.execute(newest)).scalars())
    if not keys:
        return []
    statement = (
        select(
            matcher.key.label("key"),
            *matcher.rank_columns,
            col(KnowledgeCollection.name).label("collection"),
            col(KnowledgeFile.path).label("path"),
            col(KnowledgePassage.location).label("location"),
            col(KnowledgePassage.start).label("start"),
            col(KnowledgePassage.end).label("end"),
            col(KnowledgePassage.text).label("text"),
        )
        .select_from(matcher.source)
        .join(KnowledgeFile, col(KnowledgeFile.id) == col(KnowledgePassage.file_id))
        .join(
            KnowledgeCollection,
            col(KnowledgeCollection.id) == col(KnowledgePassage.collection_id),
        )
        .where(
            matcher.condition,
            matcher.key.between(min(keys), max(keys)),
            (matcher.key + 0).in_(sorted(keys)),  # a plain filter, not one match per key
        )
    )
    rows = list((await db.execute(statement)).mappings())
    ranked = sorted(
        zip(matcher.scores(rows), rows, strict=True),
        key=lambda pair: (-pair[0], int(pair[1]["key"])),
    )[: max(1, min(limit, MAX_PASSAGES))]
    return [
        PassageHit(
            int(row["key"]),
            str(row["collection"]),
            str(row["path"]),
            str(row["location"]),
            int(row["start"]),
            int(row["end"]),
            str(row["text"]),
            float(score),
        )
        for score, row in ranked
    ]


def _table(model: type[Any]) -> Any:
    return model.__table__
