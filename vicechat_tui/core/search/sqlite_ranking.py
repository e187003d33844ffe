"""Ranking and snippets of SQLite candidates read in the same SELECT as the candidates.

`columns` adds to a caller's SELECT over an FTS5 index (see `matching.IndexQuery`):

- each indexed column's `highlight()` (the row's text with its matches marked),
- the row's `_docsize` record (its length in tokens),
- the index's statistics: its averages record, its key range, and for each term the count
  and oldest key of its newest `DOCUMENT_COUNT_BOUND` matches. These subqueries do not
  depend on the row: SQLite runs each once per statement.

`scores(rows)` then ranks the rows with BM25 (`ranking.py`) and `snippets(rows)` cuts a
snippet from the marked text: no statement more than the candidates' own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, column, func, literal_column, select, table
from sqlalchemy.sql.expression import ColumnElement, TableClause

from vicechat_tui.core.search.compile import to_fts5
from vicechat_tui.core.search.query import SearchQuery
from vicechat_tui.core.search.ranking import (
    DOCUMENT_COUNT_BOUND,
    Bm25,
    IndexTotals,
    estimated_matches,
)
from vicechat_tui.core.search.schema import TextIndex
from vicechat_tui.core.search.snippets import CLOSE, OPEN, Snippet, cut_marked

_MARKS = "rank_marks_{}"
_SIZE = "rank_size"
_TOTALS, _LOWEST, _HIGHEST = "rank_totals", "rank_lowest", "rank_highest"
_COUNT, _OLDEST = "rank_count_{}", "rank_oldest_{}"
_TERM = "rank_term_{}"


class SqliteRanking:
    """BM25 and snippets of one query's candidates on one FTS5 index (`fts`: its table)."""

    def __init__(self, index: TextIndex, query: SearchQuery, fts: TableClause) -> None:
        self.index = index
        self.query = query
        self._fts = fts

    def columns(self) -> list[ColumnElement[Any]]:
        name = self.index.name
        marks: list[ColumnElement[Any]] = [
            func.highlight(literal_column(name), number, OPEN, CLOSE).label(_MARKS.format(number))
            for number in range(len(self.index.columns))
        ]
        sizes = table(f"{name}_docsize", column("id"), column("sz"))
        data = table(f"{name}_data", column("id"), column("block"))
        statistics: list[ColumnElement[Any]] = [
            select(sizes.c.sz).where(sizes.c.id == self._fts.c.rowid).scalar_subquery(),
            select(data.c.block).where(data.c.id == 1).scalar_subquery(),
            # min and max apart: each is one seek, together a scan
            select(func.min(sizes.c.id)).scalar_subquery(),
            select(func.max(sizes.c.id)).scalar_subquery(),
        ]
        labels = [_SIZE, _TOTALS, _LOWEST, _HIGHEST]
        for number, (key, only) in enumerate(self._term_matches().items()):
            matches = table(name, column("rowid"))
            newest = (
                select(matches.c.rowid)
                .where(literal_column(name).op("MATCH")(bindparam(key, only)))
                .order_by(matches.c.rowid.desc())
                .limit(DOCUMENT_COUNT_BOUND)
                .subquery()
            )
            statistics.append(select(func.count()).select_from(newest).scalar_subquery())
            statistics.append(select(func.min(newest.c.rowid)).scalar_subquery())
            labels += [_COUNT.format(number), _OLDEST.format(number)]
        labelled = [value.label(label) for value, label in zip(statistics, labels, strict=True)]
        return [*marks, *labelled]

    def _term_matches(self) -> dict[str, str | None]:
        """Each term alone as an FTS5 expression, by the name of its bound parameter."""
        return {
            _TERM.format(number): to_fts5(SearchQuery(terms=(term,)))
            for number, term in enumerate(self.query.included)
        }

    def parameters(self) -> dict[str, Any]:
        """The values `columns` binds (for a statement built for a query of this shape)."""
        return dict(self._term_matches())

    def scores(self, rows: Sequence[Mapping[Any, Any]]) -> list[float]:
        if not rows:
            return []
        first = rows[0]
        totals = IndexTotals.from_record(first[_TOTALS])
        lowest, highest = first[_LOWEST] or 0, first[_HIGHEST] or 0
        idfs = [
            totals.idf(
                estimated_matches(
                    first[_COUNT.format(number)] or 0,
                    first[_OLDEST.format(number)] or 0,
                    lowest,
                    highest,
                )
            )
            for number in range(len(self.query.included))
        ]
        weights = [indexed.weight for indexed in self.index.columns]
        scorer = Bm25(self.query.included, weights, totals, idfs)
        marks = [_MARKS.format(number) for number in range(len(weights))]
        return [scorer.score([row[mark] for mark in marks], row[_SIZE]) for row in rows]

    def snippets(self, rows: Sequence[Mapping[Any, Any]]) -> list[Snippet]:
        """A snippet of each row, from its `snippet_column` (or its most marked column)."""
        count = len(self.index.columns)
        found = []
        for row in rows:
            texts: list[str] = [row[_MARKS.format(number)] or "" for number in range(count)]
            choice = self.index.snippet_column
            text = texts[choice] if choice >= 0 else max(texts, key=lambda t: t.count(OPEN))
            found.append(cut_marked(text))
        return found
