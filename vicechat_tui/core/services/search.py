"""Search across documents, sections, chats and sources, as one user sees them.

Every kind is searched through its full-text index (`core/search`), joined to its document
and filtered by `access.visible_to` like every other service (and on PostgreSQL by the
row-level security policies as well). Ranking: each kind takes its newest
`CANDIDATES_PER_KIND` matches (or `limit`, if more), ranks them (BM25 / ts_rank, titles
weighing `TITLE_WEIGHT`), cuts snippets for the best `limit` only, and the best of all
kinds are merged; a word found in 200,000 messages thus ranks the newest 200 instead of
taking seconds (on SQLite ~20 ms for the whole search on the large benchmark database,
with BM25 worked out in `core/search/ranking.py` rather than by FTS5, which would first
count every match of every term).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Integer, Select, bindparam, null, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.database import Database
from vicechat_tui.core.models import ChatMessage, ChatSession, Document, Section
from vicechat_tui.core.search.indexes import (
    DOCUMENT_INDEX,
    MESSAGE_INDEX,
    SECTION_INDEX,
    SOURCE_INDEX,
)
from vicechat_tui.core.search.matching import IndexQuery
from vicechat_tui.core.search.query import CURRENT_DOCUMENT, Kind, SearchQuery, parse_query
from vicechat_tui.core.search.schema import TextIndex
from vicechat_tui.core.search.snippets import Snippet, match_spans
from vicechat_tui.core.services.access import live_section, visible_to

CANDIDATES_PER_KIND = 200
KEPT_STATEMENTS = 64
"""Candidate SELECTs kept, one for each shape of query (building one costs about 1 ms)."""
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
_INDEXES: dict[Kind, TextIndex] = {
    Kind.DOCUMENT: DOCUMENT_INDEX,
    Kind.SECTION: SECTION_INDEX,
    Kind.CHAT: MESSAGE_INDEX,
    Kind.SOURCE: SOURCE_INDEX,
}
_MODELS: dict[Kind, type[Any]] = {
    Kind.DOCUMENT: Document,
    Kind.SECTION: Section,
    Kind.CHAT: ChatMessage,
    Kind.SOURCE: ChatMessage,
}
SEARCHED_ROLES = ("user", "assistant")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: where it is, what it is called, a snippet around the match, its score."""

    kind: Kind
    document_id: int
    section_id: int | None
    message_id: int | None
    title: str
    """The section's title (the document's, for a document hit)."""
    document_title: str
    snippet: Snippet
    score: float
    when: datetime | None = None
    role: str | None = None
    title_highlights: tuple[tuple[int, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The fields `vicechat search --json` prints."""
        data: dict[str, Any] = {"kind": self.kind.value, "document_id": self.document_id}
        if self.section_id is not None:
            data["section_id"] = self.section_id
        if self.message_id is not None:
            data["message_id"] = self.message_id
        data.update(
            title=self.title,
            document_title=self.document_title,
            snippet=self.snippet.text,
            highlights=[list(span) for span in self.snippet.highlights],
            score=round(self.score, 6),
        )
        if self.role is not None:
            data["role"] = self.role
        return data


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: SearchQuery
    hits: list[SearchHit] = field(default_factory=list)

    @property
    def hints(self) -> tuple[str, ...]:
        return self.query.hints


class SearchService:
    """Full-text search over what one user may see."""

    def __init__(self, database: Database, user: str) -> None:
        self._database = database
        self.user = user
        self._statements: dict[tuple[Any, ...], Select[Any]] = {}

    async def search(
        self,
        text: str,
        *,
        current_document_id: int | None = None,
        document_id: int | None = None,
        kinds: Iterable[Kind] | None = None,
        limit: int = DEFAULT_LIMIT,
        timezone: tzinfo | None = None,
    ) -> SearchResults:
        """Results for the query `text`, best first; never raises for what `text` holds.

        `document_id` and `kinds` narrow the query further (the CLI's --doc and --in);
        `current_document_id` is what `doc:this` means.
        """
        query = self._narrowed(
            parse_query(text, timezone=timezone or _local_zone()),
            current_document_id=current_document_id,
            document_id=document_id,
            kinds=kinds,
        )
        if not query.searchable:
            return SearchResults(query)
        limit = max(1, min(limit, MAX_LIMIT))
        dialect = "postgresql" if not self._database.is_sqlite else "sqlite"

        async def search_kind(kind: Kind) -> list[SearchHit]:
            matcher = IndexQuery(_INDEXES[kind], query, dialect, _table(_MODELS[kind]))
            async with self._database.session() as db:
                return await self._search_kind(db, kind, matcher, limit)

        # each kind on a connection of its own, at the same time: SQLite reads in parallel
        found = await asyncio.gather(*(search_kind(kind) for kind in Kind if query.wants(kind)))
        hits = [hit for kind_hits in found for hit in kind_hits]
        hits.sort(key=lambda hit: (-hit.score, hit.kind.value, -(hit.message_id or 0)))
        return SearchResults(query, hits[:limit])

    def _narrowed(
        self,
        query: SearchQuery,
        *,
        current_document_id: int | None,
        document_id: int | None,
        kinds: Iterable[Kind] | None,
    ) -> SearchQuery:
        hints = list(query.hints)
        document = query.document
        if document == CURRENT_DOCUMENT:
            document = current_document_id
            if document is None:
                hints.append("doc:this needs a document open; it was left out.")
        if document_id is not None:
            if document is not None and document != document_id:
                hints.append(f"doc:{document} and document {document_id} cannot both hold.")
                return replace(query, terms=(), hints=tuple(hints))
            document = document_id
        wanted = query.kinds
        if kinds is not None:
            narrowed = frozenset(kinds)
            wanted = narrowed if wanted is None else wanted & narrowed
        return replace(query, document=document, kinds=wanted, hints=tuple(hints))

    async def _search_kind(
        self, db: AsyncSession, kind: Kind, matcher: IndexQuery, limit: int
    ) -> list[SearchHit]:
        query = matcher.query
        values = {
            **matcher.parameters,
            "search_document": query.document,
            "search_after": query.after.astimezone(UTC) if query.after else None,
            "search_before": query.before.astimezone(UTC) if query.before else None,
        }
        found = list((await db.execute(self._statement(kind, matcher, limit), values)).mappings())
        scores = matcher.scores(found)
        ranked = sorted(
            zip(scores, found, strict=True), key=lambda pair: (-pair[0], -int(pair[1]["key"]))
        )[:limit]
        snippets = await matcher.snippets_of(db, [row for _, row in ranked])
        hits = []
        for (score, row), snippet in zip(ranked, snippets, strict=True):
            key, title = int(row["key"]), str(row["title"])
            hits.append(
                SearchHit(
                    kind=kind,
                    document_id=int(row["document_id"]),
                    section_id=row["section_id"],
                    message_id=key if kind in (Kind.CHAT, Kind.SOURCE) else None,
                    title=title,
                    document_title=str(row["document_title"]),
                    snippet=snippet,
                    score=score,
                    when=row["changed_at"],
                    role=row["role"],
                    title_highlights=tuple(match_spans(title, query)),
                )
            )
        return hits

    def _statement(self, kind: Kind, matcher: IndexQuery, limit: int) -> Select[Any]:
        """The newest candidates of one kind, from a SELECT built once for each shape of
        query (how many terms, which filters); `_search_kind` binds this query's values."""
        query = matcher.query
        candidates = max(CANDIDATES_PER_KIND, limit)
        shape = (
            kind,
            len(query.included),
            isinstance(query.document, int),
            tuple(sorted(query.statuses)) if query.statuses is not None else None,
            query.after is not None,
            query.before is not None,
            candidates,
        )
        statement = self._statements.get(shape)
        if statement is None:
            if len(self._statements) >= KEPT_STATEMENTS:
                self._statements.clear()
            statement = self._candidates(kind, matcher)
            statement = statement.order_by(matcher.key.desc()).limit(candidates)
            self._statements[shape] = statement
        return statement

    def _candidates(self, kind: Kind, matcher: IndexQuery) -> Select[Any]:
        """The SELECT of one kind's matches the user may see, filters applied (their values
        bound by name: `search_document`, `search_after`, `search_before`)."""
        query = matcher.query
        section_id: Any = col(Section.id)
        title: Any = col(Section.title)
        changed_at: Any = col(Section.updated_at)
        role: Any = null()
        if kind is Kind.DOCUMENT:
            section_id, title, changed_at = null(), col(Document.title), col(Document.updated_at)
        elif kind in (Kind.CHAT, Kind.SOURCE):
            changed_at, role = col(ChatMessage.created_at), col(ChatMessage.role)
        statement = select(
            matcher.key.label("key"),
            *matcher.rank_columns,
            col(Document.id).label("document_id"),
            section_id.label("section_id"),
            title.label("title"),
            col(Document.title).label("document_title"),
            changed_at.label("changed_at"),
            role.label("role"),
        ).select_from(matcher.source)
        if kind in (Kind.CHAT, Kind.SOURCE):
            statement = (
                statement.join(ChatSession, col(ChatSession.id) == col(ChatMessage.session_id))
                .join(Section, col(Section.id) == col(ChatSession.section_id))
                .where(col(ChatMessage.role).in_(SEARCHED_ROLES))
            )
        if kind is not Kind.DOCUMENT:
            statement = statement.join(
                Document, col(Document.id) == col(Section.document_id)
            ).where(live_section())
        statement = statement.where(matcher.condition, visible_to(self.user))
        if isinstance(query.document, int):
            document = bindparam("search_document", type_=Integer)
            statement = statement.where(
                col(Document.id) == document, matcher.within(_keys_in_document(kind, document))
            )
        if query.statuses is not None:
            statement = statement.where(col(Section.status).in_(sorted(query.statuses)))
        if query.after is not None:
            after = bindparam("search_after", type_=changed_at.type)
            statement = statement.where(changed_at >= after)
        if query.before is not None:
            before = bindparam("search_before", type_=changed_at.type)
            statement = statement.where(changed_at < before)
        return statement


def _keys_in_document(kind: Kind, document_id: Any) -> Select[Any]:
    """The keys of one kind's rows in a document."""
    if kind is Kind.DOCUMENT:
        return select(col(Document.id)).where(col(Document.id) == document_id)
    if kind is Kind.SECTION:
        return select(col(Section.id)).where(col(Section.document_id) == document_id)
    return (
        select(col(ChatMessage.id))
        .join(ChatSession, col(ChatSession.id) == col(ChatMessage.session_id))
        .join(Section, col(Section.id) == col(ChatSession.section_id))
        .where(col(Section.document_id) == document_id)
    )


def _table(model: type[Any]) -> Any:
    return model.__table__


def _local_zone() -> tzinfo:
    """This computer's time zone (dates in queries are local dates)."""
    return datetime.now().astimezone().tzinfo or UTC
