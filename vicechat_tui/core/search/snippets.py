"""Where a query matches in a text, and a one-line snippet around it with the matches marked.

FTS5 cuts SQLite's snippets (`snippet()`, with `OPEN`/`CLOSE` around each match); this
module cuts PostgreSQL's the same way from the text itself, finds the matches the editor
jumps to and highlights titles. Snippets carry their highlights as data (segments), never as
markup, so a text cannot style itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from vicechat_tui.core.search.query import SearchQuery, Term
from vicechat_tui.core.search.tokens import fold, word_spans

OPEN, CLOSE = "\ue000", "\ue001"
"""Private-use characters around a match in the snippets FTS5 cuts."""
ELLIPSIS = "…"
SNIPPET_WORDS = 24
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Snippet:
    """One line of text in pieces; the pieces with `True` are matches."""

    segments: tuple[tuple[str, bool], ...] = ()

    @property
    def text(self) -> str:
        return "".join(piece for piece, _ in self.segments)

    @property
    def highlights(self) -> tuple[tuple[int, int], ...]:
        """(start, end) of each match in `text`."""
        found, offset = [], 0
        for piece, matched in self.segments:
            if matched:
                found.append((offset, offset + len(piece)))
            offset += len(piece)
        return tuple(found)

    @classmethod
    def from_marked(cls, marked: str) -> Snippet:
        """From text with `OPEN`…`CLOSE` around matches (unbalanced marks are tolerated)."""
        segments: list[tuple[str, bool]] = []
        for opened, part in enumerate(marked.split(OPEN)):
            if opened:
                inside, _, rest = part.partition(CLOSE)
                _append(segments, inside.replace(CLOSE, ""), True)
            else:
                inside, rest = "", part
            _append(segments, rest.replace(CLOSE, ""), False)
        return cls(tuple(segments))

    @classmethod
    def from_spans(cls, text: str, spans: Sequence[tuple[int, int]]) -> Snippet:
        """`text` with the (sorted, disjoint) `spans` marked."""
        segments: list[tuple[str, bool]] = []
        position = 0
        for start, end in spans:
            _append(segments, text[position:start], False)
            _append(segments, text[start:end], True)
            position = end
        _append(segments, text[position:], False)
        return cls(tuple(segments))


def _append(segments: list[tuple[str, bool]], piece: str, matched: bool) -> None:
    piece = _SPACES.sub(" ", piece)
    if not piece:
        return
    if segments and segments[-1][1] == matched:
        segments[-1] = (segments[-1][0] + piece, matched)
    else:
        segments.append((piece, matched))


def term_matches_at(term: Term, folded: Sequence[str], at: int) -> bool:
    """Whether `term` matches the (folded) words from `folded[at]` on."""
    wanted = term.words
    if at + len(wanted) > len(folded):
        return False
    last = len(wanted) - 1
    for offset, word in enumerate(wanted):
        found = folded[at + offset]
        if offset == last and term.prefix:
            if not found.startswith(word):
                return False
        elif found != word:
            return False
    return True


def match_spans(text: str, query: SearchQuery) -> list[tuple[int, int]]:
    """(start, end) of every place one of the query's wanted terms matches, in order."""
    terms = query.included
    if not terms or not text:
        return []
    spans = list(word_spans(text))
    folded = [fold(text[start:end]) for start, end in spans]
    found: list[tuple[int, int]] = []
    index = 0
    while index < len(spans):
        for term in terms:
            if term_matches_at(term, folded, index):
                last = index + len(term.words) - 1
                found.append((spans[index][0], spans[last][1]))
                index = last
                break
        index += 1
    return found


def make_snippet(text: str, query: SearchQuery, *, words: int = SNIPPET_WORDS) -> Snippet:
    """About `words` words of `text` around its first match, matches marked, on one line."""
    return _around(text, match_spans(text, query), words)


def cut_marked(marked: str, *, words: int = SNIPPET_WORDS) -> Snippet:
    """About `words` words around the first match of a highlighted text (FTS5's
    `highlight()`: matches between `OPEN` and `CLOSE`), on one line. Words here are what
    spaces separate, and only the characters near the first match are read, so a long text
    costs no more than a short one."""
    first = marked.find(OPEN)
    start = max(0, first - (words // 4 + 2) * _CHARS_A_WORD)
    end = max(first, 0) + words * _CHARS_A_WORD
    pieces = marked[start:end].split()
    if start > 0 and len(pieces) > 1 and OPEN not in pieces[0]:
        del pieces[0]  # maybe the end of a word that was cut
    cut_after = end < len(marked)
    if cut_after and len(pieces) > 1 and OPEN not in pieces[-1]:
        del pieces[-1]
    at = next((i for i, piece in enumerate(pieces) if OPEN in piece), 0)
    begin = max(0, min(at - words // 4, len(pieces) - words))
    shown = pieces[begin : begin + words]
    segments = Snippet.from_marked(" ".join(shown)).segments
    before = ((ELLIPSIS, False),) if start > 0 or begin > 0 else ()
    after = ((ELLIPSIS, False),) if cut_after or begin + words < len(pieces) else ()
    return Snippet(before + segments + after)


_CHARS_A_WORD = 16
"""Characters read for each word a snippet shows (longer words make a shorter snippet)."""


def _around(text: str, matches: Sequence[tuple[int, int]], words: int) -> Snippet:
    """`words` words of `text` from a little before the first of `matches`, marked."""
    spans = list(word_spans(text))
    if not spans:
        return Snippet.from_spans(text[:200], [])
    first_word = 0
    if matches:
        first_start = matches[0][0]
        at = next(i for i, (start, _) in enumerate(spans) if start >= first_start)
        first_word = max(0, min(at - words // 4, len(spans) - words))
    last_word = min(len(spans), first_word + words) - 1
    start = 0 if first_word == 0 else spans[first_word][0]
    end = len(text) if last_word == len(spans) - 1 else spans[last_word][1]
    inside = [(a - start, b - start) for a, b in matches if a >= start and b <= end]
    snippet = Snippet.from_spans(text[start:end], inside)
    prefix = ((ELLIPSIS, False),) if start > 0 else ()
    suffix = ((ELLIPSIS, False),) if end < len(text) else ()
    return Snippet(prefix + snippet.segments + suffix)
