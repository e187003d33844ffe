"""Citation markers in a section's Markdown: `[n]`, `[n, m]` and `[n-m]`, not inside code
(fenced, indented or inline), not a link (`[1](…)`, `[x][1]`, `[1]: …`), not glued to a
word (`x[1]`), not escaped (`\\[1]`). Rule 2 of `bibliography`."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

MAX_RANGE = 50
"""`[3-7]` expands to 3…7; a longer range is not a citation (e.g. `[1-2000]`)."""

_BLOCKS = MarkdownIt("commonmark", {"maxNesting": 100}).disable(["inline", "normalize"])
_MARKER = re.compile(
    r"(?<![\w\\\]!])\[(\s*\d{1,4}(?:\s*[,;\-–]\s*\d{1,4})*\s*)\](?![(\[]|:)",
)
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)


def _code_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of code blocks, HTML blocks and inline code in Markdown `text`."""
    line_starts = [0]
    for match in re.finditer("\n", text):
        line_starts.append(match.end())
    line_starts.append(len(text) + 1)
    ranges: list[tuple[int, int]] = []
    for token in _BLOCKS.parse(text):
        if token.type in ("fence", "code_block", "html_block") and token.map:
            first, last = token.map
            ranges.append((line_starts[first], line_starts[min(last, len(line_starts) - 1)]))
    ranges.extend(match.span() for match in _INLINE_CODE.finditer(text))
    return ranges


def _marker_numbers(inside: str) -> tuple[int, ...] | None:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", inside.strip()):
        ends = re.split(r"\s*[\-–]\s*", part)
        if len(ends) == 1:
            numbers.append(int(ends[0]))
            continue
        low, high = int(ends[0]), int(ends[-1])
        if len(ends) != 2 or not 0 < high - low <= MAX_RANGE:
            return None
        numbers.extend(range(low, high + 1))
    if any(number < 1 for number in numbers):
        return None
    return tuple(dict.fromkeys(numbers))


def find_markers(text: str) -> list[tuple[int, int, tuple[int, ...]]]:
    """(start, end, numbers) of each citation marker in `text`, in order (rule 2)."""
    if "[" not in text:
        return []
    code = _code_ranges(text) if "`" in text or "    " in text or "<" in text else []
    found = []
    for match in _MARKER.finditer(text):
        start, end = match.span()
        if any(low <= start < high for low, high in code):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip(" ") and text[end : end + 1] == ":":
            continue  # a link reference definition
        numbers = _marker_numbers(match.group(1))
        if numbers:
            found.append((start, end, numbers))
    return found
