"""Export a document to Word, PDF, HTML, OpenDocument or EPUB with one bibliography.

The document becomes one Markdown text for pandoc: the title as metadata, each section a
heading one level below its parent's (top-level sections are level 1), its text as written
with the citation markers rewritten to the document's numbers (`bibliography`), then the
References. Markdown has six heading levels; a section nested deeper is written as a bold
paragraph with its title (in every format alike), its text below it.

The exact formats (Markdown, JSON) stay the stored text, made to come back in: they carry
no rewritten markers and no References. `bibtex` and `csl-json` are the references alone.

Every file is written next to its destination under a temporary name and renamed over it,
so a failure leaves either the old file or none, never half of one.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import col

from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.files import check_writable, replace_file, user_path
from vicechat_tui.core.models import (
    ChatMessage,
    ChatSession,
    MessageRole,
    Section,
    SectionVersion,
    VersionSource,
)
from vicechat_tui.core.services.access import visible_document
from vicechat_tui.core.services.sections import SectionNode
from vicechat_tui.core.transfer.bibliography import (
    Bibliography,
    CitationStyle,
    SectionText,
    applied_replies,
    build_bibliography,
    escape_markdown,
)
from vicechat_tui.core.transfer.cited_sources import CitedSource
from vicechat_tui.core.transfer.formats import ExportFormat
from vicechat_tui.core.transfer.markdown import close_open_block, normalise_newlines
from vicechat_tui.core.transfer.pandoc import FILTER, MARKDOWN_READER, run_pandoc
from vicechat_tui.core.transfer.reference_lists import (
    references_markdown,
    to_bibtex,
    to_csl_json,
)

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore

MAX_HEADING_DEPTH = 6
Progress = Callable[[float, str], None]
"""Told how far an export is (0…1) and what it is doing, in words."""


def _no_progress(fraction: float, label: str) -> None:
    """The default `Progress`: nobody is watching."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    toc: bool = False
    template: Path | None = None
    """A pandoc template (HTML, EPUB, PDF's Typst) or reference document (Word, ODT)."""
    citations: CitationStyle = "numeric"


@dataclass(frozen=True, slots=True)
class Exported:
    data: bytes
    references: int
    notes: list[str] = field(default_factory=list)
    """Things the person should know: markers that cite nothing, fonts missing."""


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    title: str
    tree: list[SectionNode]
    bibliography: Bibliography


async def _citation_inputs(
    core: VicechatCore, document_id: int
) -> tuple[str, dict[int, list[tuple[int, str]]], dict[int, list[ChatMessage]]]:
    """The title, applied versions and source-bearing replies, per section (two queries)."""
    async with core.database.session() as db:
        document = await visible_document(db, core.user, document_id)
        applied = (
            select(
                col(SectionVersion.section_id),
                col(SectionVersion.version),
                col(SectionVersion.content),
            )
            .join(Section, col(Section.id) == col(SectionVersion.section_id))
            .where(
                col(Section.document_id) == document_id,
                col(SectionVersion.source) == VersionSource.APPLIED_REPLY.value,
            )
        )
        versions: dict[int, list[tuple[int, str]]] = {}
        for section_id, version, content in await db.execute(applied):
            versions.setdefault(section_id, []).append((version, content))
        replies: dict[int, list[ChatMessage]] = {}
        if versions:
            query = (
                select(col(ChatSession.section_id), ChatMessage)
                .join(ChatSession, col(ChatSession.id) == col(ChatMessage.session_id))
                .join(Section, col(Section.id) == col(ChatSession.section_id))
                .where(
                    col(Section.document_id) == document_id,
                    col(ChatMessage.role) == MessageRole.ASSISTANT.value,
                    col(ChatSession.section_id).in_(list(versions)),
                )
                .order_by(col(ChatMessage.id))
            )
            for section_id, message in await db.execute(query):
                if message.sources:
                    replies.setdefault(section_id, []).append(message)
    return document.title, versions, replies


def _stored_sources(message: ChatMessage) -> list[CitedSource]:
    read_on = message.created_at.date() if message.created_at else None
    found = (
        CitedSource.from_stored(stored, read_on)
        for stored in message.sources or []
        if isinstance(stored, dict)
    )
    return [source for source in found if source is not None]


def _reading_order(nodes: Iterable[SectionNode]) -> Iterable[Section]:
    for node in nodes:
        yield node.section
        yield from _reading_order(node.children)


async def load_document(core: VicechatCore, document_id: int) -> LoadedDocument:
    """The document's tree and its bibliography, read through the visibility rules."""
    title, versions, replies = await _citation_inputs(core, document_id)
    tree = await core.sections.tree(document_id)
    texts = []
    for section in _reading_order(tree):
        assert section.id is not None
        found = applied_replies(
            versions.get(section.id, []),
            (
                (message.id or 0, message.content, _stored_sources(message))
                for message in replies.get(section.id, [])
            ),
        )
        texts.append(SectionText(section.id, section.content, found))
    # a thread: thousands of sections are ~0.1 s of Python that would hold the event loop
    return LoadedDocument(title, tree, await asyncio.to_thread(build_bibliography, texts))


