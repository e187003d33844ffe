"""A parsed query as each database's full-text syntax, built from quoted words only.

Every word comes from `tokens.words`: letters, digits and marks, never a quote, bracket or
operator, so neither compiler can be steered by what was typed. FTS5 gets double-quoted
strings (`"moon" AND ("sea" "of")*` …); PostgreSQL gets `to_tsquery` text of single-quoted
lexemes joined by `&`, `!` and `<->`.
"""

from __future__ import annotations

from collections.abc import Sequence

from vicechat_tui.core.search.query import SearchQuery, Term


def _fts5_term(term: Term) -> str:
    quoted = '"' + " ".join(word.replace('"', '""') for word in term.words) + '"'
    return quoted + ("*" if term.prefix else "")


def to_fts5(query: SearchQuery, columns: Sequence[str] | None = None) -> str | None:
    """An FTS5 MATCH expression, limited to `columns` when given; None when nothing to find."""
    included = query.included
    if not included:
        return None
    joiner = " OR " if query.any_term else " AND "
    expression = joiner.join(_fts5_term(term) for term in included)
    excluded = query.excluded
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(_fts5_term(term) for term in excluded)})"
    if columns:
        expression = "{" + " ".join(columns) + "} : (" + expression + ")"
    return expression


def _tsquery_term(term: Term) -> str:
    lexemes = [f"'{word}'" for word in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    joined = " <-> ".join(lexemes)
    return f"({joined})" if len(lexemes) > 1 else joined


def to_tsquery(query: SearchQuery) -> str | None:
    """Text for PostgreSQL's `to_tsquery('simple', …)`; None when there is nothing to find."""
    included = query.included
    if not included:
        return None
    wanted = [_tsquery_term(term) for term in included]
    parts = ["(" + " | ".join(wanted) + ")"] if query.any_term else wanted
    parts.extend(f"!{_tsquery_term(term)}" for term in query.excluded)
    return " & ".join(parts)
