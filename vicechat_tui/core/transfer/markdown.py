"""Markdown ⇄ section tree, as plain data (no database).

Reading (`parse_markdown`) follows CommonMark's block structure, as markdown-it's block
parser finds it:
- Line endings are normalised: CRLF and lone CR become LF; a leading BOM is dropped.
- Section headings are ATX headings (`#` … `######`) at the top level of the document. A
  `#` line inside fenced or indented code, an HTML block (comments included), a block quote
  or a list item is content: it belongs to that block, and splitting there would cut the
  block in two. An unclosed fence runs to the end of the file, as in CommonMark.
- Setext headings (`Title` over `===`/`---`) stay text: a `---` line is too often a
  thematic break, and export never writes them.
- Exactly one `#` heading that is also the first heading is the document title. Otherwise
  there is no title and every heading is a section.
- A heading nests under the nearest earlier heading of a shallower level (so H2→H4 nests the
  H4 under the H2); with none, it is a top-level section.
- Text before the first section heading (around the title) becomes a section "Introduction".
- A section's content is the source text up to the next heading, without leading and
  trailing blank lines; everything else (indentation, trailing spaces, tables, Unicode) is
  kept.

Writing (`render_markdown`): `# title`, then each section as a heading two levels below its
depth (top level is `##`), a blank line, its content and a blank line. Titles ending in `#`
get a closing sequence so they read back whole. Content that leaves a code fence or a raw
HTML block (`<pre>`, a comment, `<?…?>`, …) open gets the line that closes it, so later
sections are not swallowed. Sections deeper than five levels are written as `######`
(Markdown has no deeper heading) and read back one level up.

For any tree whose contents hold no top-level heading lines and no edge blank lines,
`parse_markdown(render_markdown(tree))` gives the same tree back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

INTRODUCTION_TITLE = "Introduction"
UNTITLED_SECTION = "Untitled"
MAX_HEADING_LEVEL = 6

# Block rules only: inline parsing is not needed, and "normalize" would turn NUL into U+FFFD
# in titles (line endings are normalised here). Past maxNesting levels markdown-it skips to
# the end of the enclosing block, which for a list is the rest of the file: at the default
# of 20 one line of eleven nested "- " markers would hide every later heading; at 100 it
# takes fifty, and the parser's recursion stays bounded.
_BLOCKS = MarkdownIt("commonmark", {"maxNesting": 100}).disable(["lheading", "inline", "normalize"])
# Only a fence or an HTML block can swallow a heading after a blank line; without "```", "~~~"
# or "<" the content cannot leave either open (most sections need no parse when written).
_MAY_LEAVE_OPEN = re.compile(r"```|~~~|<")
_RAW_TEXT_TAG = re.compile(r"\s*<(script|pre|style|textarea)\b", re.IGNORECASE)
# The lines that end CommonMark's other HTML blocks that a blank line does not end:
# declarations (<!DOCTYPE …>), comments, processing instructions, CDATA.
_HTML_BLOCK_ENDS = (">", "-->", "?>", "]]>")


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


def _top_level_headings(text: str) -> list[_Heading]:
    tokens = _BLOCKS.parse(text)
    headings: list[_Heading] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map:
            title = tokens[index + 1].content.strip() or UNTITLED_SECTION
            headings.append(_Heading(len(token.markup), title, token.map[0]))
    return headings


def _trim_blank_lines(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def parse_markdown(text: str) -> MarkdownDocument:
    """Read a Markdown text into a title and a nested section tree."""
    text = normalise_newlines(text.removeprefix("\ufeff"))
    lines = text.split("\n")
    headings = _top_level_headings(text)

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


def _open_block(content: str) -> Token | None:
    """The top-level block `content` leaves open so that it would swallow a next heading."""
    probe = f"{content}\n\n#"
    probe_line = probe.count("\n")
    for token in _BLOCKS.parse(probe):
        if token.level == 0 and token.map and token.map[1] > probe_line:
            return None if token.type == "heading_open" else token
    return None


def _closing_line(content: str) -> str | None:
    """The line that closes the fence or HTML block `content` leaves open, if any."""
    block = _open_block(content) if _MAY_LEAVE_OPEN.search(content) else None
    if block is None:
        return None
    if block.type == "fence":
        return block.markup  # the opening run: same character, same length
    raw_text = _RAW_TEXT_TAG.match(block.content)
    candidates = (f"</{raw_text.group(1).lower()}>",) if raw_text else _HTML_BLOCK_ENDS
    return next((line for line in candidates if _open_block(f"{content}\n{line}") is None), None)


def close_open_block(content: str) -> str:
    """`content` plus the line that closes a fence or HTML block it leaves open, if any."""
    closing = _closing_line(content)
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
                closing = _closing_line(content)
                blocks.append(content if closing is None else f"{content}\n{closing}")
            walk(section.children, level + 1)

    walk(document.sections, 2)
    return "\n\n".join(blocks) + "\n" if blocks else ""
