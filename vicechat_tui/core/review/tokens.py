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


def split_lines(text: str) -> list[tuple[str, bool]]:
    """Each line of `text` (with its line break), and whether it is compared whole (a code
    fence's line or a table row). Nothing is tokenized yet: a long section's diff tokenizes
    only the lines that differ (`line_tokens`)."""
    lines: list[tuple[str, bool]] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        opening = _FENCE.match(line)
        if fence is not None:
            lines.append((line, True))
            if opening and opening.group(1) == fence:
                fence = None
        elif opening:
            fence = opening.group(1)
            lines.append((line, True))
        else:
            lines.append((line, _is_table_row(line)))
    return lines


def line_tokens(line: str, whole: bool) -> list[str]:
    """One line's tokens (see `split_lines`); no token spans two lines."""
    return [line] if whole else _PROSE_TOKEN.findall(line)


def tokenize(text: str) -> list[str]:
    """`text` as tokens whose concatenation is exactly `text`."""
    return [token for line, whole in split_lines(text) for token in line_tokens(line, whole)]


def count_words(text: str) -> int:
    """How many words `text` holds (the unit of a review's summary line)."""
    return len(_WORD.findall(text))
