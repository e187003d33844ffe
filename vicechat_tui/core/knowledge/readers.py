"""A file's text as blocks, each with its place in the file and its character offsets.

Offsets count characters of the file's extracted text (for Markdown and plain text: of the
file itself). A place is a heading path ("Methods › Sampling"), a page ("page 3") or a line
("line 12") where a file has no headings. Anything that cannot be read raises
`UnreadableFile` with the reason in plain words; the caller reports it and goes on.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

HEADING_SEPARATOR = " › "
MAX_TEXT_CHARS = 20_000_000
"""Extracted text beyond this is not read (a PDF's pages can hold more than its bytes say)."""

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
TEXT_SUFFIXES = frozenset({".txt", ".text", ".rst", ".org", ".csv", ".log", ""})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
READABLE_SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}

_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r" {0,3}(```|~~~)")


class UnreadableFile(Exception):
    """A file that cannot be read into text; `reason` says why, for the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph (or a page's text) and where it is."""

    text: str
    location: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def read_blocks(path: PurePath, data: bytes) -> Iterator[Block]:
    """The blocks of a file, by its kind (its suffix; unknown ones are tried as text)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_blocks(data)
    if suffix == ".docx":
        return _docx_blocks(data)
    text = decode_text(data)
    if suffix in HTML_SUFFIXES:
        return _html_blocks(text)
    if suffix in MARKDOWN_SUFFIXES:
        return _markdown_blocks(text)
    return _markdown_blocks(text, headings=False)


def decode_text(data: bytes) -> str:
    """UTF-8 text (a BOM dropped); a binary file or another encoding is refused."""
    if b"\x00" in data[:8192]:
        raise UnreadableFile("a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"not UTF-8 text (a byte that cannot be read at position {error.start})"
        ) from None
    return text[:MAX_TEXT_CHARS]


def _paragraphs(text: str, first_line: int = 1) -> Iterator[tuple[int, int, str]]:
    """(start offset, line number, text) of each run of non-blank lines."""
    offset, line_number = 0, first_line
    start: int | None = None
    start_line = first_line
    for line in text.splitlines(keepends=True):
        if line.strip():
            if start is None:
                start, start_line = offset, line_number
        elif start is not None:
            yield start, start_line, text[start:offset].rstrip()
            start = None
        offset += len(line)
        line_number += 1
    if start is not None:
        yield start, start_line, text[start:].rstrip()


def _markdown_blocks(text: str, *, headings: bool = True) -> Iterator[Block]:
    """Paragraphs under their heading path; headings inside code fences are not headings."""
    stack: list[tuple[int, str]] = []
    in_fence: str | None = None
    paragraph_start: int | None = None
    paragraph_line = 1
    offset = 0

    def place(line_number: int) -> str:
        if stack:
            return HEADING_SEPARATOR.join(title for _, title in stack)
        return f"line {line_number}"

    def flush(end: int) -> Iterator[Block]:
        if paragraph_start is not None:
            body = text[paragraph_start:end].rstrip()
            if body.strip():
                yield Block(body, place(paragraph_line), paragraph_start)

    for line_number, line in enumerate(text.splitlines(keepends=True), start=1):
        fence = _FENCE.match(line) if headings else None
        heading = _HEADING.fullmatch(line.rstrip("\r\n")) if headings and not in_fence else None
        if fence is not None:
            in_fence = None if in_fence == fence.group(1) else (in_fence or fence.group(1))
        if heading is not None:
            yield from flush(offset)
            paragraph_start = None
            level, title = len(heading.group(1)), heading.group(2).strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title or "(untitled)"))
        elif not line.strip() and in_fence is None:
            yield from flush(offset)
            paragraph_start = None
        elif paragraph_start is None:
            paragraph_start, paragraph_line = offset, line_number
        offset += len(line)
    yield from flush(offset)


def _html_blocks(html: str) -> Iterator[Block]:
    """The page's main text (the web research extractor), paragraph by paragraph."""
    from vicechat_tui.core.research.extract import extract_text

    extracted = extract_text(html, "text/html", limit=MAX_TEXT_CHARS)
    title = extracted.title
    for start, line, body in _paragraphs(extracted.text):
        yield Block(body, title or f"line {line}", start)


def _pdf_blocks(data: bytes) -> Iterator[Block]:
    """Each page's text, as `page N` (offsets over the pages joined by blank lines)."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile("an encrypted PDF (it needs a password)")
        pages = list(reader.pages)
    except UnreadableFile:
        raise
    except Exception as error:  # pypdf raises many kinds on a damaged file
        raise UnreadableFile(f"a damaged or unsupported PDF ({type(error).__name__})") from None
    offset = 0
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except (PdfReadError, Exception):
            continue  # one unreadable page does not lose the others
        for start, _, body in _paragraphs(text):
            yield Block(body, f"page {number}", offset + start)
        offset += len(text) + 2
        if offset > MAX_TEXT_CHARS:
            return


def _docx_blocks(data: bytes) -> Iterator[Block]:
    """Paragraphs under their heading path (Word's Heading 1…9 and Title styles)."""
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        paragraphs = list(document.paragraphs)
    except Exception as error:  # not a Word file, a damaged ZIP, an encrypted file
        raise UnreadableFile(
            f"a damaged or unsupported Word file ({type(error).__name__})"
        ) from None
    stack: list[tuple[int, str]] = []
    offset = 0
    for number, paragraph in enumerate(paragraphs, start=1):
        text = paragraph.text
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = _heading_level(style)
        if level is not None and text.strip():
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text.strip()))
        elif text.strip():
            where = HEADING_SEPARATOR.join(t for _, t in stack) or f"paragraph {number}"
            yield Block(text, where, offset)
        offset += len(text) + 1
        if offset > MAX_TEXT_CHARS:
            return


def _heading_level(style: str) -> int | None:
    if style == "Title":
        return 0
    found = re.fullmatch(r"Heading (\d)", style)
    return int(found.group(1)) if found else None
