"""Words as the full-text index sees them: where they are in a text and how they compare.

SQLite's FTS5 `unicode61` tokenizer takes runs of letters, digits and private-use characters
as words and everything else (spaces, punctuation, symbols) as separators, lowercases them
and folds diacritics. PostgreSQL's index is fed text with ASCII punctuation turned into
spaces and Latin diacritics folded by `LATIN_FOLDS` (see `schema.py`), so both databases
split "example.com/moon-landing" into the same four words. The query compiler and the
snippet highlighter use the functions here, so what is highlighted is what was matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator


def _mark_class() -> str:
    """A regex character class of the combining marks of the Basic Multilingual Plane."""
    ranges: list[tuple[int, int]] = []
    first: int | None = None
    for code in range(0x10000):
        is_mark = unicodedata.category(chr(code))[0] == "M"
        if is_mark and first is None:
            first = code
        elif not is_mark and first is not None:
            ranges.append((first, code - 1))
            first = None
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in ranges)


_WORD = re.compile(f"(?:[^\\W_]|[{_mark_class()}])+")
"""A word: letters, digits and combining marks (FTS5 `unicode61`: `L* N*`, marks folded)."""


def _latin_folds() -> dict[str, str]:
    """Each precomposed Latin letter with diacritics → its base letter ("é" → "e")."""
    folds: dict[str, str] = {}
    for start, end in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
        for code in range(start, end):
            char = chr(code)
            decomposed = unicodedata.normalize("NFD", char)
            base = decomposed[0]
            if (
                len(decomposed) > 1
                and base.isascii()
                and base.isalpha()
                and all(unicodedata.category(mark) == "Mn" for mark in decomposed[1:])
            ):
                folds[char] = base
    return folds


LATIN_FOLDS: dict[str, str] = _latin_folds()
"""Accented Latin letters and their base letters; PostgreSQL's index folds with the same."""
_FOLD_TABLE = str.maketrans(LATIN_FOLDS)


def fold(word: str) -> str:
    """How a word is compared: lower case, Latin diacritics folded ("Café" → "cafe")."""
    return unicodedata.normalize("NFC", word).lower().translate(_FOLD_TABLE)


def word_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word of `text`, in order."""
    for match in _WORD.finditer(text):
        yield match.span()


def words(text: str) -> list[str]:
    """The folded words of `text` ("Moon-landing, 1969" → ["moon", "landing", "1969"])."""
    return [fold(text[start:end]) for start, end in word_spans(text)]
