"""The search syntax: each form parses to the tree it should, the compilers quote every word,
and any text at all parses (property test) into syntax that can only hold quoted words."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from vicechat_tui.core.search.compile import to_fts5, to_tsquery
from vicechat_tui.core.search.query import MAX_QUERY_CHARS, Kind, Term, parse_query
from vicechat_tui.core.search.snippets import Snippet, make_snippet, match_spans
from vicechat_tui.core.search.tokens import fold, words


def test_words_split_like_the_index() -> None:
    assert words("Moon-landing, 1969: https://en.Wikipedia.org/wiki/Moon") == [
        "moon",
        "landing",
        "1969",
        "https",
        "en",
        "wikipedia",
        "org",
        "wiki",
        "moon",
    ]
    assert words("Café naïve snake_case 世界") == ["cafe", "naive", "snake", "case", "世界"]
    assert fold("ÉCOLE") == "ecole"


def test_each_form_of_the_syntax() -> None:
    query = parse_query('moon "Sea of Tranquility" -apollo tranq* -"dark side"')
    assert query.terms == (
        Term(("moon",)),
        Term(("sea", "of", "tranquility")),
        Term(("apollo",), excluded=True),
        Term(("tranq",), prefix=True),
        Term(("dark", "side"), excluded=True),
    )
    assert query.hints == ()


def test_filters() -> None:
    zone = timezone(timedelta(hours=2))
    query = parse_query(
        "x in:sections,Chats in:sources doc:12 status:draft,final after:2024-05 before:2025",
        timezone=zone,
    )
    assert query.kinds == frozenset({Kind.SECTION, Kind.CHAT, Kind.SOURCE})
    assert query.document == 12
    assert query.statuses == frozenset({"draft", "final"})
    assert query.after == datetime(2024, 5, 1, tzinfo=zone)
    assert query.before == datetime(2025, 1, 1, tzinfo=zone)
    assert query.hints == ()
    assert parse_query("x doc:this").document == "current"
    assert parse_query("x status:final").wants(Kind.DOCUMENT) is False


def test_bad_filters_are_hints_not_errors() -> None:
    query = parse_query("x in:everything status:done doc:abc after:2024-13-45 before: -in:chats")
    assert query.terms == (Term(("x",)),)
    assert (query.kinds, query.statuses, query.document, query.after) == (None, None, None, None)
    assert query.hints == (
        "in: takes sections, chats, sources or documents.",
        "status: takes draft, review or final.",
        "doc: takes a document number or 'this' (the current document).",
        "after: takes a date like 2024-05-01, 2024-05 or 2024.",
        "before: needs a value, for example before:2024-06.",
        "Filters cannot be excluded: -in:chats was left out.",
    )


def test_what_cannot_be_searched_says_why() -> None:
    assert parse_query("").hints == () and not parse_query("").searchable
    assert parse_query("-apollo").hints == (
        "Add a word to look for: a search cannot be made of excluded words only.",
    )
    assert parse_query("in:chats").hints == ("Add a word to look for.",)
    assert parse_query('"unclosed phrase').terms == (Term(("unclosed", "phrase")),)
    assert parse_query('"unclosed phrase').hints[0].startswith("A quote was not closed")
    assert parse_query("m*").terms == (Term(("m",)),)
    assert "m* was searched as the word m" in parse_query("m*").hints[0]
    long = parse_query("word " * 5000)
    assert len(long.terms) == 24 and any(f"{MAX_QUERY_CHARS:,} characters" in h for h in long.hints)


def test_operators_and_keywords_are_words() -> None:
    query = parse_query("NEAR(a b) AND OR NOT ^x {title}: col:value - * ** -- \"\" ''")
    assert [term.words for term in query.terms] == [
        ("near", "a"),
        ("b",),
        ("and",),
        ("or",),
        ("not",),
        ("x",),
        ("title",),
        ("col", "value"),
    ]
    assert to_fts5(query) == (
        '"near a" AND "b" AND "and" AND "or" AND "not" AND "x" AND "title" AND "col value"'
    )


def test_compilers() -> None:
    query = parse_query('moon "sea of"* -apollo -"x y"')
    assert to_fts5(query) == '("moon" AND "sea of"*) NOT ("apollo" OR "x y")'
    assert to_fts5(query, ["content"]) == (
        '{content} : (("moon" AND "sea of"*) NOT ("apollo" OR "x y"))'
    )
    assert to_tsquery(query) == "'moon' & ('sea' <-> 'of':*) & !'apollo' & !('x' <-> 'y')"
    assert to_fts5(parse_query("-x")) is None and to_tsquery(parse_query("-x")) is None


_FTS5_QUERY = re.compile(r'^(\(?"[^"]*"\*?( (AND|OR|NOT) \(?"[^"]*"\*?\)?)*\)?)$')
_WORD = r"'[^'\\:&|!()<>\s]+'(:\*)?"
_TSQUERY = re.compile(rf"^!?\(?{_WORD}( <-> {_WORD})*\)?( & !?\(?{_WORD}( <-> {_WORD})*\)?)*$")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400) | st.lists(st.sampled_from(list('"-*:() ^{}NEAROTD'))).map("".join))
def test_any_text_compiles_to_quoted_words_only(text: str) -> None:
    query = parse_query(text)
    fts5, tsquery = to_fts5(query), to_tsquery(query)
    assert (fts5 is None) == (tsquery is None) == (not query.searchable)
    if fts5 is not None and tsquery is not None:
        unquoted = re.sub(r'"[^"]*"', '""', fts5)
        assert set(unquoted) <= set('"()* ANDORT'), unquoted
        assert _FTS5_QUERY.match(fts5.replace("(", "").replace(")", "")), fts5
        assert _TSQUERY.match(tsquery), tsquery
    assert len(query.text) == len(text) and len(query.terms) <= 24


def test_matches_and_snippets_in_python() -> None:
    query = parse_query('"sea of" tranq*')
    text = "The Sea  of\nTranquility is a mare. " + "filler " * 40 + "sea"
    spans = match_spans(text, query)
    assert [text[a:b] for a, b in spans] == ["Sea  of", "Tranquility"]
    snippet = make_snippet(text, query, words=8)
    assert snippet.text.startswith("The Sea of Tranquility is") and snippet.text.endswith("…")
    assert [snippet.text[a:b] for a, b in snippet.highlights] == ["Sea of", "Tranquility"]
    late = make_snippet("word " * 100 + "target end", parse_query("target"), words=6)
    assert late.text.startswith("…") and "target" in late.text


def test_marked_snippets_cannot_style_themselves() -> None:
    snippet = Snippet.from_marked("[bold]a[/bold] \ue000b\ue001 \x1b[31m \ue001c\ue000")
    assert snippet.segments == (
        ("[bold]a[/bold] ", False),
        ("b", True),
        (" \x1b[31m c", False),
    )
    assert snippet.highlights == ((15, 16),)