def _trimmed(content: str) -> str:
    return normalise_newlines(content).strip("\n").rstrip()


def publication_markdown(loaded: LoadedDocument, style: CitationStyle) -> str:
    """The Markdown pandoc reads: headings from the tree, rewritten markers, References."""
    blocks: list[str] = []

    def walk(nodes: Sequence[SectionNode], depth: int) -> None:
        for node in nodes:
            section = node.section
            assert section.id is not None
            title = escape_markdown(section.title) or "Untitled"
            if depth < MAX_HEADING_DEPTH:
                blocks.append(f"{'#' * (depth + 1)} {title}")
            else:
                blocks.append(f"**{title}**")
            content = _trimmed(loaded.bibliography.rewrite(section.id, section.content, style))
            if content:
                blocks.append(close_open_block(content))
            walk(node.children, depth + 1)

    walk(loaded.tree, 0)
    references = references_markdown(loaded.bibliography, style)
    if references:
        blocks.append(references)
    return "\n\n".join(blocks) + "\n"


def _unresolved_note(bibliography: Bibliography) -> list[str]:
    if not bibliography.unresolved:
        return []
    count = len(bibliography.unresolved)
    sections = len({section_id for section_id, _ in bibliography.unresolved})
    markers = "marker" if count == 1 else "markers"
    where = "section" if sections == 1 else "sections"
    return [
        f"{count} citation {markers} in {sections} {where} match no source of an applied "
        "reply; they are left as written."
    ]


def _template_arguments(fmt: ExportFormat, template: Path | None) -> list[str]:
    if template is None:
        return []
    path = user_path(template)
    if not path.is_file() or not os.access(path, os.R_OK):
        raise InvalidInputError(f"The template {path} is not a readable file.")
    return [f"{fmt.template_option}={path.resolve()}"]


async def publish(
    loaded: LoadedDocument,
    fmt: ExportFormat,
    options: ExportOptions = ExportOptions(),
    progress: Progress = _no_progress,
) -> Exported:
    """Convert a loaded document to `fmt` (a "publish" format) through pandoc."""
    assert fmt.pandoc_writer is not None
    arguments = _template_arguments(fmt, options.template)
    progress(0.2, "preparing the text")
    text = await asyncio.to_thread(publication_markdown, loaded, options.citations)
    notes = _unresolved_note(loaded.bibliography)
    with tempfile.TemporaryDirectory(prefix="vicechat-export-") as folder:
        work = Path(folder)
        metadata = work / "metadata.json"
        metadata.write_text(
            json.dumps({"title": escape_markdown(loaded.title)}, ensure_ascii=False), "utf-8"
        )
        arguments += [
            f"--from={MARKDOWN_READER}",
            f"--to={fmt.pandoc_writer}",
            "--standalone",
            f"--lua-filter={FILTER}",
            f"--metadata-file={metadata}",
            "--output=-",
        ]
        if options.toc:
            arguments.append("--toc")
        progress(0.35, "converting with pandoc")
        output = await run_pandoc(
            arguments,
            stdin=text.encode("utf-8"),
            data_dir=work,
            what=f"convert the document to {fmt.label}",
        )
        if fmt.name == "pdf":
            from vicechat_tui.core.transfer.typst_pdf import compile_pdf

            progress(0.6, "laying out the PDF")
            output, font_notes = await compile_pdf(output.decode("utf-8"), work)
            notes += font_notes
    progress(0.95, "writing the file")
    return Exported(output, len(loaded.bibliography.references), notes)


async def export_bytes(
    core: VicechatCore,
    document_id: int,
    fmt: ExportFormat,
    options: ExportOptions = ExportOptions(),
    progress: Progress = _no_progress,
) -> Exported:
    """The document in `fmt`, as the bytes of the file."""
    progress(0.0, "reading the document")
    if fmt.kind == "exact":
        if fmt.name == "json":
            from vicechat_tui.core.transfer.json_export import export_document_json

            data = await export_document_json(core, document_id)
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        else:
            from vicechat_tui.core.transfer.markdown_store import export_markdown

            text = await export_markdown(core, document_id)
        return Exported(text.encode("utf-8"), 0)
    loaded = await load_document(core, document_id)
    if fmt.kind == "references":
        if fmt.name == "bibtex":
            text = to_bibtex(loaded.bibliography)
        else:
            text = json.dumps(to_csl_json(loaded.bibliography), ensure_ascii=False, indent=2)
            text += "\n"
        notes = _unresolved_note(loaded.bibliography)
        return Exported(text.encode("utf-8"), len(loaded.bibliography.references), notes)
    return await publish(loaded, fmt, options, progress)


async def export_to_file(
    core: VicechatCore,
    document_id: int,
    fmt: ExportFormat,
    destination: Path,
    options: ExportOptions = ExportOptions(),
    progress: Progress = _no_progress,
) -> Exported:
    """Export and write the file atomically; the folder is checked before any work."""
    destination = user_path(destination)
    check_writable(destination)
    exported = await export_bytes(core, document_id, fmt, options, progress)
    await asyncio.to_thread(replace_file, destination, exported.data)
    progress(1.0, "done")
    return exported
