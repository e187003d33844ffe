"""Searching one `TextIndex` with one query: the pieces of a SELECT, on either database.

A caller (the search service, the knowledge retrieval) writes its own SELECT over its own
tables, joins and visibility, and takes from `IndexQuery`:

- `source`: what to select from (SQLite: the FTS5 table joined to the indexed table;
  PostgreSQL: the indexed table itself),
- `key`: the matching row's key column, ordered by to take the newest candidates first,
- `condition`: the full-text match, for the WHERE clause,
- `score`: a relevance (larger is better: -bm25 on SQLite, ts_rank on PostgreSQL),

and then `snippets(db, keys)` for the rows it keeps. A caller that takes a few hundred
candidates first (newest first, by `key`) ranks them cheaper with `rank_columns` in its
SELECT, then `scores(rows)` and `snippets_of(db, rows)`: on SQLite the same BM25 worked
out for those rows only and snippets cut from their marked text (`sqlite_ranking.py`),
instead of FTS5 counting every match of every term first and a second statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Float,
    Select,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import ColumnElement, FromClause

from vicechat_tui.core.search.compile import to_fts5, to_tsquery
from vicechat_tui.core.search.query import SearchQuery
from vicechat_tui.core.search.schema import TextIndex
from vicechat_tui.core.search.snippets import (
    CLOSE,
    ELLIPSIS,
    OPEN,
    SNIPPET_WORDS,
    Snippet,
    make_snippet,
    match_spans,
)
from vicechat_tui.core.search.sqlite_ranking import SqliteRanking


class IndexQuery:
    """`query` against `index` on the database `dialect` ("sqlite" or "postgresql").

    `rows` is the indexed table as the caller's statement names it (its SQLAlchemy `Table`,
    so that joins and filters on it refer to the same FROM); by default a bare clause.
    """

    def __init__(
        self,
        index: TextIndex,
        query: SearchQuery,
        dialect: str,
        rows: FromClause | None = None,
    ) -> None:
        self.index = index
        self.query = query
        self.is_postgres = dialect == "postgresql"
        self.expression = to_tsquery(query) if self.is_postgres else to_fts5(query)
        self._fts = table(index.name, column("rowid"))
        self._rows = rows if rows is not None else table(index.table, column(index.key))
        self._sqlite_ranking = SqliteRanking(index, query, self._fts)

    @property
    def searchable(self) -> bool:
        """False when the query has nothing to look for (then run nothing)."""
        return self.expression is not None

    @property
    def source(self) -> FromClause:
        """The indexed table, joined to what the match needs."""
        rows = self._rows
        if self.is_postgres:
            return rows
        return self._fts.join(rows, rows.c[self.index.key] == self._fts.c.rowid)

    @property
    def key(self) -> ColumnElement[Any]:
        return self._rows.c[self.index.key] if self.is_postgres else self._fts.c.rowid

    @property
    def parameters(self) -> dict[str, Any]:
        """This query's values of every parameter the pieces bind: a SELECT built from the
        pieces of another query with as many terms runs this one with these."""
        if self.is_postgres:
            return {"search_tsquery": self.expression}
        return {"search_match": self.expression, **self._sqlite_ranking.parameters()}

    def _tsquery(self) -> ColumnElement[Any]:
        expression: ColumnElement[str] = bindparam("search_tsquery", self.expression)
        return func.to_tsquery(literal_column("'simple'"), expression)

    @property
    def condition(self) -> ColumnElement[bool]:
        if self.is_postgres:
            vector: ColumnElement[Any] = literal_column(
                self.index.postgres_vector(self.index.table)
            )
            matched: ColumnElement[bool] = vector.op("@@")(self._tsquery())
            indexed = self.index.postgres_condition(self.index.table)
            return and_(matched, literal_column(indexed)) if indexed else matched
        return literal_column(self.index.name).op("MATCH")(
            bindparam("search_match", self.expression)
        )

    def within(self, keys: Select[Any]) -> ColumnElement[bool]:
        """Only rows whose key `keys` (a one-column SELECT) returns, e.g. one document's.

        On SQLite the FTS5 scan is bounded to the keys' range (which FTS5 seeks to), and
        the keys are checked as a plain filter (`rowid + 0`): as a constraint on the FTS
        table, each would re-run the whole match (~10 ms a key on a common word).
        """
        if self.is_postgres:
            return self.key.in_(keys)
        listed = keys.subquery()
        (only,) = listed.c
        lowest = select(func.min(only)).scalar_subquery()
        highest = select(func.max(only)).scalar_subquery()
        return and_(self.key.between(lowest, highest), (self.key + 0).in_(select(only)))

    @property
    def score(self) -> ColumnElement[float]:
        if self.is_postgres:
            vector: ColumnElement[Any] = literal_column(
                self.index.postgres_vector(self.index.table)
            )
            return func.ts_rank(vector, self._tsquery(), type_=Float)
        weights = [column.weight for column in self.index.columns]
        return -func.bm25(literal_column(self.index.name), *weights, type_=Float)

    @property
    def rank_columns(self) -> list[ColumnElement[Any]]:
        """What `scores` and `snippets_of` read of each candidate: select these along."""
        if self.is_postgres:
            return [self.key.label("rank_key"), self.score.label("rank_score")]
        return self._sqlite_ranking.columns()

    def scores(self, rows: Sequence[Mapping[Any, Any]]) -> list[float]:
        """The relevance of each of `rows` (selected with `rank_columns`), in their order."""
        if self.expression is None:
            return [0.0] * len(rows)
        if self.is_postgres:
            return [float(row["rank_score"] or 0.0) for row in rows]
        return self._sqlite_ranking.scores(rows)

    async def snippets_of(
        self, db: AsyncSession, rows: Sequence[Mapping[Any, Any]]
    ) -> list[Snippet]:
        """A snippet of each of `rows` (selected with `rank_columns`), in their order."""
        if not self.is_postgres:
            return self._sqlite_ranking.snippets(rows)
        found = await self.snippets(db, [int(row["rank_key"]) for row in rows])
        return [found.get(int(row["rank_key"]), Snippet()) for row in rows]

    async def snippets(self, db: AsyncSession, keys: Sequence[int]) -> dict[int, Snippet]:
        """A snippet of each of these rows (the `snippet_column` text around its matches)."""
        if not keys or self.expression is None:
            return {}
        if not self.is_postgres:
            name = self.index.name
            # the keys' range bounds the scan (FTS5 seeks to it); `rowid + 0 IN` filters
            # within it, instead of one seek of the whole match per key
            marked = text(
                f"SELECT rowid, snippet({name}, :column, :open, :close, :ellipsis, :words) "
                f"FROM {name} WHERE {name} MATCH :match AND rowid BETWEEN :lowest AND :highest "
                "AND rowid + 0 IN :keys"
            ).bindparams(bindparam("keys", expanding=True))
            rows = await db.execute(
                marked,
                {
                    "column": self.index.snippet_column,
                    "open": OPEN,
                    "close": CLOSE,
                    "ellipsis": ELLIPSIS,
                    "words": SNIPPET_WORDS,
                    "match": self.expression,
                    "lowest": min(keys),
                    "highest": max(keys),
                    "keys": list(keys),
                },
            )
            return {int(key): Snippet.from_marked(cut or "") for key, cut in rows}
        texts: list[ColumnElement[Any]] = [
            literal_column(column.postgres.format(row=self.index.table))
            for column in self.index.columns
        ]
        statement = select(self.key, *texts).where(self.key.in_(list(keys)))
        found: dict[int, Snippet] = {}
        for key, *values in await db.execute(statement):
            found[int(key)] = make_snippet(self._snippet_text(values), self.query)
        return found

    def _snippet_text(self, values: Sequence[str | None]) -> str:
        choice = self.index.snippet_column
        if choice >= 0:
            return values[choice] or ""
        texts = [value or "" for value in values]
        return max(texts, key=lambda value: len(match_spans(value, self.query)))
