"""One bibliography for a document: which sources its applied text cites, numbered once.

A reply cites its own sources as `[1]`, `[2]` … (`ChatMessage.sources`, numbered per reply).
Once replies are applied into a section and edited, the section's text no longer says which
reply a marker came from, so the rule is:

1. **Applied replies.** A reply of the section's chat counts when its text (as the editor
   put it in: controls made visible) appears whole in a version of the section recorded as
   an applied reply (`SectionVersion.source == "applied_reply"`). Its place in the order is
   the first such version.
2. **Markers.** `[n]`, `[n, m]` and `[n-m]` in the section's *current* text are citations;
   not inside code (fenced, indented or inline), not a link (`[1](…)`, `[x][1]`, `[1]: …`),
   not glued to a word (`x[1]`), not escaped (`\\[1]`).
3. **Which reply.** A marker `[n]` belongs to an applied reply that has a source numbered n:
   the one whose paragraphs share the most words with the paragraph around the marker (so an
   edited paragraph still finds its reply); a tie goes to the reply applied last.
4. **One list.** Sources are the same when their URLs are (scheme and host in lower case,
   no `#fragment`, an empty path is `/`), or, for passages of the user's files, the same
   file and location. They are numbered in the order the document first cites them.
5. A marker no applied reply explains is left as written and reported (`unresolved`).

Nothing here touches the stored text: `rewrite` returns the section's text for the export.
The sources are `cited_sources`, the markers `citation_markers`; `reference_lists` writes
the list out (Markdown, BibTeX, CSL-JSON).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from vicechat_tui.core.text_safety import make_visible
from vicechat_tui.core.transfer.citation_markers import find_markers
from vicechat_tui.core.transfer.cited_sources import CitedSource

CitationStyle = Literal["numeric", "author-date"]
CITATION_STYLES: tuple[CitationStyle, ...] = ("numeric", "author-date")
REFERENCES_TITLE = "References"
_WORD = re.compile(r"\w+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True, slots=True)
class AppliedReply:
    """A reply that went into the section, with its sources by the reply's numbers."""

    message_id: int
    order: int
    """When it was applied (the version number that first held it): later wins a tie."""
    text: str
    sources: Mapping[int, CitedSource]

    def paragraph_words(self) -> list[frozenset[str]]:
        return [_words(part) for part in _BLANK_LINE.split(self.text) if part.strip()]


@dataclass(frozen=True, slots=True)
class SectionText:
    """What the bibliography needs of a section: its current text and its applied replies."""

    section_id: int
    content: str
    replies: Sequence[AppliedReply] = ()


def applied_replies(
    versions: Iterable[tuple[int, str]], replies: Iterable[tuple[int, str, Sequence[CitedSource]]]
) -> list[AppliedReply]:
    """The replies among `replies` (id, text, sources) found whole in an applied version.

    `versions` are (version number, content) of the section's "applied_reply" versions.
    """
    ordered = sorted(versions)
    found: list[AppliedReply] = []
    for message_id, text, sources in replies:
        if not sources:
            continue
        forms = {form for form in (make_visible(text).strip(), text.strip()) if form}
        order = next(
            (number for number, content in ordered if any(form in content for form in forms)),
            None,
        )
        if order is not None:
            by_number = {source.number: source for source in sources}
            found.append(AppliedReply(message_id, order, make_visible(text), by_number))
    return sorted(found, key=lambda reply: (reply.order, reply.message_id))


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of the document's References."""

    number: int
    source: CitedSource
    label: str = ""
    """The author-date label, e.g. `example.org, 2025a`."""

    @property
    def key(self) -> str:
        return f"ref{self.number}"


@dataclass(frozen=True, slots=True)
class _Marker:
    start: int
    end: int
    numbers: tuple[int, ...]
    references: tuple[int | None, ...]
    """Document-wide numbers, None where the marker's number matched no source."""


@dataclass
class Bibliography:
    """The document's references and, per section, where its markers are and what they mean."""

    references: list[Reference] = field(default_factory=list)
    markers: dict[int, list[_Marker]] = field(default_factory=dict)
    unresolved: list[tuple[int, int]] = field(default_factory=list)
    """(section id, marker number) for each marker no applied reply explains."""

    def rewrite(self, section_id: int, content: str, style: CitationStyle = "numeric") -> str:
        """The section's text with its markers as the document's numbers (or labels).

        Markers come out escaped (`\\[4\\]`) so no Markdown reads them as links.
        """
        markers = self.markers.get(section_id)
        if not markers:
            return content
        by_number = {reference.number: reference for reference in self.references}
        pieces: list[str] = []
        done = 0
        for marker in markers:
            pieces.append(content[done : marker.start])
            pieces.append(_marker_text(marker, by_number, style))
            done = marker.end
        pieces.append(content[done:])
        return "".join(pieces)

    def ordered(self, style: CitationStyle) -> list[Reference]:
        """The references in the order the list shows them (alphabetical for author-date)."""
        if style == "numeric":
            return list(self.references)
        return sorted(self.references, key=lambda reference: reference.label.lower())


