"""What vicechat searches: documents, sections, chat messages and the sources replies cite.

A change to one of these (a new column, another expression) needs a migration that calls
`schema.install` with it again.
"""

from __future__ import annotations

from vicechat_tui.core.search.schema import IndexedColumn, TextIndex, owned_names

TITLE_WEIGHT = 10.0
"""A word in a title counts ten times a word in the text (a title match beats a mention)."""
NOT_STREAMING = "{row}.state <> 'streaming'"
"""A reply is indexed once it has finished streaming (complete, failed, cancelled…)."""

_SQLITE_SOURCE_TEXT = (
    "(CASE WHEN json_valid({row}.sources) THEN (SELECT group_concat("
    "coalesce(json_extract(e.value, '$.title'), '') || ' ' || "
    "coalesce(json_extract(e.value, '$.url'), '') || ' ' || "
    "coalesce(json_extract(e.value, '$.snippet'), ''), char(10)) "
    "FROM json_each({row}.sources) AS e WHERE e.type = 'object') END)"
)

DOCUMENT_INDEX = TextIndex(
    name="search_document",
    table="document",
    columns=(
        IndexedColumn.plain("title", weight=TITLE_WEIGHT),
        IndexedColumn.plain("description"),
    ),
    watched=("title", "description"),
    snippet_column=1,
)
SECTION_INDEX = TextIndex(
    name="search_section",
    table="section",
    columns=(IndexedColumn.plain("title", weight=TITLE_WEIGHT), IndexedColumn.plain("content")),
    watched=("title", "content"),
    snippet_column=1,
)
MESSAGE_INDEX = TextIndex(
    name="search_message",
    table="chat_message",
    columns=(IndexedColumn.plain("content"),),
    watched=("content", "state"),
    indexed_when=NOT_STREAMING,
    snippet_column=0,
)
SOURCE_INDEX = TextIndex(
    name="search_source",
    table="chat_message",
    columns=(IndexedColumn("sources", _SQLITE_SOURCE_TEXT, "vicechat_source_text({row}.sources)"),),
    watched=("sources", "state"),
    indexed_when=NOT_STREAMING,
    external=False,
    snippet_column=0,
)

SEARCH_INDEXES = (DOCUMENT_INDEX, SECTION_INDEX, MESSAGE_INDEX, SOURCE_INDEX)
"""The indexes migration 0003 made (it installs exactly these)."""
PASSAGE_INDEX = TextIndex(
    name="search_passage",
    table="knowledge_passage",
    columns=(IndexedColumn.plain("text"),),
    watched=("text",),
    snippet_column=0,
)
"""The passages of knowledge collections (migration 0005)."""
ALL_INDEXES = (*SEARCH_INDEXES, PASSAGE_INDEX)
"""Every index, as `vicechat db reindex` rebuilds them."""
SEARCH_NAMES = owned_names(ALL_INDEXES)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """For alembic's comparisons: leave out the tables and indexes the search layer owns."""
    return name not in SEARCH_NAMES
