"""Markdown ⇄ section tree, as plain data (no database).

Reading (`parse_markdown`):
- Line endings are normalised: CRLF and lone CR become LF; a leading BOM is dropped.
- Headings are ATX only (`#` … `######`, at most three spaces of indentation, then a space,
  a tab or the end of the line). Setext headings (`Title` over `===`/`---`) stay text: a
  `---` line is too often a thematic break, and export never writes them.
- Lines inside fenced code blocks (``` or ~~~, any length ≥ 3, with info strings; closed by
  the same character at least as long) and inside HTML comments are never headings. An
  unclosed fence runs to the end of the file, as in CommonMark.
- Exactly one `#` heading that is also the first heading is the document title. Otherwise
  there is no title and every heading is a section.
- A heading nests under the nearest earlier heading of a shallower level (so H2→H4 nests the
  H4 under the H2); with none, it is a top-level section.
- Text before the first section heading (around the title) becomes a section "Introduction".
- A section's content is the text up to the next heading, without leading and trailing
  blank lines; everything else (indentation, trailing spaces, tables, Unicode) is kept.

Writing (`render_markdown`): `# title`, then each section as a heading two levels below its
depth (top level is `##`), a blank line, its content and a blank line. Titles ending in `#`
get a closing sequence so they read back whole. Content that leaves a code fence open gets
a closing fence, so later sections are not swallowed. Sections deeper than five levels are
written as `######` (Markdown has no deeper heading) and read back one level up.

For any tree whose contents hold no heading lines outside code and no edge blank lines,
`parse_markdown(render_markdown(tree))` gives the same tree back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

INTRODUCTION_TITLE = "Introduction"
UNTITLED_SECTION = "Untitled"
MAX_HEADING_LEVEL = 6

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_COMMENT_OPEN = re.compile(r"^ {0,3}<!--")


@dataclass
class MarkdownSection:
    """One section read from (or written to) Markdown."""

    title: str
    content: str = ""
    children: list[MarkdownSection] = field(default_factory=list)


@dataclass
class MarkdownDocument:
    """A document's title (None when the text names none) and its top-level sections."""

    title: str | None
    sections: list[MarkdownSection] = field(default_factory=list)


@dataclass
class _Heading:
    level: int
    title: str
    line: int


def normalise_newlines(text: str) -> str:
    """LF line endings only."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _heading_of(line: str) -> tuple[int, str] | None:
    match = _ATX_HEADING.match(line)
    if match is None:
        return None
    text = match.group(2) or ""
    text = _CLOSING_HASHES.sub("", text, count=1) if text else ""
    return len(match.group(1)), text.strip()


class _FenceTracker:
    """Follows code fences and HTML comments line by line."""

    def __init__(self) -> None:
        self._fence: tuple[str, int] | None = None
        self._in_comment = False

    @property
    def inside(self) -> bool:
        return self._fence is not None or self._in_comment

    def feed(self, line: str) -> bool:
        """Take one line; True when the line is code or comment (so not a heading)."""
        if self._fence is not None:
            char, length = self._fence
            rest = line.lstrip(" ")
            run = len(rest) - len(rest.lstrip(char))
            if len(line) - len(rest) <= 3 and run >= length and not rest[run:].strip(" \t"):
                self._fence = None
            return True
        if self._in_comment:
            if "-->" in line:
                self._in_comment = False
            return True
        fence = _FENCE_OPEN.match(line)
        if fence is not None:
            marker, info = fence.group(1), fence.group(2)
            if not (marker[0] == "`" and "`" in info):
                self._fence = (marker[0], len(marker))
                return True
        if _COMMENT_OPEN.match(line):
            self._in_comment = "-->" not in line.split("<!--", 1)[1]
            return True
        return False

    def closing_line(self) -> str | None:
        """The line that would end the open fence or comment, if one is open."""
        if self._fence is not None:
            char, length = self._fence
            return char * length
        return "-->" if self._in_comment else None


def _trim_blank_lines(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def parse_markdown(text: str) -> MarkdownDocument:
    """Read a Markdown text into a title and a nested section tree."""
    lines = normalise_newlines(text.removeprefix("\ufeff")).split("\n")
    tracker = _FenceTracker()
    headings: list[_Heading] = []
    for number, line in enumerate(lines):
        if tracker.feed(line):
            continue
        found = _heading_of(line)
        if found is not None:
            headings.append(_Heading(found[0], found[1] or UNTITLED_SECTION, number))

    top_level = [heading for heading in headings if heading.level == 1]
    title_heading = headings[0] if len(top_level) == 1 and headings[0].level == 1 else None
    section_headings = [heading for heading in headings if heading is not title_heading]

    document = MarkdownDocument(title=title_heading.title if title_heading else None)
    first_section_line = section_headings[0].line if section_headings else len(lines)
    before = lines[:first_section_line]
    if title_heading is None:
        introduction = _trim_blank_lines(before)
    else:
        around = (before[: title_heading.line], before[title_heading.line + 1 :])
        introduction = "\n\n".join(filter(None, (_trim_blank_lines(part) for part in around)))
    if introduction:
        document.sections.append(MarkdownSection(INTRODUCTION_TITLE, introduction))

    stack: list[tuple[int, MarkdownSection]] = []
    for index, heading in enumerate(section_headings):
        end = section_headings[index + 1].line if index + 1 < len(section_headings) else len(lines)
        section = MarkdownSection(heading.title, _trim_blank_lines(lines[heading.line + 1 : end]))
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        (stack[-1][1].children if stack else document.sections).append(section)
        stack.append((heading.level, section))
    return document


def _heading_line(level: int, title: str) -> str:
    hashes = "#" * min(level, MAX_HEADING_LEVEL)
    if title.endswith("#"):
        return f"{hashes} {title} #"
    return f"{hashes} {title}"


def _close_open_fence(content: str) -> str:
    tracker = _FenceTracker()
    for line in content.split("\n"):
        tracker.feed(line)
    closing = tracker.closing_line()
    return content if closing is None else f"{content}\n{closing}"


def render_markdown(document: MarkdownDocument) -> str:
    """Write a title and section tree as Markdown (LF line endings, ends with one newline)."""
    blocks: list[str] = []
    if document.title is not None:
        blocks.append(_heading_line(1, document.title))

    def walk(sections: list[MarkdownSection], level: int) -> None:
        for section in sections:
            blocks.append(_heading_line(level, section.title))
            content = _trim_blank_lines(normalise_newlines(section.content).split("\n"))
            if content:
                blocks.append(_close_open_fence(content))
            walk(section.children, level + 1)

    walk(document.sections, 2)
    return "\n\n".join(blocks) + "\n" if blocks else ""
