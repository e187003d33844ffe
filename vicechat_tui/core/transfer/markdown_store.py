"""Markdown import into the database and export out of it, through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.models import Document
from vicechat_tui.core.services.documents import DocumentService
from vicechat_tui.core.services.sections import SectionNode, SectionService
from vicechat_tui.core.titles import clean_title
from vicechat_tui.core.transfer.markdown import (
    MarkdownDocument,
    MarkdownSection,
    parse_markdown,
    render_markdown,
)

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore


@dataclass(frozen=True, slots=True)
class ImportedDocument:
    document: Document
    section_count: int


def _checked(sections: list[MarkdownSection]) -> list[MarkdownSection]:
    """The tree with titles cleaned as the services will store them; refuse bad ones early."""
    result = []
    for section in sections:
        try:
            title = clean_title(section.title, what="section title")
        except InvalidInputError as error:
            raise InvalidInputError(f"Heading {section.title[:40]!r}: {error.message}") from None
        result.append(MarkdownSection(title, section.content, _checked(section.children)))
    return result


async def import_markdown(
    core: VicechatCore, text: str, *, title: str | None = None, fallback_title: str
) -> ImportedDocument:
    """Create a document from Markdown in one transaction: all of it or nothing.

    The document and every section commit together, so a failure, a kill -9 or a power cut
    half-way leaves no trace (no empty document). The name is `title` when given (the
    person's word wins), else the text's lone `#` heading, else `fallback_title`.
    """
    parsed = parse_markdown(text)
    name = clean_title(title or parsed.title or fallback_title, what="document title")
    sections = _checked(parsed.sections)
    async with core.database.transaction() as database:
        document = await DocumentService(database, core.user).create(name)
        assert document.id is not None
        document_id = document.id
        count = await SectionService(database, core.user).create_tree(document_id, sections)
    return ImportedDocument(await core.documents.get(document_id), count)


def _as_markdown(nodes: list[SectionNode]) -> list[MarkdownSection]:
    return [
        MarkdownSection(node.section.title, node.section.content, _as_markdown(node.children))
        for node in nodes
    ]


async def export_markdown(core: VicechatCore, document_id: int) -> str:
    """The whole document as Markdown text."""
    document = await core.documents.get(document_id)
    tree = await core.sections.tree(document_id)
    return render_markdown(MarkdownDocument(document.title, _as_markdown(tree)))
