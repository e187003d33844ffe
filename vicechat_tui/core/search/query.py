"""The search syntax, parsed into a small safe tree; any text parses, at worst with hints.

    moon landing         both words, anywhere (all must match)
    "sea of tranquility" the words in this order
    -apollo              not this word (or -"a phrase")
    tranq*               words starting with "tranq"
    in:sections,chats    only these kinds (sections, chats, sources, documents)
    doc:12  doc:this     only document 12, or the current one
    status:draft,review  only sections (and their chats) with this status
    after:2024-05-01 before:2024-06   dates (YYYY, YYYY-MM or YYYY-MM-DD)

Words are what the index sees (`tokens.words`): "e-mail" is the phrase "e mail", `NEAR`,
`AND` and `OR` are words, quotes need not balance. Nothing the person typed reaches a
database as syntax: the compilers (`compile.py`) quote every word themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Literal

from vicechat_tui.core.search.tokens import words

MAX_QUERY_CHARS = 2_000
"""Longer queries are cut here (with a hint); nobody types more, a paste might."""
MAX_TERMS = 24
MAX_WORDS_PER_TERM = 32
MIN_PREFIX_CHARS = 2
"""`m*` would match a good part of every text (and slowly): it is searched as the word."""
STATUSES = ("draft", "review", "final")
CURRENT_DOCUMENT: Literal["current"] = "current"


class Kind(StrEnum):
    """What a result is: a document's title or description, a section, a chat message, or the
    web sources a reply cited."""

    DOCUMENT = "document"
    SECTION = "section"
    CHAT = "chat"
    SOURCE = "source"


_KIND_NAMES = {
    **dict.fromkeys(("section", "sections"), Kind.SECTION),
    **dict.fromkeys(("chat", "chats", "message", "messages"), Kind.CHAT),
    **dict.fromkeys(("source", "sources", "web"), Kind.SOURCE),
    **dict.fromkeys(("document", "documents", "doc", "docs"), Kind.DOCUMENT),
}
_CURRENT_NAMES = ("this", "current", "here")
_FILTER = re.compile(r"(?i)(in|doc|status|after|before):(.*)")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True, slots=True)
class Term:
    """One word, or several in a row (a phrase); `prefix`: the last word may go on."""

    words: tuple[str, ...]
    prefix: bool = False
    excluded: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: terms to match and filters to apply, plus hints for the person."""

    text: str = ""
    terms: tuple[Term, ...] = ()
    kinds: frozenset[Kind] | None = None
    """None: every kind."""
    document: int | Literal["current"] | None = None
    statuses: frozenset[str] | None = None
    after: datetime | None = None
    """At or after this moment."""
    before: datetime | None = None
    """Strictly before this moment."""
    hints: tuple[str, ...] = ()
    any_term: bool = False
    """A match needs one of the included terms, not all (ranked: more matches score more)."""

    @property
    def included(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.excluded)

    @property
    def excluded(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if term.excluded)

    @property
    def searchable(self) -> bool:
        """Something must match: at least one term that is not excluded."""
        return bool(self.included)

    def wants(self, kind: Kind) -> bool:
        if self.statuses is not None and kind is Kind.DOCUMENT:
            return False  # documents have no status
        return self.kinds is None or kind in self.kinds


@dataclass
class _Parsing:
    terms: list[Term] = field(default_factory=list)
    kinds: set[Kind] | None = None
    document: int | Literal["current"] | None = None
    statuses: set[str] | None = None
    after: datetime | None = None
    before: datetime | None = None
    hints: list[str] = field(default_factory=list)

    def hint(self, text: str) -> None:
        if text not in self.hints:
            self.hints.append(text)


def parse_query(text: str, *, timezone: tzinfo = UTC) -> SearchQuery:
    """Parse `text` (never raises). Dates are read in `timezone`."""
    state = _Parsing()
    if len(text) > MAX_QUERY_CHARS:
        state.hint(f"Only the first {MAX_QUERY_CHARS:,} characters of the query are used.")
    source = text[:MAX_QUERY_CHARS]
    position, end = 0, len(source)
    while position < end:
        if source[position].isspace():
            position += 1
            continue
        excluded = source[position] == "-" and position + 1 < end
        if excluded and not source[position + 1].isspace():
            position += 1
        else:
            excluded = False
        if source[position] == '"':
            closing = source.find('"', position + 1)
            if closing < 0:
                state.hint("A quote was not closed: the phrase runs to the end of the query.")
                closing = end
            phrase = source[position + 1 : closing]
            position = closing + 1
            prefix = position < end and source[position] == "*"
            while position < end and source[position] == "*":
                position += 1
            _add_term(state, phrase, prefix=prefix, excluded=excluded)
            continue
        start = position
        while position < end and not source[position].isspace():
            position += 1
        _read_bare(state, source[start:position], excluded=excluded, timezone=timezone)
    return _finish(text, state)


