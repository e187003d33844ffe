"""Who may do what with which document: the one path every service and the job engine take.

A person's level on a document is `OWNER` (they made it), `EDIT` or `VIEW` (a share from its
owner), or nothing. Everything else — a section, a version, a chat, a message, a job —
belongs to one document and is reached through it: each `visible_*` function reads the row
and its document's level in one query, then

- not there, or its document not visible: the row's own NotFound error (another person's
  ids behave exactly like ids that do not exist);
- visible but the level is below what is `need`ed: `AccessDeniedError`, saying who can.

Reading needs `VIEW`; changing a section, a chat or a document's title needs `EDIT`;
deleting a document or changing its shares needs `OWNER`. On PostgreSQL the row-level
security policies of migration 0004 enforce the same rules a second time.

A few things belong to a person outright and are never shared, whatever documents are:
their assistants and knowledge collections. They are found by name among the person's own
(`owned`, `owned_by`; `own_collection(s)` for collections); another person's behave exactly
like names that do not exist. On PostgreSQL migrations 0005 and 0006 say the same.

A document or section in the trash (`trashed_at` set, see `services/trash.py`) is not
there for any of these paths: its rows and everything under it behave as missing. Only the
trash service looks at them, with `in_trash=True`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, TypeVar

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.errors import (
    AccessDeniedError,
    AssistantNotFoundError,
    CollectionNotFoundError,
    DocumentNotFoundError,
    JobNotFoundError,
    MessageNotFoundError,
    NotFoundError,
    SectionNotFoundError,
    SectionNotInDocumentError,
    SessionNotFoundError,
    VersionNotFoundError,
)
from vicechat_tui.core.models import (
    Assistant,
    ChatJob,
    ChatMessage,
    ChatSession,
    Document,
    DocumentShare,
    KnowledgeCollection,
    Section,
    SectionVersion,
    ShareLevel,
)

Row = TypeVar("Row")


class Level(IntEnum):
    """What a person may do with a document; each level includes the ones below it."""

    VIEW = 1
    EDIT = 2
    OWNER = 3

    @property
    def label(self) -> str:
        return {Level.VIEW: "view", Level.EDIT: "edit", Level.OWNER: "owner"}[self]


@dataclass(frozen=True, slots=True)
class DocumentAccess:
    """A document and what the person asking may do with it."""

    document: Document
    level: Level

    @property
    def owner(self) -> str:
        return self.document.owner

    @property
    def read_only(self) -> bool:
        return self.level < Level.EDIT

    @property
    def shared_with_me(self) -> bool:
        return self.level < Level.OWNER


def level_of(document: Document, share_level: str | None, user: str) -> Level | None:
    """`user`'s level on `document`, given their share's level (None: no share)."""
    if document.owner == user:
        return Level.OWNER
    if share_level == ShareLevel.EDIT.value:
        return Level.EDIT
    if share_level == ShareLevel.VIEW.value:
        return Level.VIEW
    return None


def live_document() -> Any:
    """A WHERE clause: the document is not in the trash."""
    return col(Document.trashed_at).is_(None)


def live_section() -> Any:
    """A WHERE clause: the section is not in the trash (nor taken there with a parent)."""
    return col(Section.trashed_at).is_(None)


def visible_to(user: str) -> Any:
    """A WHERE clause: documents `user` owns or that are shared with them (any level), not
    in the trash."""
    shared = exists().where(
        col(DocumentShare.document_id) == col(Document.id), col(DocumentShare.user) == user
    )
    return and_(or_(col(Document.owner) == user, shared), live_document())


def editable_by(user: str) -> Any:
    """A WHERE clause: documents `user` owns or may edit."""
    shared = exists().where(
        col(DocumentShare.document_id) == col(Document.id),
        col(DocumentShare.user) == user,
        col(DocumentShare.level) == ShareLevel.EDIT.value,
    )
    return or_(col(Document.owner) == user, shared)


def _refuse(document: Document, level: Level, need: Level, action: str | None) -> None:
    if level >= need:
        return
    doing = action or ("change it" if need is Level.EDIT else "do that")
    if need is Level.OWNER:
        raise AccessDeniedError(
            f"Only the owner of document {document.id}, {document.owner}, can {doing}."
        )
    raise AccessDeniedError(
        f"Document {document.id} is shared with you to view only, so you cannot {doing}; "
        f"ask its owner, {document.owner}, for edit access."
    )


_PATH_TO_DOCUMENT: dict[type[Any], list[tuple[type[Any], Any]]] = {
    Document: [],
    Section: [(Document, col(Document.id) == col(Section.document_id))],
    SectionVersion: [
        (Section, col(Section.id) == col(SectionVersion.section_id)),
        (Document, col(Document.id) == col(Section.document_id)),
    ],
    ChatSession: [
        (Section, col(Section.id) == col(ChatSession.section_id)),
        (Document, col(Document.id) == col(Section.document_id)),
    ],
    ChatMessage: [
        (ChatSession, col(ChatSession.id) == col(ChatMessage.session_id)),
        (Section, col(Section.id) == col(ChatSession.section_id)),
        (Document, col(Document.id) == col(Section.document_id)),
    ],
    ChatJob: [
        (ChatSession, col(ChatSession.id) == col(ChatJob.session_id)),
        (Section, col(Section.id) == col(ChatSession.section_id)),
        (Document, col(Document.id) == col(Section.document_id)),
    ],
}
"""How a row of each table reaches its document (every table but document_share)."""


_NOT_FOUND: dict[type[Any], Callable[[int], NotFoundError]] = {
    Document: DocumentNotFoundError,
    Section: SectionNotFoundError,
    SectionVersion: VersionNotFoundError,
    ChatSession: SessionNotFoundError,
    ChatMessage: MessageNotFoundError,
    ChatJob: JobNotFoundError,
}


async def checked(
    db: AsyncSession,
    user: str,
    model: type[Row],
    row_id: int,
    need: Level = Level.VIEW,
    *,
    action: str | None = None,
    in_trash: bool = False,
) -> tuple[Row, DocumentAccess]:
    """The one lookup: the row, its document and `user`'s level on it, in one query.

    The row's NotFound error when it is missing, in the trash (its section's or document's
    `trashed_at` set; `in_trash` lifts that, for the trash service) or its document is not
    visible; AccessDeniedError when the level is below `need` (`action` says what was
    refused).
    """
    entities: list[Any] = [Document] if model is Document else [model, Document]
    query: Any = select(*entities, col(DocumentShare.level)).select_from(model)
    for target, condition in _PATH_TO_DOCUMENT[model]:
        query = query.join(target, condition)
    query = query.outerjoin(
        DocumentShare,
        and_(col(DocumentShare.document_id) == col(Document.id), col(DocumentShare.user) == user),
    ).where(model.id == row_id)  # type: ignore[attr-defined]
    if not in_trash:
        query = query.where(live_document())
        if model is Section or any(target is Section for target, _ in _PATH_TO_DOCUMENT[model]):
            query = query.where(live_section())
    found = (await db.execute(query)).one_or_none()
    level = None if found is None else level_of(found[-2], found[-1], user)
    if found is None or level is None:
        raise _NOT_FOUND[model](row_id)
    document: Document = found[-2]
    _refuse(document, level, need, action)
    return found[0], DocumentAccess(document, level)


async def visible(
    db: AsyncSession,
    user: str,
    model: type[Row],
    row_id: int,
    need: Level = Level.VIEW,
    *,
    action: str | None = None,
) -> Row:
    """The row alone (see `checked`)."""
    row, _ = await checked(db, user, model, row_id, need, action=action)
    return row


async def document_access(
    db: AsyncSession,
    user: str,
    document_id: int,
    need: Level = Level.VIEW,
    *,
    action: str | None = None,
) -> DocumentAccess:
    """The document and `user`'s level on it; DocumentNotFoundError when not visible."""
    _, access = await checked(db, user, Document, document_id, need, action=action)
    return access


