"""Passages that answer a question: ranked full-text search over a person's collections.

The question is read as any-word search (`search.query.question_query`: words like "the"
left out, more words matched ranks higher) and runs on the passages' full-text index
(`search.indexes.PASSAGE_INDEX`: bm25 on SQLite, ts_rank on PostgreSQL), limited to the
collections given, which the caller has already checked are the person's own.
`KnowledgeService.retrieve` fuses this ranking with the nearest passage vectors when there
are any (`knowledge/vectors.py`) and says which it did (`Retrieval.mode`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, select
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


@dataclass(frozen=True, slots=True)
class Retrieval:
    """What a search found and how: "hybrid" (keyword and vector ranks fused) or "keyword";
    `note` says in words why it was keyword only when vectors were expected."""

    hits: list[PassageHit]
    mode: str
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "note": self.note,
            "passages": [hit.to_json() for hit in self.hits],
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
    statement = _with_places(
        select(matcher.key.label("key"), *matcher.rank_columns, *_PLACE).select_from(matcher.source)
    ).where(
        matcher.condition,
        matcher.key.between(min(keys), max(keys)),
        (matcher.key + 0).in_(sorted(keys)),  # a plain filter, not one match per key
    )
    rows = list((await db.execute(statement)).mappings())
    ranked = sorted(
        zip(matcher.scores(rows), rows, strict=True),
        key=lambda pair: (-pair[0], int(pair[1]["key"])),
    )[: max(1, min(limit, MAX_PASSAGES))]
    return [_hit(row, float(score)) for score, row in ranked]


_PLACE: tuple[Any, ...] = (
    col(KnowledgeCollection.name).label("collection"),
    col(KnowledgeFile.path).label("path"),
    col(KnowledgePassage.location).label("location"),
    col(KnowledgePassage.start).label("start"),
    col(KnowledgePassage.end).label("end"),
    col(KnowledgePassage.text).label("text"),
)
"""A passage's collection, file, place, offsets and text, as a hit shows them."""


def _with_places(statement: Select[Any]) -> Select[Any]:
    """`statement` (on knowledge_passage) joined to what `_PLACE` reads."""
    return statement.join(
        KnowledgeFile, col(KnowledgeFile.id) == col(KnowledgePassage.file_id)
    ).join(KnowledgeCollection, col(KnowledgeCollection.id) == col(KnowledgePassage.collection_id))


def _hit(row: Any, score: float) -> PassageHit:
    return PassageHit(
        int(row["key"]),
        str(row["collection"]),
        str(row["path"]),
        str(row["location"]),
        int(row["start"]),
        int(row["end"]),
        str(row["text"]),
        score,
    )


async def passages_by_id(db: AsyncSession, ids: Sequence[int]) -> dict[int, PassageHit]:
    """The passages with these ids (score 0), by id."""
    if not ids:
        return {}
    statement = _with_places(
        select(col(KnowledgePassage.id).label("key"), *_PLACE).select_from(KnowledgePassage)
    ).where(col(KnowledgePassage.id).in_(list(ids)))
    rows = (await db.execute(statement)).mappings()
    return {int(row["key"]): _hit(row, 0.0) for row in rows}


def _table(model: type[Any]) -> Any:
    return model.__table__
