"""The document's references written out: a Markdown References section, BibTeX entries
and CSL-JSON items."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from vicechat_tui.core.text_safety import make_visible
from vicechat_tui.core.transfer.bibliography import (
    REFERENCES_TITLE,
    Bibliography,
    CitationStyle,
    Reference,
    escape_markdown,
)


def _markdown_url(url: str) -> str:
    """A web address as a Markdown autolink; anything else as escaped text."""
    if urlsplit(url).scheme.lower() in ("http", "https") and not re.search(r"[\s<>]", url):
        return f"<{url}>"
    return escape_markdown(url)


def describe_reference(reference: Reference) -> str:
    """One entry as Markdown: title, site or file, address, date read."""
    source = reference.source
    parts = [escape_markdown(source.title or source.url or source.path or "Untitled")]
    if source.kind == "file":
        place = escape_markdown(source.path)
        if source.location:
            place += f", {escape_markdown(source.location)}"
        parts.append(place)
    else:
        if source.site:
            parts.append(escape_markdown(source.site))
        if source.url:
            parts.append(_markdown_url(source.url))
    if source.read_on is not None:
        parts.append(f"Read {source.read_on.isoformat()}")
    return "\\. ".join(part.rstrip(".\\") for part in parts) + "\\."


def references_markdown(
    bibliography: Bibliography, style: CitationStyle = "numeric", *, heading_level: int = 1
) -> str:
    """The References section as Markdown (empty when nothing is cited)."""
    if not bibliography.references:
        return ""
    lines = [f"{'#' * heading_level} {REFERENCES_TITLE} {{#references .unnumbered}}", ""]
    for reference in bibliography.ordered(style):
        lead = f"\\[{reference.number}\\] " if style == "numeric" else ""
        lines.extend([f"{lead}{describe_reference(reference)}", ""])
    return "\n".join(lines)


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_BIBTEX_ESCAPES = str.maketrans(_BIBTEX_SPECIAL)


def _bibtex_text(text: str) -> str:
    return " ".join(make_visible(text).split()).translate(_BIBTEX_ESCAPES)


def _bibtex_url(url: str) -> str:
    """Braces, backslashes, quotes and spaces percent-encoded: the field stays balanced."""
    return re.sub(r"[{}\\\"\s]", lambda match: "".join(f"%{b:02X}" for b in match[0].encode()), url)


def to_bibtex(bibliography: Bibliography) -> str:
    """The references as BibTeX `@misc` entries (biblatex's `url` and `urldate`)."""
    entries = []
    for reference in bibliography.references:
        source = reference.source
        fields = [("title", f"{{{_bibtex_text(source.title or source.url or source.path)}}}")]
        if source.kind == "file":
            where = source.path + (f", {source.location}" if source.location else "")
            fields.append(("howpublished", f"{{{_bibtex_text(where)}}}"))
        else:
            if source.url:
                fields.append(("url", f"{{{_bibtex_url(source.url)}}}"))
            if source.site:
                fields.append(("organization", f"{{{_bibtex_text(source.site)}}}"))
        if source.read_on is not None:
            fields.append(("urldate", f"{{{source.read_on.isoformat()}}}"))
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        entries.append(f"@misc{{{reference.key},\n{body}\n}}\n")
    return "\n".join(entries)


def to_csl_json(bibliography: Bibliography) -> list[dict[str, Any]]:
    """The references as CSL-JSON items (what pandoc's citeproc and Zotero read)."""
    items: list[dict[str, Any]] = []
    for reference in bibliography.references:
        source = reference.source
        item: dict[str, Any] = {
            "id": reference.key,
            "citation-number": reference.number,
            "type": "document" if source.kind == "file" else "webpage",
            "title": source.title or source.url or source.path,
        }
        if source.kind == "file":
            item["archive_location"] = source.path
            if source.location:
                item["locator"] = source.location
        else:
            item["URL"] = source.url
            if source.site:
                item["container-title"] = source.site
        if source.read_on is not None:
            when = source.read_on
            item["accessed"] = {"date-parts": [[when.year, when.month, when.day]]}
        items.append(item)
    return items
