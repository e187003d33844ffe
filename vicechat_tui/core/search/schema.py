"""Full-text indexes kept by the database itself, described once and built for each dialect.

A `TextIndex` says which table's rows are searched, which text of a row is indexed (each
column an SQL expression over the row, per dialect), which rows are left out for now and
which columns, when changed, re-index a row. From it:

- SQLite: an FTS5 table named `index.name` (`unicode61`, diacritics folded, prefix indexes
  of 2 and 3 characters) filled by triggers on the table. With `external=True` the FTS table
  stores no copy of the text: FTS5 reads it back from the table (so the FTS column names
  are the table's column names); with `external=False` it keeps its own copy, for text
  derived from the row (a JSON column's strings).
- PostgreSQL: a GIN index `ix_<name>` over an expression of the row, maintained by
  PostgreSQL; `vicechat_search_vector(text)` turns text into the same words as FTS5 does
  (`tokens.py`).

Rows that do not satisfy `indexed_when` (a reply still streaming) cost nothing on each
update: triggers skip them and PostgreSQL's partial index does not hold them.

`install` creates (or re-creates) the indexes and fills them; it is what migration 0003 and
`vicechat db reindex` run. A later migration that rebuilds an indexed table (alembic's
batch mode on SQLite drops it, and its triggers with it) must call `install` again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from vicechat_tui.core.search.tokens import LATIN_FOLDS

MAX_INDEXED_CHARS = 100_000
"""PostgreSQL indexes the first this many characters of a text (a tsvector is limited to
1 MB); SQLite's FTS5 has no such limit."""
SQLITE_TOKENIZER = "unicode61 remove_diacritics 2"
_FTS5_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")


@dataclass(frozen=True, slots=True)
class IndexedColumn:
    """One searched text of a row: its SQL on each database, `{row}` standing for the row."""

    name: str
    sqlite: str
    postgres: str
    weight: float = 1.0
    """How much a match here counts (bm25 column weight; PostgreSQL: 'A' when above 1)."""

    @classmethod
    def plain(cls, name: str, *, weight: float = 1.0) -> IndexedColumn:
        """A text column of the table, as it is."""
        return cls(name, f"{{row}}.{name}", f"{{row}}.{name}", weight)


@dataclass(frozen=True, slots=True)
class TextIndex:
    """Rows of `table` searchable by the text of `columns`."""

    name: str
    table: str
    columns: tuple[IndexedColumn, ...]
    watched: tuple[str, ...]
    """The table's columns whose change re-indexes a row."""
    key: str = "id"
    indexed_when: str | None = None
    """An SQL condition over `{row}`; rows failing it are not in the index (yet)."""
    external: bool = True
    snippet_column: int = -1
    """Which column snippets are cut from (-1: the best matching one)."""

    @property
    def postgres_index(self) -> str:
        return f"ix_{self.name}"

    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    # -- PostgreSQL ------------------------------------------------------------------------

    def postgres_vector(self, row: str) -> str:
        """The indexed tsvector of a row, written exactly as the GIN index has it."""
        parts = []
        for column in self.columns:
            vector = f"vicechat_search_vector({column.postgres.format(row=row)})"
            parts.append(f"setweight({vector}, 'A')" if column.weight > 1 else vector)
        return "(" + " || ".join(parts) + ")"

    def postgres_condition(self, row: str) -> str | None:
        return self.indexed_when.format(row=row) if self.indexed_when else None


# -- SQLite -----------------------------------------------------------------------------------


def _sqlite_values(index: TextIndex, row: str) -> str:
    return ", ".join(column.sqlite.format(row=row) for column in index.columns)


def _sqlite_when(index: TextIndex, row: str) -> str:
    return f"({index.indexed_when.format(row=row)})" if index.indexed_when else "1"


def _sqlite_fill(index: TextIndex, row: str, source: str) -> str:
    """Add the row(s) of `source` (a trigger's NEW, or the table) to the FTS table."""
    names = ", ".join(index.column_names())
    condition = _sqlite_when(index, row)
    if not index.external:  # a copy of derived text: skip rows where it is empty
        condition += (
            " AND ("
            + " || ".join(
                f"coalesce({column.sqlite.format(row=row)}, '')" for column in index.columns
            )
            + ") <> ''"
        )
    return (
        f"INSERT INTO {index.name} (rowid, {names}) "
        f"SELECT {row}.{index.key}, {_sqlite_values(index, row)}{source} WHERE {condition}"
    )


def _sqlite_remove(index: TextIndex) -> str:
    """Take OLD out of the FTS table (an external one needs the values it indexed)."""
    if not index.external:
        old_row = f"rowid = old.{index.key} AND {_sqlite_when(index, 'old')}"
        return f"DELETE FROM {index.name} WHERE {old_row}"
    names = ", ".join(index.column_names())
    return (
        f"INSERT INTO {index.name} ({index.name}, rowid, {names}) "
        f"SELECT 'delete', old.{index.key}, {_sqlite_values(index, 'old')} "
        f"WHERE {_sqlite_when(index, 'old')}"
    )


