"""Main-text extraction from fetched pages.

HTML goes through trafilatura: it is actively maintained, well tested on real sites, and
removes boilerplate (navigation, footers, cookie banners, comment threads) far better than
anything small we could write. It is heavy to import, so it is imported on first use only
(app start-up time is benchmarked). When it returns nothing — broken or tiny HTML — a
simple HTML-to-text pass keeps the visible text. Plain text passes through. Text is capped
per page so a single page cannot crowd out the others in a prompt.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser

MAX_PAGE_CHARS = 12_000

_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form"}
)
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "br", "li", "ul", "ol", "table", "tr",
        "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "dd", "dt", "hr",
    }
)  # fmt: skip

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExtractedText:
    title: str
    text: str


class _TextCollector(HTMLParser):
    """Visible text and the <title>, tolerant of unclosed and misnested tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title_parts: list[str] = []
        self.parts: list[str] = []
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip_depth:
            self.parts.append(data)


def _collect(html: str) -> _TextCollector:
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:  # html.parser rarely raises, but a page must never crash research
        pass
    return collector


def tidy_text(text: str) -> str:
    """Collapse runs of spaces within lines and of blank lines between them."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    tidy = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", tidy).strip()


def cap_text(text: str, limit: int = MAX_PAGE_CHARS) -> str:
    """`text` cut to at most `limit` characters, at a word boundary, marked with '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ", max(0, limit - 200))
    return (cut[:space] if space > 0 else cut).rstrip() + "…"


def html_title(html: str) -> str:
    """The page's <title>, whitespace collapsed ("" when it has none)."""
    return " ".join("".join(_collect(html).title_parts).split())


def simple_html_text(html: str) -> str:
    """Visible text of `html` without scripts, styles and page chrome; the fallback path."""
    return tidy_text("".join(_collect(html).parts))


def _trafilatura_text(html: str, url: str | None) -> str:
    try:
        import trafilatura  # heavy: imported on first use only
    except ImportError:  # a broken install: keep working with the simple extractor
        logger.warning("trafilatura cannot be imported; using plain HTML-to-text")
        return ""
    try:
        text = trafilatura.extract(
            html,
            url=url,
            include_comments=False,
            include_tables=True,
            output_format="txt",
        )
    except Exception:  # trafilatura/lxml may choke on hostile input; fall back instead
        return ""
    return tidy_text(text or "")


def extract_text(
    body: str, content_type: str, *, url: str | None = None, limit: int = MAX_PAGE_CHARS
) -> ExtractedText:
    """Title and main text of a page body of type `content_type` (HTML or plain text)."""
    if content_type == "text/plain":
        return ExtractedText(title="", text=cap_text(tidy_text(body), limit))
    collector = _collect(body)
    title = " ".join("".join(collector.title_parts).split())
    text = _trafilatura_text(body, url) or tidy_text("".join(collector.parts))
    return ExtractedText(title=title, text=cap_text(text, limit))