def _marker_text(marker: _Marker, by_number: Mapping[int, Reference], style: CitationStyle) -> str:
    if style == "author-date" and all(number is not None for number in marker.references):
        labels = dict.fromkeys(by_number[n].label for n in marker.references if n is not None)
        return "(" + "; ".join(escape_markdown(label) for label in labels) + ")"
    shown = dict.fromkeys(
        str(reference) if reference is not None else str(original)
        for original, reference in zip(marker.numbers, marker.references, strict=True)
    )
    return "\\[" + ", ".join(shown) + "\\]"


def _words(text: str) -> frozenset[str]:
    return frozenset(word.lower() for word in _WORD.findall(text) if not word.isdigit())


def _overlap(paragraph: frozenset[str], reply: AppliedReply) -> float:
    best = 0.0
    for words in reply.paragraph_words():
        union = len(paragraph | words)
        if union:
            best = max(best, len(paragraph & words) / union)
    return best


def _paragraph_around(text: str, position: int) -> str:
    starts = [match.end() for match in _BLANK_LINE.finditer(text, 0, position)]
    start = starts[-1] if starts else 0
    after = _BLANK_LINE.search(text, position)
    return text[start : after.start() if after else len(text)]


def _reply_for(
    number: int, paragraph: frozenset[str], replies: Sequence[AppliedReply]
) -> AppliedReply | None:
    candidates = [reply for reply in replies if number in reply.sources]
    if not candidates:
        return None
    return max(candidates, key=lambda reply: (_overlap(paragraph, reply), reply.order))


def build_bibliography(sections: Iterable[SectionText]) -> Bibliography:
    """Resolve every marker of every section (in reading order) and number the sources."""
    bibliography = Bibliography()
    numbers: dict[tuple[str, ...], int] = {}
    for section in sections:
        if not section.replies:
            bibliography.unresolved.extend(
                (section.section_id, number)
                for _, _, found in find_markers(section.content)
                for number in found
            )
            continue
        markers: list[_Marker] = []
        for start, end, found in find_markers(section.content):
            paragraph = _words(_paragraph_around(section.content, start))
            resolved: list[int | None] = []
            for number in found:
                reply = _reply_for(number, paragraph, section.replies)
                if reply is None:
                    bibliography.unresolved.append((section.section_id, number))
                    resolved.append(None)
                    continue
                source = reply.sources[number]
                if source.identity not in numbers:
                    numbers[source.identity] = len(numbers) + 1
                    bibliography.references.append(Reference(numbers[source.identity], source))
                resolved.append(numbers[source.identity])
            if any(reference is not None for reference in resolved):
                markers.append(_Marker(start, end, found, tuple(resolved)))
        if markers:
            bibliography.markers[section.section_id] = markers
    bibliography.references = _with_labels(bibliography.references)
    return bibliography


def _with_labels(references: list[Reference]) -> list[Reference]:
    """Author-date labels: site and year read, with a, b … where two would be the same."""
    bases = [
        f"{reference.source.site or reference.source.title or 'Untitled'}, "
        f"{reference.source.read_on.year if reference.source.read_on else 'n.d.'}"
        for reference in references
    ]
    counts: dict[str, int] = {}
    for base in bases:
        counts[base] = counts.get(base, 0) + 1
    seen: dict[str, int] = {}
    labelled = []
    for reference, base in sorted(
        zip(references, bases, strict=True),
        key=lambda pair: (pair[1].lower(), pair[0].source.title.lower(), pair[0].number),
    ):
        suffix = ""
        if counts[base] > 1:
            suffix = "abcdefghijklmnopqrstuvwxyz"[seen.get(base, 0) % 26]
            seen[base] = seen.get(base, 0) + 1
        labelled.append(Reference(reference.number, reference.source, base + suffix))
    return sorted(labelled, key=lambda reference: reference.number)


_MARKDOWN_PUNCTUATION = re.compile(r"([!#$&()*+\-.:<>\[\\\]^_`{|}~])")


def escape_markdown(text: str) -> str:
    """`text` as literal Markdown, one line: every mark that can start markup escaped."""
    one_line = " ".join(make_visible(text).split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", one_line)