def _sqlite_statements(index: TextIndex) -> list[str]:
    options = [*index.column_names(), f"tokenize='{SQLITE_TOKENIZER}'", "prefix='2 3'"]
    if index.external:
        options += [f"content='{index.table}'", f"content_rowid='{index.key}'"]
    unchanged = " AND ".join(f"old.{name} IS new.{name}" for name in index.watched)
    old_in, new_in = _sqlite_when(index, "old"), _sqlite_when(index, "new")
    changed = f"NOT ((NOT {old_in} AND NOT {new_in}) OR ({old_in} AND {new_in} AND {unchanged}))"
    watched = ", ".join(index.watched)
    name, table = index.name, index.table
    return [
        f"CREATE VIRTUAL TABLE {name} USING fts5({', '.join(options)})",
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} "
        f"BEGIN {_sqlite_fill(index, 'new', '')}; END",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN {_sqlite_remove(index)}; END",
        f"CREATE TRIGGER {name}_update AFTER UPDATE OF {watched} ON {table} WHEN {changed} "
        f"BEGIN {_sqlite_remove(index)}; {_sqlite_fill(index, 'new', '')}; END",
        _sqlite_fill(index, table, f" FROM {table}"),
    ]


def _sqlite_drops(index: TextIndex) -> list[str]:
    return [
        *(
            f"DROP TRIGGER IF EXISTS {index.name}_{event}"
            for event in ("insert", "delete", "update")
        ),
        f"DROP TABLE IF EXISTS {index.name}",
    ]


# -- PostgreSQL -------------------------------------------------------------------------------


def _postgres_functions() -> list[str]:
    folded_from = "".join(LATIN_FOLDS)
    folded_to = "".join(LATIN_FOLDS.values())
    return [
        # ASCII punctuation becomes spaces (so "example.com" is two words, as in FTS5) and
        # Latin diacritics are folded, before the `simple` configuration lowercases.
        "CREATE OR REPLACE FUNCTION vicechat_search_vector(text) RETURNS tsvector "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT to_tsvector('simple'::regconfig, "
        f"translate(regexp_replace(left($1, {MAX_INDEXED_CHARS}), '[[:punct:]]+', ' ', 'g'), "
        f"'{folded_from}', '{folded_to}')) $$",
        # The title, address and extract of each web source of a message, one a line.
        "CREATE OR REPLACE FUNCTION vicechat_source_text(json) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(string_agg(concat_ws(' ', "
        "e ->> 'title', e ->> 'url', e ->> 'snippet'), E'\\n'), '') FROM json_array_elements("
        "CASE WHEN json_typeof($1) = 'array' THEN $1 ELSE '[]'::json END) AS e $$",
    ]


def _postgres_statements(index: TextIndex) -> list[str]:
    condition = index.postgres_condition(index.table)
    where = f" WHERE {condition}" if condition else ""
    return [
        f"DROP INDEX IF EXISTS {index.postgres_index}",
        f"CREATE INDEX {index.postgres_index} ON {index.table} "
        f"USING gin ({index.postgres_vector(index.table)}){where}",
    ]


# -- both -------------------------------------------------------------------------------------


def install(connection: Connection, indexes: Sequence[TextIndex]) -> None:
    """Create `indexes` (dropping any earlier version first) and fill them from the rows."""
    if connection.dialect.name == "postgresql":
        statements = _postgres_functions()
        for index in indexes:
            statements += _postgres_statements(index)
    else:
        statements = []
        for index in indexes:
            statements += _sqlite_drops(index) + _sqlite_statements(index)
    for statement in statements:
        connection.execute(text(statement))


def drop(connection: Connection, indexes: Sequence[TextIndex]) -> None:
    """Remove `indexes` (their tables, triggers or GIN indexes)."""
    if connection.dialect.name == "postgresql":
        statements = [f"DROP INDEX IF EXISTS {index.postgres_index}" for index in indexes]
    else:
        statements = [statement for index in indexes for statement in _sqlite_drops(index)]
    for statement in statements:
        connection.execute(text(statement))


def drop_functions(connection: Connection) -> None:
    """Remove the PostgreSQL helper functions (after every index using them is gone)."""
    if connection.dialect.name == "postgresql":
        for name in ("vicechat_search_vector(text)", "vicechat_source_text(json)"):
            connection.execute(text(f"DROP FUNCTION IF EXISTS {name}"))


def owned_names(indexes: Iterable[TextIndex]) -> frozenset[str]:
    """Every table and index name these indexes add, on either database."""
    names: set[str] = set()
    for index in indexes:
        names.add(index.postgres_index)
        names.add(index.name)
        names.update(index.name + suffix for suffix in _FTS5_SHADOWS)
    return frozenset(names)
