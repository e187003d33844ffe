"""Text cut into the pieces a review compares.

Prose is compared word by word: a word (letters and digits, with inner apostrophes), one
punctuation mark, or a run of whitespace is one token. Code fences and Markdown tables are
compared line by line (a whole line, with its line break, is one token): a word diff of code
or of a table row reads worse than the two lines.
"""

from __future__ import annotations

import re

_PROSE_TOKEN = re.compile(r"\w+(?:['’]\w+)*|\s+|[^\w\s]")
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_FENCE = re.compile(r" {0,3}(```|~~~)")


def _is_table_row(line: str) -> bool:
    return line.lstrip().startswith("|")


def tokenize_lines(text: str) -> list[tuple[str, list[str]]]:
    """Each line of `text` (with its line break) and its tokens; no token spans two lines."""
    lines: list[tuple[str, list[str]]] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        opening = _FENCE.match(line)
        if fence is not None:
            lines.append((line, [line]))
            if opening and opening.group(1) == fence:
                fence = None
        elif opening:
            fence = opening.group(1)
            lines.append((line, [line]))
        elif _is_table_row(line):
            lines.append((line, [line]))
        else:
            lines.append((line, _PROSE_TOKEN.findall(line)))
    return lines


def tokenize(text: str) -> list[str]:
    """`text` as tokens whose concatenation is exactly `text`."""
    return [token for _, tokens in tokenize_lines(text) for token in tokens]


def count_words(text: str) -> int:
    """How many words `text` holds (the unit of a review's summary line)."""
    return len(_WORD.findall(text))
