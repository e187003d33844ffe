"""Full-text search: one layer for every searched text, on SQLite and PostgreSQL.

- `query.parse_query` reads the search syntax into a safe tree (`SearchQuery`), with hints;
- `compile.to_fts5` / `compile.to_tsquery` turn it into each database's syntax;
- `schema.TextIndex` describes what a table indexes; `schema.install` builds it (FTS5
  tables and triggers, or GIN indexes); `indexes.py` lists vicechat's own;
- `matching.IndexQuery` gives the pieces of a SELECT that searches one index (match,
  score, key) and cuts snippets for the rows a caller keeps;
- `snippets.py` finds matches in a text (highlights, the editor's jump) and cuts snippets.

`services/search.py` searches documents, sections, chats and sources with it. Nothing here
is imported at start-up; this package's `__init__` imports nothing so that the pure-Python
modules (query, tokens, snippets) load without SQLAlchemy.
"""
