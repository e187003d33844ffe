"""BM25 of a few candidate rows on SQLite, worked out here from what FTS5 keeps cheaply.

FTS5's own `bm25()` first counts, for every phrase of the query, the rows of the whole table
that hold it (its IDF), on each statement: a word found in 200,000 messages costs ~10 ms
and a phrase ~50 ms before the first row is scored. The search ranks only the newest few
hundred matches of each kind, so this module scores those with the same formula (k1 1.2,
b 0.75, column weights, IDF clamped to 1e-6, as FTS5's `bm25()`), from:

- the table's row count and token totals: FTS5's averages record (`<index>_data`, id 1);
- each row's length in tokens: `<index>_docsize`;
- each term's count in each column of a row: the row's `highlight()` (its matches between
  `OPEN` and `CLOSE`), the marked words matched against the query's terms;
- each term's number of rows: counted exactly up to `DOCUMENT_COUNT_BOUND` matches; past
  that, estimated from how densely the newest matches sit among the table's rows (the IDF
  of so common a term is small either way).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from vicechat_tui.core.search.query import Term
from vicechat_tui.core.search.snippets import CLOSE, OPEN, term_matches_at
from vicechat_tui.core.search.tokens import words

K1 = 1.2
B = 0.75
SMALLEST_IDF = 1e-6
"""FTS5 clamps a term found in more than half the rows to this."""
DOCUMENT_COUNT_BOUND = 500
_MARKED = re.compile(f"{OPEN}(.*?){CLOSE}", re.DOTALL)


def read_varints(data: bytes) -> list[int]:
    """The SQLite varints FTS5 writes one after another (big-endian, 7 bits a byte; a ninth
    byte carries 8)."""
    values: list[int] = []
    position, end = 0, len(data)
    while position < end:
        value = 0
        for count in range(9):
            if position >= end:
                return values  # cut short: what was whole
            byte = data[position]
            position += 1
            if count == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        values.append(value)
    return values


@dataclass(frozen=True, slots=True)
class IndexTotals:
    """How many rows an FTS5 table holds and how many tokens in all."""

    rows: int
    tokens: int

    @classmethod
    def from_record(cls, record: bytes | None) -> IndexTotals:
        """From FTS5's averages record: the row count, then each column's token total."""
        values = read_varints(record or b"")
        return cls(values[0], sum(values[1:])) if values else cls(0, 0)

    @property
    def average_length(self) -> float:
        return self.tokens / self.rows if self.rows and self.tokens else 1.0

    def idf(self, matching_rows: float) -> float:
        """FTS5's IDF of a term held by `matching_rows` of the rows."""
        value = math.log((self.rows - matching_rows + 0.5) / (matching_rows + 0.5))
        return value if value > 0 else SMALLEST_IDF


def estimated_matches(count: int, oldest: int, lowest_key: int, highest_key: int) -> float:
    """How many rows hold a term, given `count` of its newest matches (at most
    `DOCUMENT_COUNT_BOUND`), the `oldest` key among them and the table's key range: exact
    below the bound, else the density of those matches over the keys they span, applied to
    the whole range."""
    if count < DOCUMENT_COUNT_BOUND:
        return float(count)
    spanned = max(highest_key - oldest + 1, 1)
    whole = max(highest_key - lowest_key + 1, spanned)
    return count * whole / spanned


class TermCounter:
    """How often each term occurs in a highlighted text, per term (one counter per query,
    so the marked pieces, which repeat, are read once)."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.terms = tuple(terms)
        self._pieces: dict[str, tuple[int, ...]] = {}
        self._one_word = len(self.terms) == 1 and len(self.terms[0].words) == 1
        """One word (or prefix) alone: its matches never overlap, so each is one piece."""

    def counts(self, marked: str | None) -> tuple[int, ...]:
        if not marked:
            return (0,) * len(self.terms)
        if self._one_word:
            return (marked.count(OPEN),)
        totals = [0] * len(self.terms)
        for piece, times in Counter(_MARKED.findall(marked)).items():
            for index, count in enumerate(self._piece_counts(piece)):
                totals[index] += count * times
        return tuple(totals)

    def _piece_counts(self, piece: str) -> tuple[int, ...]:
        known = self._pieces.get(piece)
        if known is None:
            folded = words(piece)
            known = tuple(_occurrences(term, folded) for term in self.terms)
            self._pieces[piece] = known
        return known


def _occurrences(term: Term, folded: Sequence[str]) -> int:
    return sum(1 for at in range(len(folded)) if term_matches_at(term, folded, at))


class Bm25:
    """FTS5's `bm25()` (negated: larger is better) for one query on one index."""

    def __init__(
        self,
        terms: Sequence[Term],
        weights: Sequence[float],
        totals: IndexTotals,
        idfs: Sequence[float],
    ) -> None:
        self._counter = TermCounter(terms)
        self._weights = tuple(weights)
        self._idfs = tuple(idfs)
        self._average = totals.average_length

    def score(self, marked: Sequence[str | None], sizes: bytes | None) -> float:
        """The score of a row from each column's `highlight()` and its `_docsize` record."""
        frequencies = [0.0] * len(self._idfs)
        for weight, text in zip(self._weights, marked, strict=True):
            for index, count in enumerate(self._counter.counts(text)):
                frequencies[index] += weight * count
        length = sum(read_varints(sizes or b""))
        norm = K1 * (1 - B + B * length / self._average)
        return sum(
            idf * (frequency * (K1 + 1)) / (frequency + norm)
            for frequency, idf in zip(frequencies, self._idfs, strict=True)
        )
