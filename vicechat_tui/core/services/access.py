"""Visibility rules shared by the services: who may see which document."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.errors import (
    DocumentNotFoundError,
    SectionNotFoundError,
    SectionNotInDocumentError,
    SessionNotFoundError,
)
from vicechat_tui.core.models import ChatSession, Document, DocumentShare, Section


def visible_to(user: str) -> Any:
    """A WHERE clause: documents `user` owns or that are shared with them."""
    shared = exists().where(
        col(DocumentShare.document_id) == col(Document.id), col(DocumentShare.user) == user
    )
    return or_(col(Document.owner) == user, shared)


async def visible_document(db: AsyncSession, user: str, document_id: int) -> Document:
    """The document, or DocumentNotFoundError when missing or not visible to `user`."""
    document = (
        await db.execute(select(Document).where(col(Document.id) == document_id, visible_to(user)))
    ).scalar_one_or_none()
    if document is None:
        raise DocumentNotFoundError(document_id)
    return document


async def visible_section(
    db: AsyncSession, user: str, section_id: int, document_id: int | None = None
) -> Section:
    """The section, checking its document is visible (and is `document_id` if given)."""
    section = await db.get(Section, section_id)
    if document_id is not None:
        await visible_document(db, user, document_id)
        if section is None:
            raise SectionNotFoundError(section_id)
        if section.document_id != document_id:
            raise SectionNotInDocumentError(section_id, document_id)
        return section
    if section is None:
        raise SectionNotFoundError(section_id)
    try:
        await visible_document(db, user, section.document_id)
    except DocumentNotFoundError:
        raise SectionNotFoundError(section_id) from None
    return section


async def visible_session(db: AsyncSession, user: str, session_id: int) -> ChatSession:
    session = await db.get(ChatSession, session_id)
    if session is None:
        raise SessionNotFoundError(session_id)
    try:
        await visible_section(db, user, session.section_id)
    except SectionNotFoundError:
        raise SessionNotFoundError(session_id) from None
    return session