_QUESTION_STOPWORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "could", "did", "do", "does",
        "for", "from", "had", "has", "have", "how", "i", "if", "in", "is", "it", "its", "me",
        "my", "of", "on", "or", "our", "should", "so", "than", "that", "the", "their", "them",
        "then", "there", "these", "they", "this", "to", "us", "was", "we", "were", "what",
        "when", "where", "which", "who", "why", "will", "with", "would", "you", "your",
    }
)  # fmt: skip


def question_query(text: str) -> SearchQuery:
    """A ranked any-word query from a question in plain words ("what did the report say about
    crater depth?" looks for report, say, crater, depth); words like "the" are left out."""
    found = list(dict.fromkeys(words(text[:MAX_QUERY_CHARS].lower())))
    kept = [word for word in found if word not in _QUESTION_STOPWORDS] or found
    terms = tuple(Term((word,)) for word in kept[:MAX_TERMS])
    return SearchQuery(text=text, terms=terms, any_term=True)


def _read_bare(state: _Parsing, token: str, *, excluded: bool, timezone: tzinfo) -> None:
    found = _FILTER.fullmatch(token)
    if found is not None:
        if excluded:
            state.hint(f"Filters cannot be excluded: -{token} was left out.")
            return
        _read_filter(state, found.group(1).lower(), found.group(2), timezone)
        return
    prefix = token.endswith("*")
    _add_term(state, token.rstrip("*"), prefix=prefix, excluded=excluded)


def _add_term(state: _Parsing, text: str, *, prefix: bool, excluded: bool) -> None:
    found = words(text)
    if not found:
        return  # punctuation or operators on their own mean nothing
    if len(state.terms) >= MAX_TERMS:
        state.hint(f"Only the first {MAX_TERMS} words or phrases are used.")
        return
    if len(found) > MAX_WORDS_PER_TERM:
        state.hint(f"A phrase is cut to its first {MAX_WORDS_PER_TERM} words.")
        found, prefix = found[:MAX_WORDS_PER_TERM], False
    if prefix and len(found[-1]) < MIN_PREFIX_CHARS:
        state.hint(
            f"Words ending in * need at least {MIN_PREFIX_CHARS} letters before the *: "
            f"{found[-1]}* was searched as the word {found[-1]}."
        )
        prefix = False
    state.terms.append(Term(tuple(found), prefix=prefix, excluded=excluded))


def _read_filter(state: _Parsing, key: str, value: str, timezone: tzinfo) -> None:
    values = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not values:
        state.hint(f"{key}: needs a value, for example {_EXAMPLES[key]}.")
        return
    if key == "in":
        kinds = {_KIND_NAMES[name] for name in values if name in _KIND_NAMES}
        if len(kinds) < len(values):
            state.hint("in: takes sections, chats, sources or documents.")
        if kinds:
            state.kinds = (state.kinds or set()) | kinds
    elif key == "status":
        statuses = {name for name in values if name in STATUSES}
        if len(statuses) < len(values):
            state.hint("status: takes draft, review or final.")
        if statuses:
            state.statuses = (state.statuses or set()) | statuses
    elif key == "doc":
        choice = values[-1]
        if choice in _CURRENT_NAMES:
            state.document = CURRENT_DOCUMENT
        elif choice.isdecimal() and 0 < len(choice) <= 18 and int(choice) > 0:
            state.document = int(choice)
        else:
            state.hint("doc: takes a document number or 'this' (the current document).")
    else:
        moment = _read_date(values[-1], timezone)
        if moment is None:
            state.hint(f"{key}: takes a date like 2024-05-01, 2024-05 or 2024.")
        elif key == "after":
            state.after = moment
        else:
            state.before = moment


_EXAMPLES = {
    "in": "in:chats",
    "doc": "doc:12 or doc:this",
    "status": "status:draft",
    "after": "after:2024-05-01",
    "before": "before:2024-06",
}


def _read_date(value: str, timezone: tzinfo) -> datetime | None:
    """The first moment of the day, month or year `value` names, in `timezone`."""
    found = _DATE.fullmatch(value)
    if found is None:
        return None
    year, month, day = (int(part) if part else 1 for part in found.groups())
    try:
        return datetime(year, month, day, tzinfo=timezone)
    except ValueError:
        return None


def _finish(text: str, state: _Parsing) -> SearchQuery:
    terms = tuple(state.terms)
    has_words = any(not term.excluded for term in terms)
    filtered = bool(state.kinds or state.document or state.statuses or state.after)
    if terms and not has_words:
        state.hint("Add a word to look for: a search cannot be made of excluded words only.")
    elif not terms and (filtered or state.before is not None or (text.strip() and not state.hints)):
        state.hint("Add a word to look for.")
    if state.after is not None and state.before is not None and state.after >= state.before:
        state.hint("Nothing can be both after the 'after:' date and before the 'before:' date.")
    return SearchQuery(
        text=text,
        terms=terms,
        kinds=frozenset(state.kinds) if state.kinds is not None else None,
        document=state.document,
        statuses=frozenset(state.statuses) if state.statuses is not None else None,
        after=state.after,
        before=state.before,
        hints=tuple(state.hints),
    )