async def visible_document(
    db: AsyncSession,
    user: str,
    document_id: int,
    need: Level = Level.VIEW,
    *,
    action: str | None = None,
) -> Document:
    """The document, or DocumentNotFoundError when missing or not visible to `user`."""
    return await visible(db, user, Document, document_id, need, action=action)


async def visible_section(
    db: AsyncSession,
    user: str,
    section_id: int,
    document_id: int | None = None,
    need: Level = Level.VIEW,
    *,
    action: str | None = None,
) -> Section:
    """The section, checking its document's level (and that it is `document_id` if given)."""
    if document_id is not None:
        await document_access(db, user, document_id, need, action=action)
    section, access = await checked(db, user, Section, section_id, need, action=action)
    if document_id is not None and access.document.id != document_id:
        raise SectionNotInDocumentError(section_id, document_id)
    return section


async def visible_session(
    db: AsyncSession,
    user: str,
    session_id: int,
    need: Level = Level.VIEW,
    *,
    action: str | None = None,
) -> ChatSession:
    return await visible(db, user, ChatSession, session_id, need, action=action)


_OWNED_NOT_FOUND: dict[type[Any], Callable[[str, list[str]], NotFoundError]] = {
    Assistant: AssistantNotFoundError,
    KnowledgeCollection: CollectionNotFoundError,
}
"""The tables of things a person owns outright, found by name, and their NotFound errors."""


def owned_by(user: str, model: type[Any]) -> Any:
    """A WHERE clause: the rows of `model` that belong to `user` (its owner column)."""
    assert model in _OWNED_NOT_FOUND, f"{model.__name__} is not owned outright"
    return col(model.owner) == user


async def owned_names(db: AsyncSession, user: str, model: type[Any]) -> list[str]:
    """The names of `user`'s own rows of `model`, sorted."""
    query = select(col(model.name)).where(owned_by(user, model)).order_by(col(model.name))
    return [str(name) for name in (await db.execute(query)).scalars()]


async def owned(db: AsyncSession, user: str, model: type[Row], name: str) -> Row:
    """`user`'s own row of `model` named `name`; its NotFound error, naming the ones
    there are, when there is none (another person's row counts as none)."""
    query = select(model).where(owned_by(user, model), col(model.name) == name)  # type: ignore[attr-defined]
    found = (await db.execute(query)).scalar_one_or_none()
    if found is None:
        raise _OWNED_NOT_FOUND[model](name, await owned_names(db, user, model))
    return found


def own_collections(user: str) -> Any:
    """A WHERE clause: the knowledge collections `user` owns (nobody else sees them)."""
    return owned_by(user, KnowledgeCollection)


async def own_collection(db: AsyncSession, user: str, name: str) -> KnowledgeCollection:
    """`user`'s collection called `name`; CollectionNotFoundError naming theirs otherwise."""
    return await owned(db, user, KnowledgeCollection, name)
